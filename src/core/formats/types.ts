import type { DigestName, KeyDerivation, SecretInput } from '../codec/crypto';
import type { ErrorInfo } from '../errors';
import type { SignatureStatus } from '../codec/itsdangerous';
import type { PyValue } from '../python/pyvalue';

/** How a framework writes session values: Python's repr (Flask) or JSON (JWT). */
export type Notation = 'python' | 'json';

/** Every format module has the same shape: detect → decode → verify → sign (`SessionFormat`). */

export type Confidence = 'high' | 'medium' | 'low';

/** `F`: the format's id (the registry's `FormatId` once detections of every format are mixed). */
export interface Detection<F extends string = string> {
  format: F;
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

/** What every format's verify is given; each takes what applies to it, its own defaults for the rest. */
export interface VerifyInput {
  /** The signing key first, then the older keys still accepted (in the framework's rotation order). */
  secrets: readonly SecretInput[];
  salt?: string;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
  /** Maximum age in seconds where the format has one; null: no age check; absent: the framework's default (Django's SESSION_COOKIE_AGE), else none. */
  maxAge?: number | null;
  /** Current time in Unix seconds; defaults to the system clock. */
  now?: number;
  /** The cookie's name, where the MAC covers it (cookie-session signs `name=value`). */
  cookieName?: string;
  /** The `<name>.sig` cookie that came with it (cookie-session); null or absent: none came. */
  signatureCookie?: string | null;
}

/** The framework's own words for what the panel, the CLI and the diagnostics talk about. */
export interface FrameworkTerms {
  framework: string;
  /** The setting that holds the signing key, and the one for older keys (null: none). */
  secretSetting: string;
  fallbackSetting: string | null;
  /** The setting for the session's lifetime (null: none). */
  lifetimeSetting: string | null;
  /** The settings for the cookie's attributes. */
  cookieSettings: { name: string; secure: string; httpOnly: string; sameSite: string; domain: string; path: string };
}

/**
 * One session format: how to tell it apart (detect), read it without a secret (decode), check it
 * with the user's keys (verify), and make one (sign). `describe` names what varies within the
 * format (e.g. "zlib-compressed", "signed"). Pure and total: every function returns values, never throws.
 */
export interface SessionFormat<Id extends string, Decoded, Verification extends VerificationBase, SignInput, SignOptions> {
  id: Id;
  /** E.g. "Flask signed cookie". */
  label: string;
  terms: FrameworkTerms;
  /** The framework's defaults: cookie name and signer settings. */
  defaults: { cookieName: string; salt: string; digest: DigestName; keyDerivation: KeyDerivation };
  detect(name: string, value: string): Detection<Id> | null;
  decode(value: string): Decoded;
  verify(decoded: Decoded, input: VerifyInput): Verification;
  sign(input: SignInput, options: SignOptions): Result<string>;
  describe(decoded: Decoded): string | null;
  /** The session data the cookie itself carries, or null (an id of a server-side session, or unreadable). */
  payload(decoded: Decoded): PyValue | null;
  /** Top-level keys the framework rewrites by itself when it re-issues a cookie (a JWT's iat, exp): a change to them alone is a refresh. */
  reissueKeys: readonly string[];
  notation: Notation;
}
