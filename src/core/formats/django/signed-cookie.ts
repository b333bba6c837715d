import { b64urlDecodePython, b64urlEncode, bytesEqual, concatBytes, latin1Decode, utf8Encode } from '../../codec/bytes';
import { deriveKey, hmacDigest, secretBytes, type DigestName, type SecretInput } from '../../codec/crypto';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, deflateZlib, inflateZlib } from '../../codec/zlib';
import { SessionLensError, toErrorInfo } from '../../errors';
import { PICKLE_MAGIC, readPickle } from '../../python/pickle';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import { py, type PyValue } from '../../python/pyvalue';
import { MAX_COOKIE_VALUE_LENGTH, unquoteCookieValue } from '../flask/cookie';
import type { Detection, Result, VerificationBase, VerifyInput } from '../types';
import { verificationOf } from '../verification';

/**
 * Django's `signed_cookies` session backend (SPEC §4): `signing.dumps(session, compress=True)`
 * under the backend's salt, i.e. `[.]b64url(zlib?(json)) ":" base62(time) ":" b64url(HMAC)`, the
 * HMAC keyed with H(salt + "signer" + SECRET_KEY). Verified in Django's order: signature with each
 * key (SECRET_KEY, then SECRET_KEY_FALLBACKS), then the age against SESSION_COOKIE_AGE, then the
 * payload. Whatever fails, Django starts a new, empty session: it never answers HTTP 500.
 */

export const DJANGO_SESSION_SALT = 'django.contrib.sessions.backends.signed_cookies';

export const DJANGO_DEFAULTS = {
  cookieName: 'sessionid',
  salt: DJANGO_SESSION_SALT,
  /** DEFAULT_HASHING_ALGORITHM since 3.1; 'sha1' before (and as a 3.1/3.2 transitional setting). */
  digest: 'sha256' as DigestName,
  /** SESSION_COOKIE_AGE: two weeks. */
  maxAgeSeconds: 1_209_600,
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Django's `b62_encode`. */
export function base62Encode(seconds: number): string {
  if (seconds === 0) return '0';
  let n = Math.abs(Math.trunc(seconds));
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return seconds < 0 ? `-${out}` : out;
}

/** Django's `b62_decode`, or null where it raises ValueError. Bounded: 12 digits exceed any real time. */
export function base62Decode(text: string): number | null {
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  if (digits === '' || digits.length > 12) return null;
  let value = 0;
  for (const ch of digits) {
    const digit = BASE62.indexOf(ch);
    if (digit < 0) return null;
    value = value * 62 + digit;
  }
  return negative ? -value : value;
}

export interface DjangoSegments {
  /** `[.]base64` of the (compressed) JSON. */
  body: string;
  timestamp: string;
  signature: string;
}

export interface DjangoPayload {
  value: PyValue;
  /** The JSON as stored; empty for a pickle. */
  jsonText: string;
  /** Serialized by the legacy PickleSerializer (read as data here, never executed). */
  pickled: boolean;
}

export interface DjangoDecoded {
  format: 'django';
  cookie: string;
  /** A database-, cache- or file-backed session's key (32 of [a-z0-9]): the data is on the server. */
  sessionKey: string | null;
  segments: DjangoSegments | null;
  compressed: boolean;
  /** Signing time in Unix seconds, or null when the timestamp is not base62. */
  signedAt: number | null;
  payload: Result<DjangoPayload> | null;
}

export interface DjangoVerification extends VerificationBase {
  format: 'django';
  decoded: DjangoDecoded;
  /** Verified as a `set_signed_cookie` value (its text is the payload) rather than a session: which salt form matched. */
  signedCookie: 'v2' | 'legacy' | null;
  /** Signed with SHA-1 while SHA-256 is configured: Django 3.1/3.2 accept it, 4.0 and later do not. */
  legacySha1: boolean;
}

/** Django's `rsplit(':', 1)` twice: the body may not hold a colon, the signer's value could. */
function splitSegments(cookie: string): DjangoSegments | null {
  const last = cookie.lastIndexOf(':');
  if (last < 0) return null;
  const signed = cookie.slice(0, last);
  const middle = signed.lastIndexOf(':');
  if (middle < 0) return null;
  return { body: signed.slice(0, middle), timestamp: signed.slice(middle + 1), signature: cookie.slice(last + 1) };
}

function decodeBody(body: string): { compressed: boolean; payload: Result<DjangoPayload> } {
  const compressed = body.startsWith('.');
  try {
    let data = b64urlDecodePython(compressed ? body.slice(1) : body);
    if (compressed) data = inflateZlib(data, DEFAULT_MAX_DECOMPRESSED_BYTES);
    // PickleSerializer (Django < 5.0, opt-in) writes protocol 2+ pickles, which start with PROTO.
    if (data[0] === PICKLE_MAGIC) return { compressed, payload: { ok: true, value: { value: readPickle(data), jsonText: '', pickled: true } } };
    // JSONSerializer.loads: json.loads(data.decode('latin-1')).
    const jsonText = latin1Decode(data);
    try {
      return { compressed, payload: { ok: true, value: { value: parsePythonJsonDocument(jsonText).value, jsonText, pickled: false } } };
    } catch (jsonError) {
      // pickle.loads also takes protocol 0 and 1 pickles (text opcodes, no PROTO): what a forged cookie would hold.
      if (!jsonText.endsWith('.')) throw jsonError;
      try {
        return { compressed, payload: { ok: true, value: { value: readPickle(data), jsonText: '', pickled: true } } };
      } catch {
        throw jsonError;
      }
    }
  } catch (error) {
    return { compressed, payload: { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') } };
  }
}

/** Reads a signed_cookies session without a secret. Never throws. */
export function decodeDjangoCookie(value: string): DjangoDecoded {
  const cookie = unquoteCookieValue(value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value);
  const bare = { format: 'django' as const, cookie, sessionKey: null, segments: null, compressed: false, signedAt: null, payload: null };
  if (SESSION_KEY.test(cookie)) return { ...bare, sessionKey: cookie };
  const segments = splitSegments(cookie);
  if (!segments) return bare;
  const { compressed, payload } = decodeBody(segments.body);
  return { ...bare, segments, compressed, signedAt: base62Decode(segments.timestamp), payload };
}

/** `base64_hmac(salt + "signer", value, key, algorithm)`, as text. */
function signatureOf(message: string, secret: SecretInput | Uint8Array, salt: string, digest: DigestName): string {
  const key = deriveKey(digest, 'django-concat', secretBytes(secret), utf8Encode(salt));
  return b64urlEncode(hmacDigest(digest, key, utf8Encode(message)));
}

/** Constant-time text comparison, as Django's `constant_time_compare`. */
function sameText(a: string, b: string): boolean {
  return a.length === b.length && bytesEqual(utf8Encode(a), utf8Encode(b));
}

/** Verifies as `signing.loads(..., max_age=SESSION_COOKIE_AGE)` in the signed_cookies backend. Never throws. */
export function verifyDjangoDecoded(decoded: DjangoDecoded, input: VerifyInput): DjangoVerification {
  const { notes, result: base } = verificationOf('django', decoded);
  let legacySha1 = false;
  const result = (...args: Parameters<typeof base>): DjangoVerification => ({ ...base(...args), legacySha1, signedCookie: null });
  if (decoded.cookie === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  if (decoded.sessionKey !== null) {
    notes.push('the key of a session stored on the server (SESSION_ENGINE db, cache or file): the cookie is not signed, nothing in it to verify');
    return result('unverified', 'not_checked', null, null);
  }
  const s = decoded.segments;
  if (!s) return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_STRUCTURE', message: 'a Django signed cookie is value:timestamp:signature' });
  const salt = input.salt ?? DJANGO_SESSION_SALT;
  const digest = input.digest ?? DJANGO_DEFAULTS.digest;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const maxAge = input.maxAge === undefined ? DJANGO_DEFAULTS.maxAgeSeconds : input.maxAge;

  let matched: number | null = null;
  if (input.secrets.length > 0) {
    const message = `${s.body}:${s.timestamp}`;
    try {
      for (let i = 0; i < input.secrets.length && matched === null; i++) {
        if (sameText(s.signature, signatureOf(message, input.secrets[i]!, salt, digest))) matched = i;
        // Django 3.1/3.2, configured for SHA-256, still accept the SHA-1 signature of 3.0 and before.
        else if (digest === 'sha256' && sameText(s.signature, signatureOf(message, input.secrets[i]!, salt, 'sha1'))) {
          matched = i;
          legacySha1 = true;
          notes.push('signed with SHA-1 (Django ≤ 3.0, or DEFAULT_HASHING_ALGORITHM = "sha1"): Django 3.1 and 3.2 accept it, 4.0 and later reject it');
        }
      }
    } catch (error) {
      return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
    }
    // Not a session, but maybe what set_signed_cookie wrote under this name: its text is the value.
    const signedValue = matched === null && !decoded.payload?.ok && input.cookieName !== undefined ? verifySignedValue(decoded, s, input, input.cookieName) : null;
    if (signedValue) return signedValue;
    if (matched === null) {
      return result('bad_signature', 'invalid', null, {
        code: 'ERR_SIGNATURE_MISMATCH',
        message: `signature does not match ${input.secrets.length === 1 ? 'the SECRET_KEY' : `any of the ${input.secrets.length} keys`}`,
      });
    }
  }
  const signature = matched === null ? 'not_checked' : 'valid';
  if (decoded.signedAt === null) {
    return result(matched === null ? 'malformed' : 'bad_payload', signature, matched, { code: 'ERR_DJANGO_TIMESTAMP', message: `the timestamp ${JSON.stringify(s.timestamp.slice(0, 20))} is not base62` });
  }
  const age = now - decoded.signedAt;
  if (maxAge !== null && age > maxAge) {
    return result('expired', signature, matched, { code: 'ERR_DJANGO_EXPIRED', message: `signed ${age} s ago, longer than SESSION_COOKIE_AGE (${maxAge} s)` });
  }
  if (!decoded.payload?.ok) {
    const error = decoded.payload?.ok === false ? decoded.payload.error : { code: 'ERR_PAYLOAD_INVALID' as const, message: 'no payload' };
    if (error.code === 'ERR_PAYLOAD_TOO_LARGE') return result('too_large', signature, matched, error);
    return result(matched === null ? 'malformed' : 'bad_payload', signature, matched, error);
  }
  if (decoded.signedAt > now) notes.push('signed in the future by this clock: Django has no check for that and accepts it');
  if (decoded.payload.value.pickled) notes.push('pickled (SESSION_SERIALIZER = PickleSerializer, removed in Django 5.0): read as data here, never executed; objects are shown as the calls that would make them');
  return result(matched === null ? 'unverified' : 'valid', signature, matched, null);
}

/** `HttpResponse.set_signed_cookie` signs with the key `django.http.cookies` + SECRET_KEY. */
const SIGNED_COOKIE_KEY_PREFIX = utf8Encode('django.http.cookies');

/**
 * The value as `request.get_signed_cookie(name, salt=input.salt ?? '')` reads it (SPEC §4, §11.1):
 * Django 5's salt `django.http.cookies.v2:<len>:<salt><name>` first, then the legacy `<name><salt>`;
 * no age limit unless `maxAge` is given. Null when no secret signs it that way.
 */
function verifySignedValue(decoded: DjangoDecoded, s: DjangoSegments, input: VerifyInput, name: string): DjangoVerification | null {
  const saltArg = input.salt ?? '';
  const salts = [
    ['v2', `django.http.cookies.v2:${saltArg.length}:${saltArg}${name}`],
    ['legacy', `${name}${saltArg}`],
  ] as const;
  const digest = input.digest ?? DJANGO_DEFAULTS.digest;
  const message = `${s.body}:${s.timestamp}`;
  for (let i = 0; i < input.secrets.length; i++) {
    const key = concatBytes(SIGNED_COOKIE_KEY_PREFIX, secretBytes(input.secrets[i]!));
    for (const [form, salt] of salts) {
      if (!sameText(s.signature, signatureOf(message, key, salt, digest))) continue;
      const opened: DjangoDecoded = { ...decoded, compressed: false, payload: { ok: true, value: { value: py.str(s.body), jsonText: s.body, pickled: false } } };
      const { notes, result } = verificationOf('django', opened);
      notes.push(`a set_signed_cookie value (${form === 'v2' ? "Django 5's salt" : 'the salt of Django ≤ 4.2'}), not a session: get_signed_cookie(${JSON.stringify(name)}${saltArg ? `, salt=${JSON.stringify(saltArg)}` : ''}) returns this text`);
      const base = { legacySha1: false, signedCookie: form };
      const age = decoded.signedAt === null ? null : (input.now ?? Math.floor(Date.now() / 1000)) - decoded.signedAt;
      if (input.maxAge != null && age !== null && age > input.maxAge) {
        return { ...result('expired', 'valid', i, { code: 'ERR_DJANGO_EXPIRED', message: `signed ${age} s ago, longer than max_age (${input.maxAge} s)` }), ...base };
      }
      return { ...result('valid', 'valid', i, null), ...base };
    }
  }
  return null;
}

export interface DjangoSignOptions {
  secret: SecretInput;
  /** Unix seconds; the clock by default. */
  timestamp?: number;
  digest?: DigestName;
  salt?: string;
}

/** `signing.dumps(payload, salt=…, compress=True)` with the JSONSerializer, as the backend writes it. */
export function signDjangoCookie(payload: PyValue, options: DjangoSignOptions): Result<string> {
  try {
    if (payload.type !== 'dict') throw new SessionLensError('ERR_PAYLOAD_INVALID', 'a Django session is a JSON object');
    // json.dumps(obj, separators=(',', ':')) with ensure_ascii, then .encode('latin-1').
    const json = utf8Encode(writePythonJson(payload, { sortKeys: false, ensureAscii: true }));
    const zipped = deflateZlib(json);
    const body = zipped.length < json.length - 1 ? `.${b64urlEncode(zipped)}` : b64urlEncode(json);
    const message = `${body}:${base62Encode(options.timestamp ?? Math.floor(Date.now() / 1000))}`;
    return { ok: true, value: `${message}:${signatureOf(message, options.secret, options.salt ?? DJANGO_SESSION_SALT, options.digest ?? DJANGO_DEFAULTS.digest)}` };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

/** A server-side session's key: get_random_string(32) of lowercase letters and digits. */
const SESSION_KEY = /^[a-z0-9]{32}$/;

/** The value's shape, nothing decoded (what the CLI's cookie picker compares). */
export const DJANGO_SHAPE = /^\.?[A-Za-z0-9_-]+:-?[0-9A-Za-z]{1,12}:[A-Za-z0-9_=-]{27,90}$/;

/**
 * A signed_cookies session: value:base62:signature, the value base64 of a JSON object ("eyJ", i.e.
 * `{"`) or of zlib data (".eJ"). Detection only glances at those first characters: a page can send
 * hundreds of cookies, and decoding is for the one shown.
 */
export function detectDjango(name: string, value: string): Detection<'django'> | null {
  const cookie = unquoteCookieValue(value);
  const named = name === DJANGO_DEFAULTS.cookieName;
  if (SESSION_KEY.test(cookie)) {
    return { format: 'django', confidence: named ? 'high' : 'low', reasons: ['32 lowercase letters and digits: the key of a session stored on the server', ...(named ? ["Django's default cookie name"] : [])] };
  }
  if (cookie.length > MAX_COOKIE_VALUE_LENGTH || !DJANGO_SHAPE.test(cookie)) return null;
  const reasons = ['value:timestamp:signature, the timestamp in base62'];
  // `{"` and a key's first byte: eyI, eyJ, eyK or eyL (see COOKIE_SESSION_SHAPE).
  const object = /^ey[IJKL]/.test(cookie) || cookie.startsWith('.eJ');
  if (object) reasons.push(cookie.startsWith('.') ? 'zlib-compressed payload' : 'JSON object payload');
  if (named) reasons.push("Django's default cookie name");
  return { format: 'django', confidence: object ? 'high' : named ? 'medium' : 'low', reasons };
}
