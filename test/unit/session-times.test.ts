import { describe, expect, it } from 'vitest';
import { decodeFlaskCookie, py, signatureTimes, signFlaskCookie, verifyFlaskCookie } from '../../src/core';

const LIFETIME = 3600;

function cookieSignedAt(timestamp: number): string {
  const signed = signFlaskCookie(py.dict([['user', py.str('alice')]]), { secret: { text: 'k' }, timestamp });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.cookie;
}

describe('signatureTimes', () => {
  it('reads the signing time, age and expiry under the lifetime', () => {
    const times = signatureTimes(decodeFlaskCookie(cookieSignedAt(1_700_000_000)), LIFETIME, 1_700_000_100);
    expect(times).toEqual({
      signedAt: 1_700_000_000,
      legacySignedAt: null,
      ageSeconds: 100,
      lifetimeSeconds: LIFETIME,
      expiresAt: 1_700_000_000 + LIFETIME,
      state: 'fresh',
    });
  });

  it('agrees with the verifier on the boundaries (age = lifetime is still valid, one more second is not)', () => {
    const signedAt = 1_700_000_000;
    const cookie = cookieSignedAt(signedAt);
    for (const now of [signedAt - 1, signedAt, signedAt + LIFETIME, signedAt + LIFETIME + 1]) {
      const times = signatureTimes(decodeFlaskCookie(cookie), LIFETIME, now)!;
      const verdict = verifyFlaskCookie(cookie, { secrets: [{ text: 'k' }], maxAge: LIFETIME, now }).verdict;
      const expected = { fresh: 'valid', expired: 'expired', future: 'future_timestamp' }[times.state];
      expect({ now, verdict }).toEqual({ now, verdict: expected });
    }
  });

  it('reports the itsdangerous 0.x reading of a pre-2011 timestamp', () => {
    const times = signatureTimes(decodeFlaskCookie(cookieSignedAt(100_000_000)), LIFETIME, 1_700_000_000)!;
    expect(times.legacySignedAt).toBe(100_000_000 + 1_293_840_000);
    expect(times.state).toBe('expired');
  });

  it('is null without a readable timestamp or past the year 9999', () => {
    expect(signatureTimes(decodeFlaskCookie('not-a-cookie'), LIFETIME, 0)).toBeNull();
    expect(signatureTimes(decodeFlaskCookie('eyJhIjoxfQ.AAAAAAAAAAAAAAAA.c2lnbmF0dXJlc2lnbmF0dXJl'), LIFETIME, 0)).toBeNull();
    expect(signatureTimes(decodeFlaskCookie(cookieSignedAt(253402300800)), LIFETIME, 0)).toBeNull();
  });
});
