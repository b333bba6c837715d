/**
 * The Django format against Django's own signing code (Debian's python3-django 3.2, driven by
 * test/python/django_oracle.py the way the signed_cookies backend calls it) on generated
 * sessions: Django's cookies verify here with their payload and time, ours load in Django, both
 * draw SESSION_COOKIE_AGE at the same second, a wrong key fails in both, and an uncompressed
 * session is signed byte for byte as Django signs it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDjangoCookie, parsePythonJson, signDjangoCookie, verifyDjangoDecoded, writePythonJson } from '../../src/core';
import { pythonFor } from '../support/services';

const ORACLE = join(import.meta.dirname, '..', 'python', 'django_oracle.py');
const AGE = 1_209_600;

function django<T>(requests: object[]): T[] {
  const run = spawnSync(pythonFor('debian'), [ORACLE], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`django_oracle.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T[];
}

const leaf = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 4 }), fc.constant('x'.repeat(600)));
const cases = fc.sample(
  fc.record({
    session: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), value, { maxKeys: 6 }),
    secret: fc.string({ minLength: 1, maxLength: 50 }),
    now: fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
    algorithm: fc.constantFrom<'sha256' | 'sha1'>('sha256', 'sha256', 'sha1'),
  }),
  { numRuns: 120, seed: 20261204 },
);
const jsonOf = (c: (typeof cases)[number]) => JSON.stringify(c.session);

describe('Django signed_cookies sessions vs Django 3.2 (generated sessions)', () => {
  it("uses Django's real signing module", () => {
    expect(django<{ django: string }>([{ op: 'versions' }])[0]!.django).toMatch(/^3\.2\./);
  });

  it("Django's cookies verify here with the same payload and time; a wrong key fails; the age is drawn at the same second", () => {
    const cookies = django<{ cookie: string }>(cases.map((c) => ({ op: 'dumps', payload_json: jsonOf(c), secret: c.secret, now: c.now, algorithm: c.algorithm })));
    cases.forEach((c, i) => {
      const cookie = cookies[i]!.cookie;
      const verify = (secret: string, now: number) => verifyDjangoDecoded(decodeDjangoCookie(cookie), { secrets: [{ text: secret }], digest: c.algorithm, now });
      const ours = verify(c.secret, c.now);
      expect({ cookie, verdict: ours.verdict }).toEqual({ cookie, verdict: 'valid' });
      expect(ours.decoded.signedAt).toBe(c.now);
      expect(JSON.parse(writePythonJson(ours.decoded.payload!.ok ? ours.decoded.payload!.value.value : { type: 'none' }, { sortKeys: false, ensureAscii: false }))).toEqual(JSON.parse(jsonOf(c)));
      expect(verify(`${c.secret}x`, c.now).verdict).toBe('bad_signature');
      expect(verify(c.secret, c.now + AGE).verdict).toBe('valid');
      expect(verify(c.secret, c.now + AGE + 1).verdict).toBe('expired');
    });
  });

  it('our sessions load in Django (at the age limit, not one second past it, not with another key); uncompressed ones are identical', () => {
    const ours = cases.map((c) => {
      const signed = signDjangoCookie(parsePythonJson(jsonOf(c)), { secret: { text: c.secret }, timestamp: c.now, digest: c.algorithm });
      if (!signed.ok) throw new Error(signed.error.message);
      return signed.value;
    });
    const load = (cookie: string, c: (typeof cases)[number], secret: string, now: number) => ({ op: 'loads', cookie, secrets: [secret], now, max_age: AGE, algorithm: c.algorithm });
    const answers = django<{ valid: boolean; payload: unknown; error: string | null }>(
      cases.flatMap((c, i) => [load(ours[i]!, c, c.secret, c.now + AGE), load(ours[i]!, c, c.secret, c.now + AGE + 1), load(ours[i]!, c, `${c.secret}x`, c.now)]),
    );
    const theirs = django<{ cookie: string }>(cases.map((c) => ({ op: 'dumps', payload_json: jsonOf(c), secret: c.secret, now: c.now, algorithm: c.algorithm })));
    let uncompressed = 0;
    cases.forEach((c, i) => {
      const [atLimit, pastLimit, otherKey] = answers.slice(i * 3, i * 3 + 3);
      expect({ cookie: ours[i], valid: atLimit!.valid, error: atLimit!.error }).toEqual({ cookie: ours[i], valid: true, error: null });
      expect(atLimit!.payload).toEqual(JSON.parse(jsonOf(c)));
      expect(pastLimit!.error).toMatch(/^SignatureExpired/);
      expect(otherKey!.error).toMatch(/^BadSignature/);
      // CPython's zlib and ours may write different (equally valid) streams; without compression the cookie is fully determined.
      if (!ours[i]!.startsWith('.') && !theirs[i]!.cookie.startsWith('.')) {
        uncompressed++;
        expect(ours[i]).toBe(theirs[i]!.cookie);
      }
    });
    expect(uncompressed).toBeGreaterThan(20);
  });
});

describe('set_signed_cookie values vs Django 3.2 (generated names, salts and values)', () => {
  const signedCases = fc.sample(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
      salt: fc.oneof(fc.constant(''), fc.string({ maxLength: 12 })),
      value: fc.string({ minLength: 1, maxLength: 40 }),
      secret: fc.string({ minLength: 1, maxLength: 30 }),
    }),
    { numRuns: 60, seed: 20261208 },
  );

  it("Django's signed values read here to their text under their name and salt; under another name, salt or key they fail in both", () => {
    const now = 1_700_000_000;
    const written = django<{ cookie: string }>(signedCases.map((c) => ({ op: 'set_signed_cookie', ...c, now })));
    const theirs = django<{ value: string | null }>(
      signedCases.flatMap((c, i) => [
        { op: 'get_signed_cookie', name: c.name, salt: c.salt, cookie: written[i]!.cookie, secret: c.secret, now },
        { op: 'get_signed_cookie', name: `${c.name}x`, salt: c.salt, cookie: written[i]!.cookie, secret: c.secret, now },
      ]),
    );
    for (const [i, c] of signedCases.entries()) {
      const verify = (name: string, salt: string, secret: string) =>
        verifyDjangoDecoded(decodeDjangoCookie(written[i]!.cookie), { secrets: [{ text: secret }], salt, cookieName: name, now });
      expect(theirs[2 * i]!.value, `case ${i}`).toBe(c.value);
      const ours = verify(c.name, c.salt, c.secret);
      expect(ours.verdict, `case ${i}`).toBe('valid');
      expect(ours.decoded.payload?.ok && ours.decoded.payload.value.value).toEqual({ type: 'str', value: c.value });
      expect(theirs[2 * i + 1]!.value).toBeNull();
      expect(verify(`${c.name}x`, c.salt, c.secret).verdict).toBe('bad_signature');
      expect(verify(c.name, `${c.salt}!`, c.secret).verdict).toBe('bad_signature');
      expect(verify(c.name, c.salt, `${c.secret}!`).verdict).toBe('bad_signature');
    }
  });
});

describe('PickleSerializer sessions vs Django 3.2 (read as data, never executed)', () => {
  it('generated sessions pickled by Django read here to the same data; objects become the calls that would make them', () => {
    const picked = cases.slice(0, 40);
    const written = django<{ cookie: string }>(picked.map((c, i) => ({ op: 'dumps_pickle', payload_json: jsonOf(c), objects: i % 4 === 0, secret: c.secret, algorithm: c.algorithm, now: c.now })));
    for (const [i, c] of picked.entries()) {
      const verified = verifyDjangoDecoded(decodeDjangoCookie(written[i]!.cookie), { secrets: [{ text: c.secret }], digest: c.algorithm, now: c.now });
      expect(verified.verdict, `case ${i}`).toBe('valid');
      const payload = verified.decoded.payload;
      expect(payload?.ok && payload.value.pickled).toBe(true);
      if (!payload?.ok) continue;
      const session = payload.value.value;
      if (i % 4 !== 0) {
        expect(JSON.parse(writePythonJson(session, { sortKeys: false, ensureAscii: false }))).toEqual(JSON.parse(jsonOf(c)));
        continue;
      }
      expect(session.type === 'dict' && session.entries.get('t')).toEqual({ type: 'tuple', items: [{ type: 'int', value: 1n }, { type: 'str', value: 'a' }] });
      expect(session.type === 'dict' && session.entries.get('b')).toEqual({ type: 'bytes', value: new Uint8Array([0, 255]) });
      expect(session.type === 'dict' && session.entries.get('when')).toMatchObject({ type: 'str', value: expect.stringMatching(/^<datetime\.datetime\(b'/) });
    }
  });
});
