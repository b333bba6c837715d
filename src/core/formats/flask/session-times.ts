import type { FlaskDecoded } from './cookie';
import { MAX_DATETIME_UNIX } from '../../python/pydate';

/**
 * When a Flask session cookie was signed and how Flask's age check
 * (`max_age = PERMANENT_SESSION_LIFETIME`, applied to every session cookie)
 * judges it at a given moment. Needs no secret: the timestamp is readable.
 */
export interface SignatureTimes {
  /** Signing time, Unix seconds as current itsdangerous reads it. */
  signedAt: number;
  /** The same value read from itsdangerous 0.x's 2011 epoch, when it predates 2011. */
  legacySignedAt: number | null;
  /** now − signedAt (negative: signed in the future). */
  ageSeconds: number;
  lifetimeSeconds: number;
  /** signedAt + lifetime: after this the server rejects the cookie as expired. */
  expiresAt: number;
  /**
   * `fresh` within the lifetime; `expired` older than it (itsdangerous: age > max_age);
   * `future` signed after `now` (itsdangerous ≥ 2.0 rejects it).
   */
  state: 'fresh' | 'expired' | 'future';
}

/** Null when the cookie has no readable timestamp, or one past the year 9999 (Python cannot represent it). */
export function signatureTimes(decoded: FlaskDecoded, lifetimeSeconds: number, nowSeconds: number): SignatureTimes | null {
  const ts = decoded.timestamp;
  if (!ts?.ok || ts.value.seconds > BigInt(MAX_DATETIME_UNIX)) return null;
  const signedAt = Number(ts.value.seconds);
  const ageSeconds = nowSeconds - signedAt;
  return {
    signedAt,
    legacySignedAt: ts.value.legacySeconds === null ? null : Number(ts.value.legacySeconds),
    ageSeconds,
    lifetimeSeconds,
    expiresAt: signedAt + lifetimeSeconds,
    state: ageSeconds > lifetimeSeconds ? 'expired' : ageSeconds < 0 ? 'future' : 'fresh',
  };
}
