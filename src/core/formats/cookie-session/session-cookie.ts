import { b64StdEncode, utf8Encode } from '../../codec/bytes';
import type { DigestName, SecretInput } from '../../codec/crypto';
import { keygripIndex, keygripSign, nodeBase64Decode, stripCookieQuotes } from '../../codec/node-cookies';
import { SessionLensError, toErrorInfo } from '../../errors';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import type { PyValue } from '../../python/pyvalue';
import { MAX_COOKIE_VALUE_LENGTH } from '../flask/cookie';
import type { Detection, Result, VerificationBase, VerifyInput } from '../types';
import { verificationOf } from '../verification';

/**
 * cookie-session (SPEC §6, §11.5): the whole session as standard base64 of its JSON, in the cookie
 * `name`; its signature in a second cookie, `name.sig`: keygrip's HMAC (SHA-1 by default) of the
 * text `name=value`, value as sent, made URL-safe. `keys[0]` signs, every key verifies. Without a
 * matching `.sig` the app sees an empty session.
 */

export const COOKIE_SESSION_DEFAULTS = { cookieName: 'session', digest: 'sha1' as DigestName };

/** The companion cookie that carries the signature of `name`. */
export function signatureCookieName(name: string): string {
  return `${name}.sig`;
}

export interface CookieSessionDecoded {
  format: 'cookie-session';
  /** The value as the Cookie header carries it, surrounding quotes removed: what keygrip signs. */
  cookie: string;
  /** The session: what `JSON.parse(Buffer.from(value, 'base64'))` gives, or why it fails. */
  payload: Result<PyValue>;
}

export interface CookieSessionVerification extends VerificationBase {
  format: 'cookie-session';
  decoded: CookieSessionDecoded;
}

/** Reads the session without a key. Never throws. */
export function decodeCookieSession(value: string): CookieSessionDecoded {
  const cookie = stripCookieQuotes(value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value);
  try {
    // Buffer's toString('utf8') replaces bad sequences rather than failing, and so does this decoder.
    const text = new TextDecoder().decode(nodeBase64Decode(cookie));
    return { format: 'cookie-session', cookie, payload: { ok: true, value: parsePythonJsonDocument(text).value } };
  } catch (error) {
    return { format: 'cookie-session', cookie, payload: { ok: false, error: toErrorInfo(error, 'ERR_JSON') } };
  }
}

/** The `.sig` cookie's value for `name=value`, as keygrip signs it with `key`. */
export function cookieSessionSignature(name: string, value: string, key: SecretInput, digest: DigestName = COOKIE_SESSION_DEFAULTS.digest): string {
  return keygripSign(`${name}=${value}`, key, digest);
}

/**
 * Verifies as cookie-session does with `keys`: `input.cookieName` (default `session`) and
 * `input.signatureCookie`, the `.sig` cookie sent with it. Never throws.
 */
export function verifyCookieSessionDecoded(decoded: CookieSessionDecoded, input: VerifyInput): CookieSessionVerification {
  const { notes, result } = verificationOf('cookie-session', decoded);
  if (decoded.cookie === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  const name = input.cookieName ?? COOKIE_SESSION_DEFAULTS.cookieName;
  const sigName = signatureCookieName(name);
  const sig = input.signatureCookie == null ? null : stripCookieQuotes(input.signatureCookie);
  const payloadVerdict = (matched: number | null) => {
    if (decoded.payload.ok) {
      if (decoded.payload.value.type !== 'dict') notes.push('the JSON is not an object: the app sees an empty session');
      return result(matched === null ? 'unverified' : 'valid', matched === null ? 'not_checked' : 'valid', matched, null);
    }
    const { error } = decoded.payload;
    const verdict = error.code === 'ERR_PAYLOAD_TOO_LARGE' ? 'too_large' : matched === null ? 'malformed' : 'bad_payload';
    if (verdict === 'bad_payload') notes.push('cookie-session cannot parse it and starts an empty session');
    return result(verdict, matched === null ? 'not_checked' : 'valid', matched, error);
  };
  if (input.secrets.length === 0) {
    notes.push(sig === null ? `no ${sigName} cookie came with it: with keys set, cookie-session ignores the session` : `signed by ${sigName}`);
    return payloadVerdict(null);
  }
  if (sig === null) {
    return result('bad_signature', 'invalid', null, { code: 'ERR_SIGNATURE_MISSING', message: `no ${sigName} cookie came with it: cookie-session ignores the session` });
  }
  let index: number;
  try {
    index = keygripIndex(`${name}=${decoded.cookie}`, sig, input.secrets, input.digest ?? COOKIE_SESSION_DEFAULTS.digest);
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
  if (index < 0) {
    return result('bad_signature', 'invalid', null, {
      code: 'ERR_SIGNATURE_MISMATCH',
      message: `${sigName} does not match ${input.secrets.length === 1 ? 'the key' : `any of the ${input.secrets.length} keys`}: cookie-session starts an empty session and deletes ${sigName}`,
    });
  }
  if (index > 0) notes.push(`accepted with key ${index + 1}: cookie-session re-issues ${sigName} signed with keys[0]`);
  return payloadVerdict(index);
}

export interface CookieSessionSignOptions {
  secret: SecretInput;
}

/** The session cookie's value for `payload`, as cookie-session writes it (its `.sig`: cookieSessionSignature). */
export function signCookieSession(payload: PyValue, _options: CookieSessionSignOptions): Result<string> {
  try {
    if (payload.type !== 'dict') throw new SessionLensError('ERR_PAYLOAD_INVALID', 'a cookie-session session is a JSON object');
    return { ok: true, value: b64StdEncode(utf8Encode(writePythonJson(payload, { sortKeys: false, ensureAscii: false }))) };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

/**
 * Standard base64 of a JSON object, nothing decoded: `{"` then a key's first byte makes `eyI` (0x20–0x3f),
 * `eyJ` (0x40–0x7f) or `eyK`/`eyL` (UTF-8); `{}` is `e30=`.
 */
export const COOKIE_SESSION_SHAPE = /^(?:ey[IJKL][A-Za-z0-9+/]*={0,2}|e30=)$/;

export function detectCookieSession(name: string, value: string): Detection<'cookie-session'> | null {
  const cookie = stripCookieQuotes(value);
  if (cookie.length > MAX_COOKIE_VALUE_LENGTH || cookie.length % 4 !== 0 || !COOKIE_SESSION_SHAPE.test(cookie)) return null;
  const reasons = ['standard base64 of a JSON object'];
  if (name === COOKIE_SESSION_DEFAULTS.cookieName) reasons.push("cookie-session's default cookie name");
  return { format: 'cookie-session', confidence: 'high', reasons };
}
