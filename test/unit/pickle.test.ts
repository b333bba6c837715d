/** Pickles read as data: values built, code never looked up or called, budgets held, no cycles. */
import { describe, expect, it } from 'vitest';
import { createHmac, createHash } from 'node:crypto';
import { SessionLensError, decodeDjangoCookie, pyRepr, verifyDjangoDecoded } from '../../src/core';
import { readPickle } from '../../src/core/python/pickle';

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
/** A signed_cookies value over any body, signed with Node's crypto the way Django signs (SPEC §4). */
function signDjangoRaw(body: string, secret: string): string {
  const message = `${body}:1r31eq`;
  const key = createHash('sha256').update(`django.contrib.sessions.backends.signed_cookiessigner${secret}`).digest();
  return `${message}:${createHmac('sha256', key).update(message).digest('base64url')}`;
}
const read = (...parts: (string | number[])[]) => pyRepr(readPickle(bytes(...parts)));

describe('a Django session holding a pickle', () => {
  it('is read as data, the classic protocol 0 attack included, with a note', () => {
    const attack = new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.");
    // Signed over a pickled body, as an app with PickleSerializer would accept it.
    const body = Buffer.from(attack).toString('base64url');
    const cookie = signDjangoRaw(body, 'k');
    const verified = verifyDjangoDecoded(decodeDjangoCookie(cookie), { secrets: [{ text: 'k' }], now: 1_700_000_000 });
    expect(verified.verdict).toBe('valid');
    expect(verified.decoded.payload).toMatchObject({ ok: true, value: { pickled: true, value: { type: 'str', value: "<os.system('id')>" } } });
    expect(verified.notes.join(' ')).toMatch(/never executed/);
  });
});

describe('readPickle', () => {
  it('reads what protocol 2–5 write for JSON-like data, tuples, bytes and big integers', () => {
    // pickle.dumps({'a': [1, 2.5, None, True], 'b': (b'\x00',), 'n': 2**70}, 5) as Python 3.11 writes it.
    const pickle = bytes([0x80, 0x05, 0x95, 0x3a, 0, 0, 0, 0, 0, 0, 0], '}', [0x94], '(', [0x8c, 1], 'a', [0x94], ']', [0x94], '(', 'K', [1], 'G', [0x40, 0x04, 0, 0, 0, 0, 0, 0], 'N', [0x88], 'e', [0x8c, 1], 'b', [0x94], 'C', [1, 0], [0x94], [0x85, 0x94], [0x8c, 1], 'n', [0x94], [0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40], 'u', '.');
    expect(pyRepr(readPickle(pickle))).toBe("{'a': [1, 2.5, None, True], 'b': (b'\\x00',), 'n': 1180591620717411303424}");
  });

  it('never calls code: os.system becomes the text of the call', () => {
    // The classic: cos\nsystem\n(S'…'\ntR. — a protocol 0 pickle that runs a shell command when loaded.
    expect(read("cos\nsystem\n(S'touch /tmp/pwned'\ntR.")).toBe('"<os.system(\'touch /tmp/pwned\')>"');
    expect(read('cposix\nsystem\n', [0x8c, 4], 'ls -', [0x85], 'R', '.')).toBe("\"<posix.system('ls -')>\"");
  });

  it('a memo lookup copies: a list that contains itself is a tree, and copies count against the budget', () => {
    // l = []; l.append(l): EMPTY_LIST MEMOIZE BINGET 0 APPEND STOP.
    expect(read(']', [0x94], 'h', [0], 'a', '.')).toBe('[[]]');
    // Doubling a list by memo 20 times would build 2^20 values: refused.
    const doubling: (string | number[])[] = [']', 'K', [1], 'a', 'q', [0]];
    for (let i = 0; i < 20; i++) doubling.push('(', 'h', [0], 'h', [0], 'l', 'q', [0]);
    doubling.push('.');
    expect(() => readPickle(bytes(...doubling))).toThrowError(expect.objectContaining({ code: 'ERR_PAYLOAD_TOO_LARGE' }));
  });

  it('refuses what it does not read, with a code, and never throws anything else', () => {
    for (const bad of [bytes(), bytes('K'), bytes([0xff]), bytes('h', [9], '.'), bytes('a.'), bytes('((.')]) {
      expect(() => readPickle(bad)).toThrow(SessionLensError);
    }
  });
});
