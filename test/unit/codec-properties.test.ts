import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeCookie,
  decodeFlaskCookie,
  decodeFlaskSessionId,
  parsePythonJson,
  parseTypedJson,
  pyEquals,
  secretBytes,
  signFlaskCookie,
  signFlaskSessionId,
  verifyFlaskCookie,
  verifyFlaskSessionId,
  writePythonJson,
  writeTypedJson,
  type PyValue,
} from '../../src/core';
import { b64urlDecodeAscii, b64urlDecodeStrict, b64urlEncode, utf8DecodeStrict, utf8Encode, utf8Length } from '../../src/core/codec/bytes';
import { tag, untag } from '../../src/core/python/taggedjson';
import { anyString, pyValue, secretInput, sessionPayload, signerConfig } from '../support/arbitraries';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** A plain JSON tree (what json.loads returns) — tagged types excluded. */
function isPlainJson(value: PyValue): boolean {
  switch (value.type) {
    case 'list':
      return value.items.every(isPlainJson);
    case 'dict':
      return [...value.entries.values()].every(isPlainJson);
    default:
      return ['none', 'bool', 'int', 'float', 'str'].includes(value.type);
  }
}

describe('sign → verify/decode round trips', () => {
  it('any typed payload, secrets and signer config: the signature verifies and the payload comes back equal', () => {
    fc.assert(
      fc.property(
        sessionPayload,
        fc.array(secretInput, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 3 }),
        signerConfig,
        fc.integer({ min: 0, max: 253402300799 }),
        (payload, secrets, signerPick, config, timestamp) => {
          const signerIndex = signerPick % secrets.length;
          const signed = signFlaskCookie(payload, { ...config, secret: secrets[signerIndex]!, timestamp });
          expect(signed.ok).toBe(true);
          if (!signed.ok) return;
          const result = verifyFlaskCookie(signed.value.cookie, { ...config, secrets });
          expect(result.verdict).toBe('valid');
          expect(result.signature).toBe('valid');
          // Same secret text twice in the list: either position is a right answer.
          const matched = secrets[result.matchedSecretIndex!]!;
          expect(JSON.stringify(matched)).toBe(JSON.stringify(secrets[signerIndex]));
          const decoded = decodeFlaskCookie(signed.value.cookie);
          expect(decoded.payload?.ok).toBe(true);
          if (decoded.payload?.ok) expect(pyEquals(decoded.payload.value.value, payload)).toBe(true);
          expect(decoded.timestamp?.ok && Number(decoded.timestamp.value.seconds)).toBe(timestamp);
          expect(decoded.compressed).toBe(signed.value.compressed);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any other secret is rejected', () => {
    fc.assert(
      fc.property(sessionPayload, secretInput, secretInput, signerConfig, (payload, right, wrong, config) => {
        fc.pre(JSON.stringify(right) !== JSON.stringify(wrong));
        const signed = signFlaskCookie(payload, { ...config, secret: right, timestamp: 1700000000 });
        if (!signed.ok) throw new Error(signed.error.message);
        const result = verifyFlaskCookie(signed.value.cookie, { ...config, secrets: [wrong] });
        // Text and hex can spell the same bytes; exactly the byte-identical key passes.
        const same = Buffer.from(secretBytes(right)).equals(Buffer.from(secretBytes(wrong)));
        expect(result.verdict).toBe(same ? 'valid' : 'bad_signature');
      }),
      { numRuns: RUNS },
    );
  });

  it('changing any character of the signed text breaks the signature', () => {
    fc.assert(
      fc.property(sessionPayload, fc.nat(), fc.constantFrom('A', '.', '-', 'é', ''), (payload, position, replacement) => {
        const signed = signFlaskCookie(payload, { secret: { text: 'k' }, timestamp: 1700000000 });
        if (!signed.ok) throw new Error(signed.error.message);
        const cookie = signed.value.cookie;
        const signingInput = cookie.slice(0, cookie.lastIndexOf('.'));
        const at = position % signingInput.length;
        fc.pre(signingInput[at] !== replacement);
        const mutated = cookie.slice(0, at) + replacement + cookie.slice(at + 1);
        expect(verifyFlaskCookie(mutated, { secrets: [{ text: 'k' }] }).verdict).toBe('bad_signature');
      }),
      { numRuns: RUNS },
    );
  });

  it('the $type representation reads back to the same value', () => {
    fc.assert(
      fc.property(pyValue, (value) => {
        const text = writeTypedJson(value);
        expect(pyEquals(parseTypedJson(text), value)).toBe(true);
        expect(pyEquals(parseTypedJson(writeTypedJson(value, '  ')), value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('Python-style JSON text reads back to the same tree', () => {
    fc.assert(
      fc.property(pyValue.filter(isPlainJson), fc.boolean(), fc.boolean(), (value, sortKeys, ensureAscii) => {
        expect(pyEquals(parsePythonJson(writePythonJson(value, { sortKeys, ensureAscii })), value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('Flask-Session ids sign and verify', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)), secretInput, (sid, secret) => {
        const signed = signFlaskSessionId(sid, { secret });
        if (!signed.ok) throw new Error(signed.error.message);
        const result = verifyFlaskSessionId(signed.value, { secrets: [secret] });
        expect(result.verdict).toBe('valid');
        expect(result.decoded.sid).toBe(sid);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hostile input never throws', () => {
  const cookieLike = fc.oneof(
    anyString,
    fc.string({ unit: fc.constantFrom(...'.eJyzZVPxA-_=+/!é \\"'), maxLength: 120 }),
    fc.stringMatching(/^\.?[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,10}\.[A-Za-z0-9_-]{0,40}$/),
  );

  it('decode, verify, detect and analyze return verdicts for random strings', () => {
    fc.assert(
      fc.property(cookieLike, signerConfig, (value, config) => {
        const decoded = decodeFlaskCookie(value);
        expect(decoded.format).toBe('flask');
        const verified = verifyFlaskCookie(value, { ...config, secrets: [{ text: 'k' }], maxAge: 100, now: 1700000000 });
        expect(['valid', 'bad_signature', 'expired', 'future_timestamp', 'bad_payload', 'malformed']).toContain(verified.verdict);
        decodeFlaskSessionId(value);
        verifyFlaskSessionId(value, { secrets: [{ text: 'k' }] });
        analyzeCookie('session', value, { secrets: [{ text: 'k' }] });
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('mutated real cookies never throw, whatever is inserted, removed or replaced', () => {
    const signed = signFlaskCookie(
      { type: 'dict', entries: new Map<string, PyValue>([['cart', { type: 'list', items: Array.from({ length: 40 }, (_, i) => ({ type: 'int', value: BigInt(i) }) as PyValue) }]]) },
      { secret: { text: 'k' }, timestamp: 1700000000 },
    );
    if (!signed.ok) throw new Error('sign failed');
    const base = signed.value.cookie;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 3 })), { minLength: 1, maxLength: 6 }), (edits) => {
        let value = base;
        for (const [pos, removed, inserted] of edits) {
          const at = pos % (value.length + 1);
          value = value.slice(0, at) + inserted + value.slice(at + removed);
        }
        const result = verifyFlaskCookie(value, { secrets: [{ text: 'k' }] });
        expect(typeof result.verdict).toBe('string');
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('parsing arbitrary text as JSON either succeeds or fails with ERR_JSON', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.json(), fc.string({ unit: fc.constantFrom(...'[]{}",:0-9.eE+-NaIfinty \\u'), maxLength: 40 })), (text) => {
        try {
          parsePythonJson(text);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('ERR_JSON');
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('fast paths equal the general paths', () => {
  const base64urlText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. é'.split('')), maxLength: 80 });

  it('b64urlDecodeAscii answers exactly when the strict decoder gives ASCII bytes, with the same text', () => {
    fc.assert(
      fc.property(fc.oneof(base64urlText, fc.uint8Array({ maxLength: 60 }).map(b64urlEncode)), (text) => {
        const strict = b64urlDecodeStrict(text);
        const asciiBytes = strict !== null && strict.every((byte) => byte < 0x80);
        expect(b64urlDecodeAscii(text)).toBe(asciiBytes ? String.fromCharCode(...strict) : null);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('utf8Length is the length TextEncoder writes, lone surrogates included', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
      { numRuns: RUNS * 4 },
    );
    for (const text of ['\ud800', 'a\udc00', '\ud83d\ude00', '\ude00\ud83d', '\ud83d', 'é€😀']) expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });

  it('utf8DecodeStrict and utf8Encode agree with TextDecoder/TextEncoder on any text and bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(anyString, fc.uint8Array({ maxLength: 40 }), (text, bytes) => {
        expect(utf8Encode(text)).toEqual(new TextEncoder().encode(text));
        let expected: string | null;
        try {
          expected = decoder.decode(bytes);
        } catch {
          expected = null;
        }
        let ours: string | null;
        try {
          ours = utf8DecodeStrict(bytes);
        } catch {
          ours = null;
        }
        expect(ours).toBe(expected);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('untag leaves its input untouched and shares what no tag changed', () => {
    fc.assert(
      fc.property(sessionPayload, (payload) => {
        const tagged = parsePythonJson(writePythonJson(tag(payload), { sortKeys: false, ensureAscii: false }));
        const before = writePythonJson(tagged, { sortKeys: false, ensureAscii: false });
        const untagged = untag(tagged);
        expect(writePythonJson(tagged, { sortKeys: false, ensureAscii: false })).toBe(before);
        expect(pyEquals(untagged, payload)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    const plain = parsePythonJson('{"a": [1, {"b": 2}], "c": "x"}');
    expect(untag(plain)).toBe(plain);
  });

  it('a secrets array reused with new contents is verified with the new contents', () => {
    const signed = signFlaskCookie({ type: 'dict', entries: new Map([['user', { type: 'int', value: 1n }]]) }, { secret: { text: 'right' } });
    expect(signed.ok).toBe(true);
    const cookie = signed.ok ? signed.value.cookie : '';
    const secrets: { text: string }[] = [{ text: 'wrong' }];
    expect(verifyFlaskCookie(cookie, { secrets }).verdict).toBe('bad_signature');
    secrets[0] = { text: 'right' };
    expect(verifyFlaskCookie(cookie, { secrets }).verdict).toBe('valid');
    secrets[0]!.text = 'wrong again';
    expect(verifyFlaskCookie(cookie, { secrets }).verdict).toBe('bad_signature');
    secrets.push({ text: 'right' });
    expect(verifyFlaskCookie(cookie, { secrets }).matchedSecretIndex).toBe(1);
    expect(verifyFlaskCookie(cookie, { secrets, salt: 'other' }).verdict).toBe('bad_signature');
  });
});
