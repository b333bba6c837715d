/** The Django format against the reference vectors (Django 3.2.25's signed_cookies backend and signing module). */
import { describe, expect, it } from 'vitest';
import {
  analyzeCookie,
  base62Decode,
  base62Encode,
  decodeDjangoCookie,
  detectFormats,
  isDeletion,
  parsePythonJson,
  parseSetCookie,
  pyEquals,
  signDjangoCookie,
  verifyDjangoDecoded,
  writePythonJson,
  type DigestName,
} from '../../src/core';
import { loadVectorFile } from '../support/vectors';

interface DjangoVector {
  id: string;
  description: string;
  config?: { SECRET_KEY: string; salt: string; algorithm?: string };
  cookie_name?: string;
  cookie_value?: string;
  set_cookie_header?: string;
  value?: string;
  expected?: {
    verdict: 'valid' | 'bad_signature';
    payload: unknown;
    timestamp?: number;
    compressed?: boolean;
    max_age_checks?: { label: string; now: number; max_age: number; verdict: 'valid' | 'expired' }[];
  };
}

const vectors = loadVectorFile<{ vectors: DjangoVector[] }>('django_signed_cookies.json').vectors;
const sessions = vectors.filter((v) => v.cookie_name === 'sessionid' && v.cookie_value && v.expected);
/** "sha256 (default)", "sha256 (DEFAULT_HASHING_ALGORITHM default in 3.1/3.2)", "sha1". */
const digestOf = (v: DjangoVector): DigestName => (v.config?.algorithm?.startsWith('sha1') ? 'sha1' : 'sha256');
const payloadJson = (value: Parameters<typeof writePythonJson>[0]) => JSON.parse(writePythonJson(value, { sortKeys: false, ensureAscii: false })) as unknown;

it('has Django session vectors', () => {
  expect(sessions.length).toBeGreaterThanOrEqual(12);
});

describe.each(sessions.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  const cookie = v.cookie_value!;
  const expected = v.expected!;
  const secrets = [{ text: v.config!.SECRET_KEY }];
  const verify = (options: { now?: number; maxAge?: number | null; secrets?: typeof secrets } = {}) =>
    verifyDjangoDecoded(decodeDjangoCookie(cookie), { secrets: options.secrets ?? secrets, digest: digestOf(v), now: options.now ?? expected.timestamp ?? 1_700_000_000, maxAge: options.maxAge ?? null });

  it('is detected as Django and verifies as Django does', () => {
    expect(detectFormats('sessionid', cookie)[0]!.format).toBe('django');
    const verified = verify();
    expect(verified.verdict).toBe(expected.verdict);
    expect(verify({ secrets: [{ text: 'not the key' }] }).verdict).toBe('bad_signature');
    if (expected.verdict === 'valid') {
      expect(payloadJson(verified.decoded.payload!.ok ? verified.decoded.payload!.value.value : { type: 'none' })).toEqual(expected.payload);
      if (expected.timestamp !== undefined) expect(verified.decoded.signedAt).toBe(expected.timestamp);
      if (expected.compressed !== undefined) expect(verified.decoded.compressed).toBe(expected.compressed);
    }
  });

  it('applies SESSION_COOKIE_AGE as Django does (no check for a future timestamp)', () => {
    for (const check of expected.max_age_checks ?? []) {
      expect(verify({ now: check.now, maxAge: check.max_age }).verdict, check.label).toBe(check.verdict);
    }
  });

  it('re-signs the same payload and time into the same cookie (uncompressed and compressed alike)', () => {
    if (expected.verdict !== 'valid' || expected.timestamp === undefined || v.id.includes('accepted-by')) return;
    const decoded = decodeDjangoCookie(cookie);
    if (!decoded.payload?.ok) throw new Error('no payload');
    const again = signDjangoCookie(decoded.payload.value.value, { secret: secrets[0]!, timestamp: expected.timestamp, digest: digestOf(v) });
    // zlib output may differ from CPython's byte for byte; the decoded payload and the signature over it must hold.
    if (!expected.compressed) expect(again).toEqual({ ok: true, value: cookie });
    const reread = verifyDjangoDecoded(decodeDjangoCookie(again.ok ? again.value : ''), { secrets, digest: digestOf(v), now: expected.timestamp });
    expect(reread.verdict).toBe('valid');
    expect(pyEquals(reread.decoded.payload!.ok ? reread.decoded.payload!.value.value : { type: 'none' }, decoded.payload.value.value)).toBe(true);
  });
});

describe('Django specifics', () => {
  const login = sessions.find((v) => v.id.endsWith('/login'))!;

  it('base62 timestamps both ways, as b62_encode / b62_decode', () => {
    expect(base62Encode(1_700_000_000)).toBe('1r31eq');
    expect(base62Encode(2 ** 32)).toBe('4gfFC4');
    expect(base62Decode('4gfFC4')).toBe(2 ** 32);
    expect(base62Decode('0')).toBe(0);
    expect(base62Decode('-1')).toBe(-1);
    for (const bad of ['', '-', '1r31e!', 'Z'.repeat(13)]) expect(base62Decode(bad)).toBeNull();
  });

  it('signing.dumps with its own salt verifies with that salt only', () => {
    const dumps = vectors.find((v) => v.id.endsWith('/signing.dumps'))!;
    const decoded = decodeDjangoCookie(dumps.value!);
    const secrets = [{ text: dumps.config!.SECRET_KEY }];
    expect(verifyDjangoDecoded(decoded, { secrets, salt: dumps.config!.salt, now: 1_700_000_000 }).verdict).toBe('valid');
    expect(verifyDjangoDecoded(decoded, { secrets, now: 1_700_000_000 }).verdict).toBe('bad_signature');
  });

  it("a set_signed_cookie value verifies under its name and salt (Django ≤ 4.2's salt), with its text as the value; not under another name", () => {
    const pref = vectors.find((v) => v.id.endsWith('/set_signed_cookie'))!;
    const secrets = [{ text: pref.config!.SECRET_KEY }];
    const verified = verifyDjangoDecoded(decodeDjangoCookie(pref.cookie_value!), { secrets, salt: 'ui', cookieName: pref.cookie_name!, now: 1_700_000_000 });
    expect(verified).toMatchObject({ verdict: 'valid', signedCookie: 'legacy', matchedSecretIndex: 0 });
    expect(verified.decoded.payload).toMatchObject({ ok: true, value: { value: { type: 'str', value: 'dark' } } });
    expect(verified.notes.join(' ')).toMatch(/set_signed_cookie value/);
    expect(verifyDjangoDecoded(decodeDjangoCookie(pref.cookie_value!), { secrets, salt: 'ui', cookieName: 'other', now: 1_700_000_000 }).verdict).toBe('bad_signature');
    expect(verifyDjangoDecoded(decodeDjangoCookie(pref.cookie_value!), { secrets, cookieName: pref.cookie_name!, now: 1_700_000_000 }).verdict).toBe('bad_signature');
    // Through the CLI's contract: --cookie-name and --salt.
    const analysis = analyzeCookie('pref', pref.cookie_value!, { secrets, salt: 'ui', cookieName: 'pref', format: 'django' });
    expect(analysis.format === 'django' && analysis.verification.verdict).toBe('valid');
  });

  it('tries SECRET_KEY_FALLBACKS after SECRET_KEY and names the one that matched', () => {
    const verified = verifyDjangoDecoded(decodeDjangoCookie(login.cookie_value!), { secrets: [{ text: 'rotated-new-key' }, { text: login.config!.SECRET_KEY }], now: 1_700_000_000 });
    expect(verified).toMatchObject({ verdict: 'valid', matchedSecretIndex: 1 });
  });

  it('a SHA-1 signature under the SHA-256 default is valid with a note (Django 3.1/3.2), and not under SHA-1 config the other way round', () => {
    const sha1 = sessions.find((v) => v.id.endsWith('/sha1-accepted-by-sha256-config'))!;
    const verified = verifyDjangoDecoded(decodeDjangoCookie(sha1.cookie_value!), { secrets: [{ text: sha1.config!.SECRET_KEY }], now: 1_700_000_000 });
    expect(verified).toMatchObject({ verdict: 'valid', legacySha1: true });
    expect(verified.notes.join(' ')).toMatch(/4\.0 and later reject/);
  });

  it('the flush Set-Cookie is a deletion', () => {
    const flush = vectors.find((v) => v.id.endsWith('/flush'))!;
    expect(isDeletion(parseSetCookie(flush.set_cookie_header!)!, Date.now())).toBe(true);
  });

  it('without a key: decoded and unverified; the age still counts', () => {
    const analysis = analyzeCookie('sessionid', login.cookie_value!, { secrets: [], now: 1_700_000_000 });
    expect(analysis).toMatchObject({ format: 'django', verification: { verdict: 'unverified' } });
    expect(verifyDjangoDecoded(decodeDjangoCookie(login.cookie_value!), { secrets: [], now: 1_700_000_000 + 1_209_601 }).verdict).toBe('expired');
  });

  it('bad input is a verdict, never an exception', () => {
    for (const value of ['', ':', 'a:b', 'eyJ9:1r31eq:x', `eyJhIjoxfQ:${'!'.repeat(5)}:${'A'.repeat(43)}`, `.${'A'.repeat(100)}:1r31eq:${'A'.repeat(43)}`]) {
      const verified = verifyDjangoDecoded(decodeDjangoCookie(value), { secrets: [{ text: 'k' }] });
      expect(['malformed', 'bad_signature', 'bad_payload']).toContain(verified.verdict);
    }
    const signed = signDjangoCookie(parsePythonJson('{"a":[1,2,{"b":null}]}'), { secret: { text: 'k' }, timestamp: 1_700_000_000 });
    expect(signed.ok && verifyDjangoDecoded(decodeDjangoCookie(`${signed.value.slice(0, -1)}x`), { secrets: [{ text: 'k' }], now: 1_700_000_000 }).verdict).toBe('bad_signature');
  });
});
