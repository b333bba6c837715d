import { cookieSignatureSign, nodeCookieValue } from '../../codec/node-cookies';
import type { SecretInput } from '../../codec/crypto';
import { SessionLensError, toErrorInfo } from '../../errors';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import { py, type PyValue } from '../../python/pyvalue';
import { signedPartsOf, verifySignedParts, wellFormedMac, type SignedParts } from '../express-session/session-id';
import { MAX_COOKIE_VALUE_LENGTH } from '../flask/cookie';
import type { Detection, Result, VerificationBase, VerifyInput } from '../types';

/**
 * cookie-parser's signed cookies (SPEC §5, §11.4): `res.cookie(name, value, {signed: true})` writes
 * `s:` value `.` MAC (cookie-signature, HMAC-SHA256), an object as `j:` + JSON first; the app reads
 * `req.signedCookies[name]`: the value, the parsed JSON, or `false` when the MAC does not match.
 */

export interface CookieParserDecoded {
  format: 'cookie-parser';
  cookie: string;
  /** As cookie-parser reads it: quotes removed, percent-decoded. */
  text: string;
  signed: SignedParts | null;
  /** What `req.signedCookies[name]` holds once the signature is checked: a JSON value (`j:`) or the string. */
  value: PyValue | null;
  /** The value was `j:` JSON that cookie-parser parses. */
  json: boolean;
}

export interface CookieParserVerification extends VerificationBase {
  format: 'cookie-parser';
  decoded: CookieParserDecoded;
}

/** cookie-parser's JSONCookie: `j:` + JSON that parses to something truthy, else the string as it is. */
function jsonCookieValue(text: string): { value: PyValue; json: boolean } {
  if (!text.startsWith('j:')) return { value: py.str(text), json: false };
  try {
    const { value } = parsePythonJsonDocument(text.slice(2));
    const falsy =
      value.type === 'none' ||
      (value.type === 'bool' && !value.value) ||
      (value.type === 'int' && value.value === 0n) ||
      (value.type === 'float' && (value.value === 0 || Number.isNaN(value.value))) ||
      (value.type === 'str' && value.value === '');
    // JSON.parse has no NaN or Infinity: such text stays a string there.
    const jsOnly = value.type === 'float' && !Number.isFinite(value.value);
    return falsy || jsOnly ? { value: py.str(text), json: false } : { value, json: true };
  } catch {
    return { value: py.str(text), json: false };
  }
}

/** Reads a signed cookie without a secret. Never throws. */
export function decodeCookieParser(value: string): CookieParserDecoded {
  const cookie = value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value;
  const text = nodeCookieValue(cookie);
  const signed = signedPartsOf(text);
  const read = signed ? jsonCookieValue(signed.value) : null;
  return { format: 'cookie-parser', cookie, text, signed, value: read?.value ?? null, json: read?.json ?? false };
}

/** Verifies as cookie-parser fills `req.signedCookies`. Never throws. */
export function verifyCookieParserDecoded(decoded: CookieParserDecoded, input: VerifyInput): CookieParserVerification {
  return verifySignedParts('cookie-parser', decoded, decoded.text, decoded.signed, input, 'req.signedCookies holds false for it');
}

/** `res.cookie(name, value, {signed: true})`'s value: a string as it is, anything else as `j:` JSON. */
export function signCookieParserValue(value: PyValue, options: { secret: SecretInput }): Result<string> {
  try {
    if (value.type === 'float' && !Number.isFinite(value.value)) throw new SessionLensError('ERR_PAYLOAD_INVALID', 'JSON has no NaN or Infinity');
    const text = value.type === 'str' ? value.value : `j:${writePythonJson(value, { sortKeys: false, ensureAscii: false })}`;
    return { ok: true, value: encodeURIComponent(`s:${cookieSignatureSign(text, options.secret)}`) };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

/** `s:value.mac` that is not an express-session id (a 32-character uid or the name `connect.sid`). */
export function detectCookieParser(name: string, value: string): Detection<'cookie-parser'> | null {
  if (value.length > MAX_COOKIE_VALUE_LENGTH) return null;
  const text = nodeCookieValue(value);
  const signed = signedPartsOf(text);
  if (!signed) return null;
  const mac = wellFormedMac(signed);
  const reasons = [mac ? '"s:" value "." HMAC-SHA256 signature (cookie-signature)' : '"s:" value "." a signature of the wrong length'];
  if (signed.value.startsWith('j:')) reasons.push('a "j:" JSON value');
  const idLike = name === 'connect.sid' || /^[A-Za-z0-9_-]{32}$/.test(signed.value);
  return { format: 'cookie-parser', confidence: idLike ? 'low' : mac ? 'high' : 'medium', reasons };
}
