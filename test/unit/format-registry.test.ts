/** Every format in the registry has the same shape, and sign → detect → decode → verify agree for each. */
import { describe, expect, it } from 'vitest';
import { FORMATS, analyzeCookie, cookieSessionSignature, detectFormats, formatById, formatTitle, isKnownFormatId, py, readCookie, type KnownFormatId } from '../../src/core';

const KEY = { text: 'registry-test-key' };
const OTHER = { text: 'not-the-key' };
/** What each format signs: adding a format to the registry without a sample here fails to compile. */
const SAMPLES: Record<KnownFormatId, unknown> = {
  flask: py.dict([['user', py.str('alice')]]),
  'flask-session': 'b1946ac9-2492-4d0f-a1c5-58c3f0e9a7d2',
  django: py.dict([['user_id', py.int(42n)]]),
  jwt: py.dict([['sub', py.str('42')]]),
  'express-session': 'r0o_tHxsEHHzJU_PZWkhJLtCiTktm_Dm',
  'cookie-parser': py.dict([['theme', py.str('dark')]]),
  'cookie-session': py.dict([['user', py.str('alice')], ['n', py.int(42n)]]),
  rails: py.dict([['session_id', py.str('0b194dd492db4819f932d37765f50cd5')], ['user_id', py.int(42n)]]),
};

describe.each(FORMATS.map((format) => [format.id, format] as const))('the %s format', (id, format) => {
  const sign = format.sign as (input: unknown, options: { secret: typeof KEY; cookieName: string; iv: Uint8Array }) => ReturnType<typeof format.sign>;
  // Rails needs the name (the message's purpose) and a random IV, given by the caller.
  const signed = sign(SAMPLES[id], { secret: KEY, cookieName: format.defaults.cookieName, iv: new Uint8Array(12).fill(7) });
  if (!signed.ok) throw new Error(signed.error.message);
  const cookie = signed.value;

  it('is found by its id, and names its framework settings', () => {
    expect(formatById(id)).toBe(format);
    expect(isKnownFormatId(id)).toBe(true);
    expect(format.label.length).toBeGreaterThan(0);
    expect(format.terms.secretSetting.length).toBeGreaterThan(0);
    expect(Object.values(format.terms.cookieSettings).every((name) => name.length > 0)).toBe(true);
  });

  it('detects what it signs, decodes it without a key, and verifies it with the key only', () => {
    expect(detectFormats(format.defaults.cookieName, cookie)[0]!.format).toBe(id);
    const reading = readCookie(format.defaults.cookieName, cookie);
    expect(reading.format).toBe(id);
    expect(formatTitle(reading).startsWith(format.label)).toBe(true);
    const name = format.defaults.cookieName;
    // cookie-session's signature travels in a second cookie, name.sig, signed with the key.
    const companion = id === 'cookie-session' ? { cookieName: name, signatureCookie: cookieSessionSignature(name, cookie, KEY) } : {};
    const verdict = (secret: typeof KEY) => {
      const analysis = analyzeCookie(name, cookie, { secrets: [secret], ...companion });
      return analysis.format === 'unknown' ? null : analysis.verification.verdict;
    };
    expect(verdict(KEY)).toBe('valid');
    expect(verdict(OTHER)).toBe('bad_signature');
  });

  it('is total: decode and verify return values on junk', () => {
    for (const junk of ['', '.', 'a.b.c', '\u0000'.repeat(100), 'x'.repeat(70_000)]) {
      expect(() => format.verify(format.decode(junk) as never, { secrets: [KEY] })).not.toThrow();
    }
  });
});

it('ids are unique and unknown ids are refused', () => {
  expect(new Set(FORMATS.map((f) => f.id)).size).toBe(FORMATS.length);
  expect(isKnownFormatId('unknown')).toBe(false);
  expect(isKnownFormatId('laravel')).toBe(false);
});
