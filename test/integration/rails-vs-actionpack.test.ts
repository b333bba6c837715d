/**
 * The Rails format against Rails' own cookie jar (Debian's ActionPack 6.1, driven by
 * test/ruby/rails_oracle.rb through Rack::MockRequest) on generated values: the cookies Rails
 * writes (encrypted with AES-256-GCM, legacy AES-256-CBC, signed; key digests of 6.1 and 7.x) are
 * read here to the value Rails wrote, the ones signed here are read by Rails to the same value,
 * and a changed byte, another secret, another cookie name or a past `exp` fail in both.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeCookie, parsePythonJson, parseSetCookie, signRailsCookie, writePythonJson, type CookieAnalysis, type RailsVersion } from '../../src/core';
import { RAILS_KEY_DIGEST } from '../../src/core';

const ORACLE = join(import.meta.dirname, '..', 'ruby', 'rails_oracle.rb');

function rails<T>(requests: object[]): T[] {
  const run = spawnSync('ruby', [ORACLE], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`rails_oracle.rb failed: ${run.stderr}`);
  const answers = JSON.parse(run.stdout) as (T & { error?: string })[];
  for (const a of answers) if (a.error) throw new Error(`rails_oracle.rb: ${a.error}`);
  return answers;
}

const SKB = 'b'.repeat(64) + 'rails-oracle-secret-key-base';
const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => !Object.is(v, -0) && JSON.stringify(v).length < 600);
const cases = fc.sample(
  fc.record({
    value: fc.oneof(jsonValue, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), jsonValue, { maxKeys: 5 })),
    jar: fc.constantFrom('encrypted' as const, 'signed' as const),
    version: fc.constantFrom<RailsVersion>('6.1', '7.0', '7.1'),
    legacy: fc.boolean(),
    name: fc.constantFrom('_demo_session', 'remember_token', 'prefs'),
  }),
  { numRuns: 60, seed: 20261207 },
);
const settings = (c: (typeof cases)[number]) => ({ skb: SKB, version: c.version, legacy: c.jar === 'encrypted' && c.legacy, jar: c.jar, name: c.name });
const payload = (a: CookieAnalysis) =>
  a.format === 'rails' && a.verification.decoded.message?.ok && a.verification.decoded.message.value.value ? JSON.parse(writePythonJson(a.verification.decoded.message.value.value, { sortKeys: false, ensureAscii: false })) : undefined;
const verdictOf = (a: CookieAnalysis) => (a.format === 'unknown' ? 'unknown' : a.verification.verdict);

describe('Rails cookies vs ActionPack (generated values)', () => {
  it('uses the real ActionPack', () => {
    expect(rails<{ actionpack: string }>([{ op: 'versions' }])[0]!.actionpack).toMatch(/^6\.1\./);
  });

  it("Rails' cookies are read here to the value it wrote, with its key digest found by itself; another secret or name fails", () => {
    const written = rails<{ set_cookie: string }>(cases.map((c) => ({ op: 'write', value_json: JSON.stringify(c.value), expires: null, ...settings(c) })));
    for (const [i, c] of cases.entries()) {
      const cookie = parseSetCookie(written[i]!.set_cookie)!;
      const ours = analyzeCookie(c.name, cookie.value, { secrets: [{ text: SKB }], cookieName: c.name, format: 'rails' });
      expect(verdictOf(ours), `case ${i}`).toBe('valid');
      expect(payload(ours)).toEqual(c.value);
      expect(ours.format === 'rails' && ours.verification.decoded.kind).toBe(c.jar === 'signed' ? 'signed' : c.legacy ? 'encrypted-cbc' : 'encrypted');
      expect(ours.format === 'rails' && ours.verification.decoded.keyDigest).toBe(RAILS_KEY_DIGEST[c.version]);
      expect(verdictOf(analyzeCookie(c.name, cookie.value, { secrets: [{ text: `${SKB}!` }], cookieName: c.name, format: 'rails' }))).toBe('bad_signature');
      expect(verdictOf(analyzeCookie('other', cookie.value, { secrets: [{ text: SKB }], cookieName: 'other', format: 'rails' }))).toBe('bad_signature');
    }
  });

  it('what we sign (GCM and signed) Rails reads to the same value; changed bytes and other names it reads as absent, and so do we', () => {
    const ours = cases.filter((c) => !c.legacy || c.jar === 'signed').map((c, i) => {
      const signed = signRailsCookie(parsePythonJson(JSON.stringify(c.value)), {
        secret: { text: SKB },
        cookieName: c.name,
        digest: RAILS_KEY_DIGEST[c.version],
        kind: c.jar,
        iv: new Uint8Array(12).map((_, j) => (i * 31 + j) & 0xff),
      });
      if (!signed.ok) throw new Error(signed.error.message);
      // One changed character in the middle of the first part (ciphertext or data).
      const at = Math.floor(signed.value.indexOf('--') / 2);
      const flipped = `${signed.value.slice(0, at)}${signed.value[at] === 'A' ? 'B' : 'A'}${signed.value.slice(at + 1)}`;
      return { c, value: signed.value, flipped };
    });
    const read = rails<{ value_json: string | null }>(
      ours.flatMap(({ c, value, flipped }) => [
        { op: 'read', cookie: value, ...settings(c), legacy: false },
        { op: 'read', cookie: flipped, ...settings(c), legacy: false },
        { op: 'read', cookie: value, ...settings(c), legacy: false, name: `${c.name}_renamed` },
      ]),
    );
    for (const [i, { c, value, flipped }] of ours.entries()) {
      expect(JSON.parse(read[3 * i]!.value_json!), `case ${i}`).toEqual(c.value);
      const check = (cookie: string, name: string = c.name) => verdictOf(analyzeCookie(name, cookie, { secrets: [{ text: SKB }], cookieName: name, format: 'rails' }));
      expect(check(value)).toBe('valid');
      expect(read[3 * i + 1]!.value_json).toBeNull();
      expect(check(flipped)).not.toBe('valid');
      expect(read[3 * i + 2]!.value_json).toBeNull();
      expect(check(value, `${c.name}_renamed`)).toBe('bad_signature');
    }
  });

  it('a cookie written with an exp in the past is absent for Rails and expired here', () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const c = { skb: SKB, version: '7.1', legacy: false, jar: 'encrypted', name: 'remember_token' };
    const [written] = rails<{ set_cookie: string }>([{ op: 'write', value_json: '"alice-token"', expires: past, ...c }]);
    const cookie = parseSetCookie(written!.set_cookie)!;
    const [read] = rails<{ value_json: string | null }>([{ op: 'read', cookie: cookie.value, ...c }]);
    expect(read!.value_json).toBeNull();
    expect(verdictOf(analyzeCookie(c.name, cookie.value, { secrets: [{ text: SKB }], cookieName: c.name }))).toBe('expired');
  });
});
