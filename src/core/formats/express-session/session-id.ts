import { cookieSignatureMatch, cookieSignatureSign, nodeCookieValue } from '../../codec/node-cookies';
import { toErrorInfo } from '../../errors';
import type { SecretInput } from '../../codec/crypto';
import { MAX_COOKIE_VALUE_LENGTH } from '../flask/cookie';
import type { Detection, Result, VerificationBase, VerifyInput } from '../types';
import { verificationOf } from '../verification';

/**
 * express-session (SPEC §5): the cookie holds only the session's id, signed by cookie-signature as
 * `s:` id `.` base64(HMAC-SHA256(secret, id)) and percent-encoded on the wire. The session itself
 * lives in the server's store. Every secret of the `secret` array verifies; the first signs.
 */

export const EXPRESS_SESSION_DEFAULTS = { cookieName: 'connect.sid' };

/** uid-safe(24), express-session's default genid: 32 base64url characters. */
const UID_SAFE_24 = /^[A-Za-z0-9_-]{32}$/;
/** `s:` value `.` MAC, after percent-decoding; cookie-signature's MAC is 43 standard-base64 characters (a tampered one may not be). */
export const SIGNED_VALUE = /^s:[^]*\.[A-Za-z0-9+/=]*$/;
const MAC_43 = /^[A-Za-z0-9+/]{43}$/;

/** The MAC has cookie-signature's shape: 43 characters of standard base64. */
export function wellFormedMac(parts: SignedParts): boolean {
  return MAC_43.test(parts.mac);
}

/** What cookie-signature signed: the text after `s:`, split at its last ".". */
export interface SignedParts {
  value: string;
  mac: string;
}

/** A `s:value.mac` text's parts, or null when the text is not one. */
export function signedPartsOf(text: string): SignedParts | null {
  if (!SIGNED_VALUE.test(text)) return null;
  const dot = text.lastIndexOf('.');
  return { value: text.slice(2, dot), mac: text.slice(dot + 1) };
}

export interface ExpressSessionDecoded {
  format: 'express-session';
  /** The value as on the wire (percent-encoded). */
  cookie: string;
  /** As the app's cookie parser reads it: quotes removed, percent-decoded. */
  text: string;
  /** The id and its MAC; null when the value is not `s:id.mac` (express-session ignores it). */
  signed: SignedParts | null;
  /** The id is uid-safe's 32 characters (express-session's default genid). */
  defaultIdShape: boolean;
}

export interface ExpressSessionVerification extends VerificationBase {
  format: 'express-session';
  decoded: ExpressSessionDecoded;
}

/** Reads the id without a secret. Never throws. */
export function decodeExpressSession(value: string): ExpressSessionDecoded {
  const cookie = value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value;
  const text = nodeCookieValue(cookie);
  const signed = signedPartsOf(text);
  return { format: 'express-session', cookie, text, signed, defaultIdShape: signed !== null && UID_SAFE_24.test(signed.value) };
}

/**
 * The verdict of cookie-signature's unsign with every secret, as express-session and cookie-parser
 * reach it: `signed` null is a value the app does not treat as signed at all.
 */
export function verifySignedParts<F extends string, D>(
  format: F,
  decoded: D,
  text: string,
  signed: SignedParts | null,
  input: VerifyInput,
  rejected: string,
) {
  const { notes, result } = verificationOf(format, decoded);
  if (text === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  if (!signed) return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_STRUCTURE', message: `not "s:" value "." signature: ${rejected}` });
  if (input.secrets.length === 0) return result('unverified', 'not_checked', null, null);
  let index: number;
  try {
    index = cookieSignatureMatch(text.slice(2), input.secrets);
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
  if (index < 0) {
    return result('bad_signature', 'invalid', null, {
      code: 'ERR_SIGNATURE_MISMATCH',
      message: `HMAC-SHA256 signature does not match ${input.secrets.length === 1 ? 'the secret' : `any of the ${input.secrets.length} secrets`}: ${rejected}`,
    });
  }
  if (index > 0) notes.push(`accepted with secret ${index + 1}; new cookies are signed with the first secret of the list`);
  return result('valid', 'valid', index, null);
}

/** Verifies as express-session does before it loads the session from the store. Never throws. */
export function verifyExpressSessionDecoded(decoded: ExpressSessionDecoded, input: VerifyInput): ExpressSessionVerification {
  return verifySignedParts('express-session', decoded, decoded.text, decoded.signed, input, 'express-session ignores it and starts a new session');
}

/** The cookie value for session id `sid`, as express-session sets it (percent-encoded `s:sid.mac`). */
export function signExpressSessionId(sid: string, options: { secret: SecretInput }): Result<string> {
  try {
    return { ok: true, value: encodeURIComponent(`s:${cookieSignatureSign(sid, options.secret)}`) };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_SECRET_INVALID') };
  }
}

/** `s:id.mac` with a uid-safe id or under the default name `connect.sid`. */
export function detectExpressSession(name: string, value: string): Detection<'express-session'> | null {
  if (value.length > MAX_COOKIE_VALUE_LENGTH) return null;
  const named = name === EXPRESS_SESSION_DEFAULTS.cookieName;
  const decoded = decodeExpressSession(value);
  if (!decoded.signed) return named ? { format: 'express-session', confidence: 'low', reasons: ["express-session's default cookie name, but not a signed id"] } : null;
  const mac = wellFormedMac(decoded.signed);
  const reasons = [mac ? '"s:" id "." HMAC-SHA256 signature (cookie-signature)' : '"s:" id "." a signature of the wrong length'];
  if (decoded.defaultIdShape) reasons.push("a 32-character id, as express-session's default genid makes");
  if (named) reasons.push("express-session's default cookie name");
  return { format: 'express-session', confidence: decoded.defaultIdShape && mac ? 'high' : named || decoded.defaultIdShape ? 'medium' : 'low', reasons };
}
