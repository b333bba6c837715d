import { b64urlDecodeAscii, b64urlDecodePython, b64urlEncode, utf8DecodeStrict, utf8Encode } from '../../codec/bytes';
import { DIGEST_SIZE, type DigestName, type KeyDerivation, type SecretInput } from '../../codec/crypto';
import { SessionLensError, toErrorInfo, type ErrorInfo } from '../../errors';
import {
  LEGACY_EPOCH,
  checkSignature,
  decodeTimestamp,
  encodeTimestamp,
  prepareKeys,
  signatureFor,
  type SignerParams,
} from '../../codec/itsdangerous';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import { MAX_DATETIME_UNIX } from '../../python/pydate';
import type { PyValue } from '../../python/pyvalue';
import { tag, untag } from '../../python/taggedjson';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, deflateZlib, hasZlibHeader, inflateZlib } from '../../codec/zlib';
import type { Detection, Result, VerificationBase } from '../types';

/** Flask's built-in signed cookie session (SPEC §2). */

export const FLASK_DEFAULTS = {
  cookieName: 'session',
  salt: 'cookie-session',
  digest: 'sha1' as DigestName,
  keyDerivation: 'hmac' as KeyDerivation,
  /** PERMANENT_SESSION_LIFETIME: 31 days. */
  lifetimeSeconds: 2_678_400,
};

/** Longest cookie value the core will look at; browsers stop at 4 KiB, so this only guards against abuse. */
export const MAX_COOKIE_VALUE_LENGTH = 64 * 1024;

export interface FlaskSignerOptions {
  salt?: string | Uint8Array;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
}

export interface FlaskDecodeOptions {
  maxDecompressedBytes?: number;
}

export interface FlaskVerifyOptions extends FlaskSignerOptions, FlaskDecodeOptions {
  /** SECRET_KEY first, then SECRET_KEY_FALLBACKS. */
  secrets: readonly SecretInput[];
  /** Maximum age in seconds (Flask uses PERMANENT_SESSION_LIFETIME); null or absent: no age check. */
  maxAge?: number | null;
  /** Current time in Unix seconds; defaults to the system clock. */
  now?: number;
}

export interface FlaskSignOptions extends FlaskSignerOptions {
  secret: SecretInput;
  /** Signing time in Unix seconds; defaults to now. */
  timestamp?: number;
  /** Flask sorts keys and escapes non-ASCII unless the app changed `app.json`. */
  sortKeys?: boolean;
  ensureAscii?: boolean;
}

export interface FlaskSegments {
  /** Payload segment including the leading `.` of a compressed payload. */
  payload: string;
  timestamp: string | null;
  signature: string | null;
  /** The signed text: everything before the last `.`. */
  signingInput: string | null;
}

export interface DecodedPayload {
  value: PyValue;
  /** The JSON text inside the cookie, before untagging. */
  jsonText: string;
  /** How deeply the JSON's containers nest (1: a flat object). */
  levels: number;
}

/**
 * Deepest JSON nesting Flask 3.x loads: its TaggedJSON untagging recurses through Python frames
 * and hits the recursion limit beyond this (RecursionError, HTTP 500). Measured against the real
 * Flask 3.1 development server; Flask 2.2 untags in a json object_hook and reaches about 973.
 */
export const FLASK_MAX_NESTING = 489;

export interface DecodedTimestamp {
  /** Seconds as current itsdangerous reads them (Unix epoch). */
  seconds: bigint;
  /** When `seconds` predates 2011: the same value read from itsdangerous 0.x's 2011 epoch. */
  legacySeconds: bigint | null;
}

export interface FlaskDecoded {
  format: 'flask';
  /** The cookie value as decoded (surrounding quotes removed). */
  cookie: string;
  segments: FlaskSegments | null;
  compressed: boolean;
  /** null when the cookie has no payload segment to decode. */
  payload: Result<DecodedPayload> | null;
  /** null when the cookie has no timestamp segment. */
  timestamp: Result<DecodedTimestamp> | null;
  /** Set when the value does not have the payload.timestamp.signature shape. */
  structureError: ErrorInfo | null;
}

export interface FlaskVerification extends VerificationBase {
  format: 'flask';
  decoded: FlaskDecoded;
  /** now − timestamp, when a timestamp was read. */
  ageSeconds: number | null;
}

/**
 * Werkzeug unquotes cookie values written in double quotes (`"…"` with
 * backslash and octal escapes); itsdangerous output never needs it, but
 * copying from some tools adds the quotes.
 */
export function unquoteCookieValue(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([0-3][0-7]{2}|.)/g, (_, esc: string) => (esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc));
}

function splitSegments(cookie: string): FlaskSegments | null {
  const last = cookie.lastIndexOf('.');
  if (last < 0) return null;
  const signingInput = cookie.slice(0, last);
  const signature = cookie.slice(last + 1);
  const tsDot = signingInput.lastIndexOf('.');
  if (tsDot < 0) return { payload: signingInput, timestamp: null, signature, signingInput };
  return { payload: signingInput.slice(0, tsDot), timestamp: signingInput.slice(tsDot + 1), signature, signingInput };
}

function payloadText(segment: string, maxBytes: number): string {
  const compressed = segment.startsWith('.');
  // The common case, canonical base64 of ASCII JSON, is decoded straight to text.
  const ascii = compressed ? null : b64urlDecodeAscii(segment);
  if (ascii !== null) {
    if (ascii.length > maxBytes) throw new SessionLensError('ERR_DECOMPRESS_LIMIT', `payload exceeds ${maxBytes} bytes`);
    return ascii;
  }
  let bytes: Uint8Array;
  try {
    bytes = b64urlDecodePython(compressed ? segment.slice(1) : segment);
  } catch (error) {
    throw new SessionLensError('ERR_BASE64', `payload is not base64: ${(error as Error).message}`);
  }
  if (compressed) bytes = inflateZlib(bytes, maxBytes);
  else if (bytes.length > maxBytes) throw new SessionLensError('ERR_DECOMPRESS_LIMIT', `payload exceeds ${maxBytes} bytes`);
  return utf8DecodeStrict(bytes);
}

function decodePayloadSegment(segment: string, maxBytes: number): DecodedPayload {
  const jsonText = payloadText(segment, maxBytes);
  const { value, levels } = parsePythonJsonDocument(jsonText);
  return { value: untag(value), jsonText, levels };
}

const LEGACY_EPOCH_BIG = BigInt(LEGACY_EPOCH);
const MAX_DATETIME_UNIX_BIG = BigInt(MAX_DATETIME_UNIX);

function readTimestamp(segment: string): DecodedTimestamp {
  const seconds = decodeTimestamp(segment);
  return { seconds, legacySeconds: seconds < LEGACY_EPOCH_BIG ? seconds + LEGACY_EPOCH_BIG : null };
}

function attempt<T>(fn: () => T, fallback: ErrorInfo['code']): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, fallback) };
  }
}

/**
 * Decoded cookies, most recently used last: detection, verification and the Timeline's before/after
 * all read the same values, so each is decoded once. Bounded by entries and by JSON text held.
 */
const decodeCache = new Map<string, FlaskDecoded>();
// Small on purpose: large cached trees live long enough to be collected expensively (measured in npm run bench).
const DECODE_CACHE_ENTRIES = 64;
const DECODE_CACHE_CHARS = 2 * 1024 * 1024;
/** A decode holding more characters than this (cookie + JSON text) is not cached at all. */
export const MAX_CACHED_DECODE_CHARS = DECODE_CACHE_CHARS / 8;
let decodeCacheChars = 0;

/** Characters a decode holds: what the cache's bounds count. */
export function cachedChars(decoded: FlaskDecoded): number {
  return decoded.cookie.length + (decoded.payload?.ok ? decoded.payload.value.jsonText.length : 0);
}

/** Reads a Flask session cookie without any secret. Never throws. The result is shared: do not mutate it. */
export function decodeFlaskCookie(value: string, options: FlaskDecodeOptions = {}): FlaskDecoded {
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  // Keyed by the value itself (a string keeps its hash; a built key would be hashed anew on every
  // call), so only decodes under the default limit are cached: a custom limit is a CLI option.
  if (maxBytes !== DEFAULT_MAX_DECOMPRESSED_BYTES) return decodeUncached(value, maxBytes);
  const hit = decodeCache.get(value);
  if (hit) {
    decodeCache.delete(value);
    decodeCache.set(value, hit);
    return hit;
  }
  const decoded = decodeUncached(value, maxBytes);
  const size = cachedChars(decoded);
  if (size <= MAX_CACHED_DECODE_CHARS) {
    decodeCache.set(value, decoded);
    decodeCacheChars += size;
    for (const [oldKey, old] of decodeCache) {
      if (decodeCache.size <= DECODE_CACHE_ENTRIES && decodeCacheChars <= DECODE_CACHE_CHARS) break;
      decodeCache.delete(oldKey);
      decodeCacheChars -= cachedChars(old);
    }
  }
  return decoded;
}

function decodeUncached(value: string, maxBytes: number): FlaskDecoded {
  const empty = { format: 'flask' as const, segments: null, compressed: false, payload: null, timestamp: null };
  if (value.length > MAX_COOKIE_VALUE_LENGTH) {
    return {
      ...empty,
      cookie: value.slice(0, 64) + '…',
      structureError: { code: 'ERR_INPUT_TOO_LARGE', message: `cookie value is ${value.length} characters; the limit is ${MAX_COOKIE_VALUE_LENGTH}` },
    };
  }
  const cookie = unquoteCookieValue(value);
  if (cookie === '') return { ...empty, cookie, structureError: { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' } };
  const segments = splitSegments(cookie);
  if (!segments) {
    return { ...empty, cookie, structureError: { code: 'ERR_COOKIE_STRUCTURE', message: "no '.' found: not payload.timestamp.signature" } };
  }
  return {
    format: 'flask',
    cookie,
    segments,
    compressed: segments.payload.startsWith('.'),
    payload: attempt(() => decodePayloadSegment(segments.payload, maxBytes), 'ERR_JSON'),
    timestamp: segments.timestamp === null ? null : attempt(() => readTimestamp(segments.timestamp!), 'ERR_TIMESTAMP_MALFORMED'),
    structureError:
      segments.timestamp === null
        ? { code: 'ERR_COOKIE_STRUCTURE', message: 'only two segments: a timestamped cookie has payload.timestamp.signature' }
        : null,
  };
}

function signerParams(options: FlaskSignerOptions): SignerParams {
  return {
    salt: options.salt ?? FLASK_DEFAULTS.salt,
    digest: options.digest ?? FLASK_DEFAULTS.digest,
    keyDerivation: options.keyDerivation ?? FLASK_DEFAULTS.keyDerivation,
  };
}

function describeUnix(seconds: bigint): string {
  return seconds <= MAX_DATETIME_UNIX_BIG ? new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z') : `${seconds} s`;
}

function nestingError(decoded: FlaskDecoded): ErrorInfo | null {
  if (!decoded.payload?.ok || decoded.payload.value.levels <= FLASK_MAX_NESTING) return null;
  return {
    code: 'ERR_NESTING_DEPTH',
    message: `the JSON nests ${decoded.payload.value.levels} levels deep: Flask 3.x loads at most about ${FLASK_MAX_NESTING} and answers HTTP 500 (RecursionError); Flask 2.2 loads up to about 973`,
  };
}

/** What the reader should know beyond the verdict; the nesting limit only while it is not the verdict's reason. */
function payloadNotes(decoded: FlaskDecoded, nesting: ErrorInfo | null): string[] {
  const notes: string[] = [];
  if (nesting) notes.push(nesting.message);
  if (decoded.payload?.ok && decoded.payload.value.value.type !== 'dict') {
    notes.push(`the payload is a ${decoded.payload.value.value.type}, not an object: Flask's session cannot load it and the request fails with HTTP 500`);
  }
  if (decoded.timestamp?.ok && decoded.timestamp.value.legacySeconds !== null) {
    const { seconds, legacySeconds } = decoded.timestamp.value;
    notes.push(
      `the timestamp reads as ${describeUnix(seconds)}; if the cookie comes from itsdangerous 0.x (2011 epoch) it was signed at ${describeUnix(legacySeconds)} — current itsdangerous treats it as expired under any realistic max age`,
    );
  }
  return notes;
}

/**
 * Verifies like `URLSafeTimedSerializer.loads(value, max_age)` with Flask's
 * parameters: the checks run in itsdangerous' order, so the verdict is what
 * the server concludes. Never throws.
 */
export function verifyFlaskCookie(value: string, options: FlaskVerifyOptions): FlaskVerification {
  return verifyFlaskDecoded(decodeFlaskCookie(value, options), options);
}

/** `verifyFlaskCookie` on a cookie already decoded (a Timeline rebuild after a key is typed only re-verifies). */
export function verifyFlaskDecoded(decoded: FlaskDecoded, options: FlaskVerifyOptions): FlaskVerification {
  const nesting = nestingError(decoded);
  const result = (
    verdict: FlaskVerification['verdict'],
    signature: FlaskVerification['signature'],
    matchedSecretIndex: number | null,
    reason: ErrorInfo | null,
    ageSeconds: number | null = null,
  ): FlaskVerification => ({
    format: 'flask',
    decoded,
    verdict,
    signature,
    matchedSecretIndex,
    reason,
    notes: payloadNotes(decoded, reason === nesting ? null : nesting),
    ageSeconds,
  });

  if (decoded.structureError?.code === 'ERR_INPUT_TOO_LARGE' || decoded.structureError?.code === 'ERR_COOKIE_EMPTY') {
    return result('malformed', 'not_checked', null, decoded.structureError);
  }
  if (options.secrets.length === 0) {
    const unreadable = decoded.structureError ?? (decoded.payload?.ok === false ? decoded.payload.error : null) ?? (decoded.timestamp?.ok === false ? decoded.timestamp.error : null);
    if (unreadable?.code === 'ERR_PAYLOAD_TOO_LARGE') return result('too_large', 'not_checked', null, unreadable);
    return result(unreadable ? 'malformed' : 'unverified', 'not_checked', null, unreadable ?? { code: 'ERR_NO_SECRET', message: 'no secret given: decoded without verifying' });
  }
  const segments = decoded.segments;
  // itsdangerous: no separator at all is a BadSignature.
  if (!segments) return result('bad_signature', 'invalid', null, decoded.structureError);

  let keys;
  try {
    keys = prepareKeys(options.secrets, signerParams(options));
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
  const check = checkSignature(segments.signingInput!, segments.signature!, keys);
  if (check.status === 'invalid') {
    const expectedLength = Math.ceil((DIGEST_SIZE[signerParams(options).digest] * 4) / 3);
    const lengthHint = segments.signature!.length !== expectedLength ? ` (the signature has ${segments.signature!.length} characters; ${signerParams(options).digest} gives ${expectedLength})` : '';
    return result('bad_signature', 'invalid', null, {
      code: 'ERR_SIGNATURE_MISMATCH',
      message: `signature does not match ${options.secrets.length === 1 ? 'the secret' : `any of the ${options.secrets.length} secrets`}${lengthHint}`,
    });
  }
  const signed = (verdict: FlaskVerification['verdict'], reason: ErrorInfo | null, age: number | null = null) =>
    result(verdict, check.status, check.matchedIndex, reason, age);

  if (!decoded.timestamp) {
    return signed('bad_signature', { code: 'ERR_COOKIE_STRUCTURE', message: 'signed without a timestamp (a plain Signer value, not a session cookie)' });
  }
  if (!decoded.timestamp.ok) return signed('bad_signature', decoded.timestamp.error);
  const seconds = decoded.timestamp.value.seconds;
  let age: number | null = null;
  if (options.maxAge !== undefined && options.maxAge !== null) {
    const now = options.now ?? Math.floor(Date.now() / 1000);
    age = now - Number(seconds);
    if (age > options.maxAge) {
      return signed('expired', { code: 'ERR_TIMESTAMP_RANGE', message: `signature age ${age} s > max age ${options.maxAge} s` }, age);
    }
    if (age < 0) {
      return signed('future_timestamp', { code: 'ERR_TIMESTAMP_RANGE', message: `signed ${-age} s in the future (clock skew?); itsdangerous ≥ 2.0 rejects it` }, age);
    }
  }
  if (seconds > MAX_DATETIME_UNIX_BIG) {
    return signed('malformed', { code: 'ERR_TIMESTAMP_RANGE', message: `timestamp ${seconds} is past year 9999: Python's datetime overflows and Flask answers HTTP 500` }, age);
  }
  if (nesting) return signed('bad_payload', nesting, age);
  if (decoded.payload?.ok === false && decoded.payload.error.code === 'ERR_PAYLOAD_TOO_LARGE') return signed('too_large', decoded.payload.error, age);
  if (!decoded.payload?.ok) {
    const error = decoded.payload?.error ?? { code: 'ERR_JSON' as const, message: 'no payload' };
    return signed('bad_payload', { code: error.code, message: `${error.message} — the signature is valid, so Flask raises BadPayload and answers HTTP 500` }, age);
  }
  return signed('valid', null, age);
}

/** Signs a payload exactly as Flask's SecureCookieSessionInterface would. */
export function signFlaskCookie(payload: PyValue, options: FlaskSignOptions): Result<{ cookie: string; jsonText: string; compressed: boolean; timestamp: number }> {
  try {
    const jsonText = writePythonJson(tag(payload), { sortKeys: options.sortKeys ?? true, ensureAscii: options.ensureAscii ?? true });
    if (/[\ud800-\udfff]/.test(jsonText.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
      throw new SessionLensError('ERR_PAYLOAD_INVALID', 'a lone surrogate cannot be written as UTF-8 without ensure_ascii (Python raises UnicodeEncodeError)');
    }
    const json = utf8Encode(jsonText);
    const zipped = deflateZlib(json);
    // itsdangerous keeps compression only when it saves at least two bytes.
    const compressed = zipped.length < json.length - 1;
    const payloadSegment = (compressed ? '.' : '') + b64urlEncode(compressed ? zipped : json);
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signingInput = `${payloadSegment}.${encodeTimestamp(timestamp)}`;
    const [key] = prepareKeys([options.secret], signerParams(options));
    return { ok: true, value: { cookie: `${signingInput}.${signatureFor(signingInput, key!)}`, jsonText, compressed, timestamp } };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

const FLASK_SHAPE = /^\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{0,11}\.[A-Za-z0-9_-]{20,}$/;

/**
 * Whether the payload segment opens a JSON object, or for a compressed one a zlib stream, from its
 * first bytes only. Not inflated: fflate's set-up alone costs ~80 µs a stream, and a page can send
 * hundreds of cookies; the decode says what is inside.
 */
function payloadLooksLikeFlask(segment: string): boolean {
  const compressed = segment.startsWith('.');
  // 12 base64 characters are 9 bytes: a zlib header, or the start of the JSON text.
  const head = segment.slice(compressed ? 1 : 0, compressed ? 13 : 12);
  let bytes: Uint8Array;
  try {
    bytes = b64urlDecodePython(head.slice(0, head.length - (head.length % 4 === 1 ? 1 : 0)));
  } catch {
    return false;
  }
  if (compressed) return hasZlibHeader(bytes);
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b;
}

/**
 * How likely `value` is a Flask signed session cookie. Costs O(length): the payload is only
 * glanced at (decoding every cookie of a crowded request would let a page make each one slow).
 */
export function detectFlask(name: string, value: string): Detection<'flask'> | null {
  const cookie = unquoteCookieValue(value);
  if (!FLASK_SHAPE.test(cookie)) return null;
  const segments = splitSegments(cookie)!;
  const reasons = ['payload.timestamp.signature in base64url'];
  const compressed = segments.payload.startsWith('.');
  const payloadFits = payloadLooksLikeFlask(segments.payload);
  if (payloadFits) reasons.push(compressed ? 'zlib-compressed payload' : 'JSON object payload');
  let signedAt: bigint | null = null;
  try {
    signedAt = segments.timestamp === null ? null : decodeTimestamp(segments.timestamp);
  } catch {
    /* a malformed timestamp only lowers the confidence */
  }
  if (signedAt !== null) reasons.push(`signed at ${describeUnix(signedAt)}`);
  if (name === FLASK_DEFAULTS.cookieName) reasons.push("Flask's default cookie name");
  const confidence = payloadFits && signedAt !== null ? 'high' : payloadFits || name === FLASK_DEFAULTS.cookieName ? 'medium' : 'low';
  return { format: 'flask', confidence, reasons };
}
