import { b64urlEncode, toHex } from '../../codec/bytes';
import { DIGEST_SIZE, type DigestName, type KeyDerivation, type SecretInput } from '../../codec/crypto';
import { toErrorInfo } from '../../errors';
import { checkSignature, prepareKeys, signatureFor, type SignerParams } from '../../codec/itsdangerous';
import { unquoteCookieValue, MAX_COOKIE_VALUE_LENGTH } from '../flask/cookie';
import type { Detection, Result, VerificationBase } from '../types';
import { verificationOf } from '../verification';

/**
 * Flask-Session (server-side sessions, SPEC §3): the cookie holds only a
 * session id, optionally signed with itsdangerous' plain Signer.
 */

export const FLASK_SESSION_DEFAULTS = {
  cookieName: 'session',
  salt: 'flask-session',
  digest: 'sha1' as DigestName,
  keyDerivation: 'hmac' as KeyDerivation,
};

/** uuid4 ids (Flask-Session ≤ 0.5) or `secrets.token_urlsafe(32)` ids (≥ 0.6), or something else. */
export type SessionIdKind = 'uuid4' | 'token_urlsafe_32' | 'other';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOKEN_43 = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE_SHA1 = /^[A-Za-z0-9_-]{27}$/;

export interface FlaskSessionOptions {
  salt?: string | Uint8Array;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
}

export interface FlaskSessionVerifyOptions extends FlaskSessionOptions {
  /** SECRET_KEY first; Flask-Session itself never uses fallbacks. */
  secrets: readonly SecretInput[];
}

export interface FlaskSessionDecoded {
  format: 'flask-session';
  cookie: string;
  /** The session id (the store key without its prefix). */
  sid: string;
  sidKind: SessionIdKind;
  /** Signature segment when the id looks signed (`sid.signature`), else null. */
  signature: string | null;
  /** The Flask-Session versions that issue this id shape. */
  issuedBy: string;
}

export interface FlaskSessionVerification extends VerificationBase {
  format: 'flask-session';
  decoded: FlaskSessionDecoded;
}

export function sessionIdKind(sid: string): SessionIdKind {
  if (UUID4.test(sid)) return 'uuid4';
  if (TOKEN_43.test(sid)) return 'token_urlsafe_32';
  return 'other';
}

const ISSUED_BY: Record<SessionIdKind, string> = {
  uuid4: 'Flask-Session 0.2 – 0.5 (uuid4 ids)',
  token_urlsafe_32: 'Flask-Session ≥ 0.6 (43-character token ids)',
  other: 'unknown (a custom SESSION_ID_LENGTH or another library)',
};

/** Splits `sid[.signature]`. An id is taken as signed when the part after the last dot looks like a signature. */
export function decodeFlaskSessionId(value: string): FlaskSessionDecoded {
  const cookie = unquoteCookieValue(value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value);
  const dot = cookie.lastIndexOf('.');
  const signed = dot > 0 && /^[A-Za-z0-9_-]{16,}$/.test(cookie.slice(dot + 1));
  const sid = signed ? cookie.slice(0, dot) : cookie;
  const sidKind = sessionIdKind(sid);
  return { format: 'flask-session', cookie, sid, sidKind, signature: signed ? cookie.slice(dot + 1) : null, issuedBy: ISSUED_BY[sidKind] };
}

function signerParams(options: FlaskSessionOptions): SignerParams {
  return {
    salt: options.salt ?? FLASK_SESSION_DEFAULTS.salt,
    digest: options.digest ?? FLASK_SESSION_DEFAULTS.digest,
    keyDerivation: options.keyDerivation ?? FLASK_SESSION_DEFAULTS.keyDerivation,
  };
}

/** Verifies a signed session id as `Signer(SECRET_KEY, salt='flask-session').unsign` does. Never throws. */
export function verifyFlaskSessionId(value: string, options: FlaskSessionVerifyOptions): FlaskSessionVerification {
  return verifyFlaskSessionDecoded(decodeFlaskSessionId(value), options);
}

/** `verifyFlaskSessionId` on an id already decoded. */
export function verifyFlaskSessionDecoded(decoded: FlaskSessionDecoded, options: FlaskSessionVerifyOptions): FlaskSessionVerification {
  const { notes, result } = verificationOf('flask-session', decoded);
  if (decoded.cookie === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  if (decoded.signature === null) {
    notes.push('the id is not signed (SESSION_USE_SIGNER is off): the store lookup is the only check, so there is nothing to verify');
    return result('unverified', 'not_checked', null, null);
  }
  if (options.secrets.length === 0) {
    return result('unverified', 'not_checked', null, { code: 'ERR_NO_SECRET', message: 'no secret given: the id is signed but was not verified' });
  }
  try {
    const params = signerParams(options);
    const check = checkSignature(decoded.sid, decoded.signature, prepareKeys(options.secrets, params));
    if (check.status === 'invalid') {
      const expected = Math.ceil((DIGEST_SIZE[params.digest] * 4) / 3);
      const lengthHint = decoded.signature.length !== expected ? ` (${decoded.signature.length} characters; ${params.digest} gives ${expected})` : '';
      return result('bad_signature', 'invalid', null, {
        code: 'ERR_SIGNATURE_MISMATCH',
        message: `signature does not match ${options.secrets.length === 1 ? 'the secret' : `any of the ${options.secrets.length} secrets`}${lengthHint}`,
      });
    }
    if (check.matchedIndex !== null && check.matchedIndex > 0) {
      notes.push('only a fallback key matches, but Flask-Session verifies with SECRET_KEY alone: the server rejects this id and starts a new session');
    }
    return result('valid', check.status, check.matchedIndex, null);
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
}

/** `sid.signature` as Flask-Session writes it with SESSION_USE_SIGNER. */
export function signFlaskSessionId(sid: string, options: FlaskSessionOptions & { secret: SecretInput }): Result<string> {
  try {
    const [key] = prepareKeys([options.secret], signerParams(options));
    return { ok: true, value: `${sid}.${signatureFor(sid, key!)}` };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_SECRET_INVALID') };
  }
}

/**
 * A fresh id of the shape the app issues, from 32 random bytes (the caller's CSPRNG): a uuid4
 * (Flask-Session ≤ 0.5) or `secrets.token_urlsafe(32)` (≥ 0.6; also for any other shape, since
 * the store takes any string).
 */
export function newSessionId(kind: SessionIdKind, random: Uint8Array): string {
  if (random.length < 32) throw new RangeError('newSessionId needs 32 random bytes');
  if (kind !== 'uuid4') return b64urlEncode(random.subarray(0, 32));
  const b = random.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How likely `value` is a Flask-Session id. */
export function detectFlaskSession(name: string, value: string): Detection<'flask-session'> | null {
  const decoded = decodeFlaskSessionId(value);
  const reasons: string[] = [];
  if (decoded.sidKind === 'other') return null;
  reasons.push(decoded.sidKind === 'uuid4' ? 'a uuid4 session id' : 'a 43-character token_urlsafe session id');
  if (decoded.signature !== null) {
    if (!SIGNATURE_SHA1.test(decoded.signature)) return null;
    reasons.push('signed: id.signature (SESSION_USE_SIGNER)');
  }
  if (name === FLASK_SESSION_DEFAULTS.cookieName) reasons.push("Flask's default cookie name");
  return { format: 'flask-session', confidence: decoded.sidKind === 'uuid4' || name === 'session' ? 'high' : 'medium', reasons };
}
