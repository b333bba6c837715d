/**
 * The JWT format against the real PyJWT (Debian's python3-jwt 2.6) on generated tokens: PyJWT's
 * tokens verify here with their payload intact, ours verify in PyJWT, a wrong secret fails in
 * both, and both agree on exp at and around the boundary. Where they disagree by design (a future
 * iat, non-canonical signatures) the unit tests say which side this follows.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJwt, parsePythonJson, signJwt, verifyJwtDecoded, writePythonJson, type HmacAlgorithm } from '../../src/core';
import { pythonFor } from '../support/services';

const ORACLE = join(import.meta.dirname, '..', 'python', 'jwt_oracle.py');

function pyjwt<T>(requests: object[]): T[] {
  const run = spawnSync(pythonFor('debian'), [ORACLE], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`jwt_oracle.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T[];
}

const claimValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer({ min: -1e9, max: 1e9 }), fc.boolean(), fc.constant(null), fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 }));
const payload = fc.record({
  claims: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['exp', 'nbf', 'iat'].includes(k)), claimValue, { maxKeys: 6 }),
  exp: fc.option(fc.integer({ min: 1_000_000, max: 3_000_000 }), { nil: undefined }),
});
const cases = fc.sample(
  fc.record({ payload, secret: fc.string({ minLength: 1, maxLength: 40 }), alg: fc.constantFrom<HmacAlgorithm>('HS256', 'HS384', 'HS512'), now: fc.integer({ min: 1_000_000, max: 3_000_000 }) }),
  { numRuns: 150, seed: 20261203 },
);
const jsonOf = (c: (typeof cases)[number]) => JSON.stringify(c.payload.exp === undefined ? c.payload.claims : { ...c.payload.claims, exp: c.payload.exp });

describe('JWT vs PyJWT 2.6 (generated tokens)', () => {
  it('uses the real PyJWT', () => {
    expect(pyjwt<{ pyjwt: string }>([{ op: 'versions' }])[0]!.pyjwt).toMatch(/^2\./);
  });

  it("PyJWT's tokens verify here with the same payload and the same expiry verdict; a wrong secret fails", () => {
    const tokens = pyjwt<{ token: string }>(cases.map((c) => ({ op: 'sign', payload_json: jsonOf(c), secret: c.secret, alg: c.alg })));
    const theirs = pyjwt<{ valid: boolean; error: string | null }>(cases.map((c, i) => ({ op: 'verify', token: tokens[i]!.token, secret: c.secret, now: c.now })));
    cases.forEach((c, i) => {
      const token = tokens[i]!.token;
      const ours = verifyJwtDecoded(decodeJwt(token), { secrets: [{ text: c.secret }], now: c.now });
      expect({ token, valid: ours.verdict === 'valid' }).toEqual({ token, valid: theirs[i]!.valid });
      expect(JSON.parse(writePythonJson(ours.decoded.payload!, { sortKeys: false, ensureAscii: false }))).toEqual(JSON.parse(jsonOf(c)));
      expect(verifyJwtDecoded(decodeJwt(token), { secrets: [{ text: `${c.secret}x` }], now: c.now }).verdict).toBe('bad_signature');
    });
  });

  it('our tokens verify in PyJWT (at exp − 1 and exp), and not with a wrong secret', () => {
    const signed = cases.map((c) => {
      const s = signJwt(parsePythonJson(jsonOf(c)), { secret: { text: c.secret }, algorithm: c.alg });
      if (!s.ok) throw new Error(s.error.message);
      return s.value;
    });
    const requests = cases.flatMap((c, i) => {
      const now = c.payload.exp === undefined ? c.now : c.payload.exp - 1;
      return [
        { op: 'verify', token: signed[i], secret: c.secret, now },
        { op: 'verify', token: signed[i], secret: c.secret, now: c.payload.exp ?? c.now },
        { op: 'verify', token: signed[i], secret: `${c.secret}x`, now },
      ];
    });
    const answers = pyjwt<{ valid: boolean; error: string | null }>(requests);
    cases.forEach((c, i) => {
      const [before, atExp, wrong] = answers.slice(i * 3, i * 3 + 3);
      expect({ token: signed[i], before: before!.valid, atExp: atExp!.valid, wrong: wrong!.valid }).toEqual({ token: signed[i], before: true, atExp: c.payload.exp === undefined, wrong: false });
      const ours = verifyJwtDecoded(decodeJwt(signed[i]!), { secrets: [{ text: c.secret }], now: c.payload.exp ?? c.now });
      expect(ours.verdict).toBe(c.payload.exp === undefined ? 'valid' : 'expired');
    });
  });
});
