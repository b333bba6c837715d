import type { ErrorInfo } from '../errors';
import type { SignatureStatus } from '../codec/itsdangerous';

/** Every format module has the same shape: detect → decode → verify → sign. */

export type FormatId = 'flask' | 'flask-session' | 'unknown';

export type Confidence = 'high' | 'medium' | 'low';

export interface Detection {
  format: FormatId;
  confidence: Confidence;
  /** Human-readable reasons, e.g. "three dot-separated base64url segments". */
  reasons: string[];
}

/**
 * The outcome of verifying a cookie, named after what the server does with it:
 * - valid: accepted;
 * - bad_signature: the server silently starts an empty session;
 * - expired / future_timestamp: the signature is fine but the age check fails;
 * - bad_payload: signed correctly, yet the payload cannot be decoded (Flask answers HTTP 500);
 * - malformed: not a cookie this format can read at all;
 * - too_large: the payload would cost too much to decode (amplifying tags), so it was refused;
 *   what the server does is unknown (Flask itself spends seconds and gigabytes on such cookies);
 * - unverified: decoded without a secret.
 */
export type Verdict = 'valid' | 'bad_signature' | 'expired' | 'future_timestamp' | 'bad_payload' | 'malformed' | 'too_large' | 'unverified';

export type SignatureResult = SignatureStatus | 'not_checked';

export interface VerificationBase {
  signature: SignatureResult;
  verdict: Verdict;
  /** Index of the matching secret in the list the caller gave, or null. */
  matchedSecretIndex: number | null;
  /** Why the verdict is not `valid` / `unverified`, when there is something specific to say. */
  reason: ErrorInfo | null;
  /** Observations that do not change the verdict (e.g. "Flask-Session ignores fallback keys"). */
  notes: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
