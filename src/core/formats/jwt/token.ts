import { b64urlDecodeStrict, b64urlEncode, utf8DecodeStrict, utf8Encode } from '../../codec/bytes';
import { hmacDigest, secretBytes, type DigestName, type SecretInput } from '../../codec/crypto';
import { SessionLensError, toErrorInfo, type ErrorInfo } from '../../errors';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import type { PyValue } from '../../python/pyvalue';
import { MAX_COOKIE_VALUE_LENGTH, unquoteCookieValue } from '../flask/cookie';
import type { Detection, Result, Verdict, VerificationBase, VerifyInput } from '../types';
import { verificationOf } from '../verification';

/**
 * A JWT as a session cookie (RFC 7519, SPEC §8 and §11.6): header.payload.signature, each
 * unpadded base64url. HS256/384/512 are verified and signed; `none` and the asymmetric
 * algorithms are read and reported, never verified. Where the libraries disagree this follows
 * jsonwebtoken (Express's usual choice): a signature must be canonical base64url, a future `iat`
 * is accepted, `now ≥ exp` is expired and `nbf > now` not yet valid.
 */

export const JWT_DEFAULTS = { cookieName: 'token', algorithm: 'HS256' as HmacAlgorithm };

export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
export const JWT_HMAC_DIGESTS: Readonly<Record<string, DigestName>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const HMAC_DIGESTS = JWT_HMAC_DIGESTS as Record<HmacAlgorithm, DigestName>;
const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^ES256K$|^EdDSA$/;

export interface JwtClaims {
  /** NumericDate seconds, or null when absent; `invalid` lists claims present but not numbers. */
  exp: number | null;
  nbf: number | null;
  iat: number | null;
  invalid: string[];
}

export interface JwtDecoded {
  format: 'jwt';
  cookie: string;
  /** The three segments, or null when the value is not three dot-separated parts. */
  segments: { header: string; payload: string; signature: string } | null;
  header: PyValue | null;
  /** The header's `alg`, as written. */
  alg: string | null;
  payload: PyValue | null;
  claims: JwtClaims;
  /** Why the token cannot be read, or null. */
  error: ErrorInfo | null;
}

export interface JwtVerification extends VerificationBase {
  format: 'jwt';
  decoded: JwtDecoded;
}

const NO_CLAIMS: JwtClaims = { exp: null, nbf: null, iat: null, invalid: [] };

/** One segment as a JSON object (the header and the claims set must both be objects). */
function jsonObject(segment: string, what: string): PyValue {
  const bytes = b64urlDecodeStrict(segment);
  if (!bytes) throw new SessionLensError('ERR_BASE64', `the ${what} is not unpadded base64url`);
  let text: string;
  try {
    text = utf8DecodeStrict(bytes);
  } catch {
    throw new SessionLensError('ERR_UTF8', `the ${what} is not UTF-8`);
  }
  let value: PyValue;
  try {
    value = parsePythonJsonDocument(text).value;
  } catch (error) {
    throw new SessionLensError('ERR_JSON', `the ${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value.type !== 'dict') throw new SessionLensError('ERR_JSON', `the ${what} is JSON but not an object`);
  return value;
}

function claimsOf(payload: PyValue): JwtClaims {
  const claims: JwtClaims = { exp: null, nbf: null, iat: null, invalid: [] };
  if (payload.type !== 'dict') return claims;
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const v = payload.entries.get(name);
    if (v === undefined) continue;
    if (v.type === 'int') claims[name] = Number(v.value);
    else if (v.type === 'float' && Number.isFinite(v.value)) claims[name] = v.value;
    else claims.invalid.push(name);
  }
  return claims;
}

/** Reads a token without a secret. Never throws. */
export function decodeJwt(value: string): JwtDecoded {
  const cookie = unquoteCookieValue(value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value);
  const decoded: JwtDecoded = { format: 'jwt', cookie, segments: null, header: null, alg: null, payload: null, claims: NO_CLAIMS, error: null };
  const parts = cookie.split('.');
  if (parts.length !== 3) {
    decoded.error = { code: 'ERR_COOKIE_STRUCTURE', message: `a JWT has three dot-separated parts, this has ${parts.length}` };
    return decoded;
  }
  const [header, payload, signature] = parts as [string, string, string];
  decoded.segments = { header, payload, signature };
  try {
    decoded.header = jsonObject(header, 'header');
    const alg = decoded.header.type === 'dict' ? decoded.header.entries.get('alg') : undefined;
    decoded.alg = alg?.type === 'str' ? alg.value : null;
    decoded.payload = jsonObject(payload, 'payload');
    decoded.claims = claimsOf(decoded.payload);
  } catch (error) {
    decoded.error = toErrorInfo(error, 'ERR_PAYLOAD_INVALID');
  }
  return decoded;
}

function isHmacAlgorithm(alg: string | null): alg is HmacAlgorithm {
  return alg !== null && Object.hasOwn(HMAC_DIGESTS, alg);
}

function macOf(alg: HmacAlgorithm, secret: SecretInput | Uint8Array, signingInput: string): string {
  return b64urlEncode(hmacDigest(HMAC_DIGESTS[alg], secretBytes(secret), utf8Encode(signingInput)));
}

/** Verifies as jsonwebtoken's `verify(token, secret)` does, trying each secret in order. Never throws. */
export function verifyJwtDecoded(decoded: JwtDecoded, input: VerifyInput): JwtVerification {
  const { notes, result } = verificationOf('jwt', decoded);
  if (decoded.cookie === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  if (decoded.error || !decoded.segments) return result('malformed', 'not_checked', null, decoded.error);
  const { alg } = decoded;
  if (alg !== null && alg.toLowerCase() === 'none') {
    notes.push('alg "none": the token is unsigned; jsonwebtoken and PyJWT both reject it whenever a secret is used');
    return input.secrets.length === 0
      ? result('unverified', 'not_checked', null, { code: 'ERR_JWT_ALG_NONE', message: 'alg "none": an unsigned token' })
      : result('bad_signature', 'invalid', null, { code: 'ERR_JWT_ALG_NONE', message: 'alg "none" is never accepted with a secret' });
  }
  if (!isHmacAlgorithm(alg)) {
    const kind = alg !== null && ASYMMETRIC.test(alg) ? 'an asymmetric algorithm: verifying it needs the public key, which is not supported here' : 'not a JWT algorithm this tool knows';
    return result('unverified', 'not_checked', null, { code: 'ERR_JWT_ALG_UNSUPPORTED', message: `alg ${JSON.stringify(alg)} is ${kind}` });
  }
  if (decoded.claims.invalid.length > 0) {
    return result('bad_payload', 'not_checked', null, { code: 'ERR_JWT_CLAIM', message: `${decoded.claims.invalid.join(', ')} must be a NumericDate (seconds)` });
  }
  if (input.secrets.length === 0) return timeVerdict(decoded, input, notes, result('unverified', 'not_checked', null, null));
  const signingInput = `${decoded.segments.header}.${decoded.segments.payload}`;
  try {
    for (let i = 0; i < input.secrets.length; i++) {
      if (macOf(alg, input.secrets[i]!, signingInput) === decoded.segments.signature) {
        return timeVerdict(decoded, input, notes, result('valid', 'valid', i, null));
      }
    }
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
  return result('bad_signature', 'invalid', null, {
    code: 'ERR_SIGNATURE_MISMATCH',
    message: `${alg} signature does not match ${input.secrets.length === 1 ? 'the secret' : `any of the ${input.secrets.length} secrets`}`,
  });
}

/** What exp and nbf say at `now`, as jsonwebtoken and PyJWT agree: `now ≥ exp` is expired, `nbf > now` not yet valid. */
function claimsVerdictAt({ exp, nbf }: JwtClaims, now: number): 'expired' | 'future_timestamp' | null {
  if (exp !== null && now >= exp) return 'expired';
  if (nbf !== null && nbf > now) return 'future_timestamp';
  return null;
}

/** exp / nbf (and maxAge against iat) on top of a valid or unverified signature. */
function timeVerdict(decoded: JwtDecoded, input: VerifyInput, notes: string[], ok: JwtVerification): JwtVerification {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const { exp, nbf, iat } = decoded.claims;
  const claimed = claimsVerdictAt(decoded.claims, now);
  if (claimed === 'expired') return { ...ok, verdict: claimed, reason: { code: 'ERR_JWT_EXPIRED', message: `expired: exp is ${exp}, now is ${now}` } };
  if (claimed === 'future_timestamp') return { ...ok, verdict: claimed, reason: { code: 'ERR_JWT_NOT_YET_VALID', message: `not valid before ${nbf} (nbf), now is ${now}` } };
  if (input.maxAge != null && iat !== null && now - iat > input.maxAge) {
    return { ...ok, verdict: 'expired', reason: { code: 'ERR_JWT_EXPIRED', message: `issued ${now - iat} s ago (iat), longer than the maximum age of ${input.maxAge} s` } };
  }
  if (iat !== null && iat > now) notes.push('iat is in the future: jsonwebtoken accepts that, PyJWT rejects it (ImmatureSignatureError)');
  return ok;
}

/**
 * The verdict at another moment than the one it was verified at (a Timeline request's time): exp
 * and nbf are judged again against `now`; a signature verdict stays what it was.
 */
export function jwtVerdictAt(verification: JwtVerification, now: number): Verdict {
  const { verdict, signature, decoded } = verification;
  if (verdict !== 'valid' && verdict !== 'unverified' && verdict !== 'expired' && verdict !== 'future_timestamp') return verdict;
  if (verdict === 'unverified' && verification.reason) return verdict; // alg none, asymmetric: no time verdict was reached
  return claimsVerdictAt(decoded.claims, now) ?? (signature === 'valid' ? 'valid' : 'unverified');
}

export interface JwtSignOptions {
  secret: SecretInput;
  algorithm?: HmacAlgorithm;
}

/** A token for `payload` (a JSON object) as jsonwebtoken writes one: header {"alg","typ":"JWT"}, key order kept. */
export function signJwt(payload: PyValue, options: JwtSignOptions): Result<string> {
  try {
    if (payload.type !== 'dict') throw new SessionLensError('ERR_PAYLOAD_INVALID', 'a JWT payload must be a JSON object');
    const alg = options.algorithm ?? JWT_DEFAULTS.algorithm;
    const segment = (text: string) => b64urlEncode(utf8Encode(text));
    const signingInput = `${segment(`{"alg":"${alg}","typ":"JWT"}`)}.${segment(writePythonJson(payload, { sortKeys: false, ensureAscii: false }))}`;
    return { ok: true, value: `${signingInput}.${macOf(alg, options.secret, signingInput)}` };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

/** The value's shape, nothing decoded (what the CLI's cookie picker compares). */
export const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** A JWT: three base64url parts whose first is a JSON object with an `alg`. */
export function detectJwt(name: string, value: string): Detection<'jwt'> | null {
  const cookie = unquoteCookieValue(value);
  if (!JWT_SHAPE.test(cookie)) return null;
  const decoded = decodeJwt(cookie);
  if (decoded.header === null || decoded.alg === null) return null;
  const reasons = [`a JWT (alg ${decoded.alg})`];
  if (decoded.payload !== null) reasons.push('JSON claims set');
  return { format: 'jwt', confidence: decoded.payload !== null ? 'high' : 'medium', reasons };
}
