// "Edit & sign": a new Flask session cookie from edited `$type` JSON and a pasted key, a
// Flask-Session or express-session cookie set to another id (signed with a pasted key or not), or
// the session of a JSON format (Django, JWT, cookie-session, cookie-parser, Rails) re-signed. Pure:
// it signs nothing until asked, and writes nothing (PanelStore.writeSessionCookie does, on a click).
import {
  COOKIE_SIZE_LIMIT,
  cookieSessionSignature,
  cookieSize,
  parseTypedJson,
  signCookieParserValue,
  signCookieSession,
  signDjangoCookie,
  signExpressSessionId,
  signFlaskCookie,
  signFlaskSessionId,
  signJwt,
  signRailsCookie,
  signatureCookieName,
  writeTypedJson,
  type CookieAnalysis,
  type FlaskDecoded,
  type HmacAlgorithm,
  type PyValue,
  type Result,
  type SessionSettings,
} from '../../../core';

export type TimestampChoice = 'keep' | 'now';

export interface ForgeRequest {
  cookieName: string;
  /** The payload in the `$type` JSON form, as the user edited it. */
  payloadText: string;
  /** Index into `settings.secrets` of the key that signs. */
  secretIndex: number;
  timestamp: TimestampChoice;
}

export interface ForgedCookie {
  ok: true;
  value: string;
  bytes: number;
  /** Whether browsers keep it (name + value within 4093 bytes). */
  fits: boolean;
  /** A second cookie that must be set with it (cookie-session's `.sig`). */
  companion?: { name: string; value: string };
}

export type ForgeFailure = { ok: false; error: string };
export type ForgeResult = (ForgedCookie & { timestamp: number }) | ForgeFailure;

function forged(cookieName: string, value: string): ForgedCookie {
  const bytes = cookieSize(cookieName, value);
  return { ok: true, value, bytes, fits: bytes <= COOKIE_SIZE_LIMIT };
}

/** The payload as the editor starts it: indented `$type` JSON, which round-trips exactly. */
export function editablePayload(payload: PyValue): string {
  return writeTypedJson(payload, '  ');
}

/** The original cookie's signing time in seconds, when it has one that fits a Unix time. */
export function originalTimestamp(decoded: FlaskDecoded): number | null {
  const ts = decoded.timestamp;
  if (!ts?.ok) return null;
  const seconds = Number(ts.value.seconds);
  return Number.isSafeInteger(seconds) && seconds >= 0 ? seconds : null;
}

/** Signs the edited payload with the chosen key, as Flask would (same salt, digest, derivation). */
export function forgeFlaskCookie(request: ForgeRequest, settings: SessionSettings, decoded: FlaskDecoded, nowMs: number): ForgeResult {
  const secret = settings.secrets[request.secretIndex];
  if (!secret) return { ok: false, error: 'Paste the key that signs (SECRET_KEY) in Secrets first.' };
  let payload: PyValue;
  try {
    payload = parseTypedJson(request.payloadText);
  } catch (error) {
    return { ok: false, error: `The payload is not valid $type JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (payload.type !== 'dict') return { ok: false, error: 'A Flask session is a dict: the payload must be a JSON object.' };
  const kept = originalTimestamp(decoded);
  const timestamp = request.timestamp === 'keep' && kept !== null ? kept : Math.floor(nowMs / 1000);
  const signed = signFlaskCookie(payload, { secret, timestamp, salt: settings.salt, digest: settings.digest, keyDerivation: settings.keyDerivation });
  if (!signed.ok) return { ok: false, error: signed.error.message };
  return { ...forged(request.cookieName, signed.value.cookie), timestamp };
}

export interface SessionIdRequest {
  cookieName: string;
  /** The id to send, without a signature. */
  sid: string;
  /** Index into `settings.secrets` of the key that signs it, or null to send it unsigned (SESSION_USE_SIGNER off). */
  signWith: number | null;
}

/** RFC 6265 cookie-octets: what a cookie value can hold without quoting. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/** A Flask-Session cookie for another id: `sid`, or `sid.signature` as Flask-Session signs it (salt 'flask-session'). */
export function forgeFlaskSessionId(request: SessionIdRequest, settings: SessionSettings): ForgedCookie | ForgeFailure {
  const sid = request.sid.trim();
  if (sid === '') return { ok: false, error: 'Type the session id to send.' };
  if (!COOKIE_OCTETS.test(sid)) return { ok: false, error: 'A session id cannot hold spaces, quotes, commas, semicolons, backslashes or control characters.' };
  if (request.signWith === null) return forged(request.cookieName, sid);
  const secret = settings.secrets[request.signWith];
  if (!secret) return { ok: false, error: 'Paste the key that signs (SECRET_KEY) in Secrets first.' };
  const signed = signFlaskSessionId(sid, { secret, salt: settings.salt, digest: settings.digest, keyDerivation: settings.keyDerivation });
  return signed.ok ? forged(request.cookieName, signed.value) : { ok: false, error: signed.error.message };
}

/** The formats whose session the JSON editor re-signs: their payload is JSON the app reads back. */
export type JsonSessionFormat = 'django' | 'jwt' | 'cookie-session' | 'cookie-parser' | 'rails';

export function isJsonSessionFormat(format: string): format is JsonSessionFormat {
  return ['django', 'jwt', 'cookie-session', 'cookie-parser', 'rails'].includes(format);
}


export interface JsonSessionRequest {
  cookieName: string;
  /** The session as JSON, as the user edited it (`$type` objects for what plain JSON cannot hold exactly, as editablePayload writes them). */
  payloadText: string;
  secretIndex: number;
  /** 12 random bytes for a Rails encrypted cookie's IV (the caller's: the editor stays deterministic). */
  iv: Uint8Array;
}

/**
 * Signs the edited session the way the cookie's framework does, with the settings the shown
 * cookie was read with (a JWT keeps its HMAC algorithm, a Rails cookie its kind and key digest).
 */
export function forgeJsonSession(analysis: Extract<CookieAnalysis, { format: JsonSessionFormat }>, request: JsonSessionRequest, settings: SessionSettings, nowMs: number): ForgedCookie | ForgeFailure {
  const secret = settings.secrets[request.secretIndex];
  if (!secret) return { ok: false, error: 'Paste the key that signs in Secrets first.' };
  let payload: PyValue;
  try {
    payload = parseTypedJson(request.payloadText);
  } catch (error) {
    return { ok: false, error: `The session is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const name = request.cookieName;
  let signed: Result<string>;
  switch (analysis.format) {
    case 'django':
      signed = signDjangoCookie(payload, { secret, timestamp: Math.floor(nowMs / 1000) });
      break;
    case 'jwt': {
      const alg = analysis.verification.decoded.alg;
      const algorithm: HmacAlgorithm = alg === 'HS384' || alg === 'HS512' ? alg : 'HS256';
      signed = signJwt(payload, { secret, algorithm });
      break;
    }
    case 'cookie-session': {
      signed = signCookieSession(payload, { secret });
      if (!signed.ok) return { ok: false, error: signed.error.message };
      return { ...forged(name, signed.value), companion: { name: signatureCookieName(name), value: cookieSessionSignature(name, signed.value, secret) } };
    }
    case 'cookie-parser':
      signed = signCookieParserValue(payload, { secret });
      break;
    case 'rails': {
      const d = analysis.verification.decoded;
      signed = signRailsCookie(payload, { secret, cookieName: name, digest: d.keyDigest ?? undefined, kind: d.kind === 'signed' ? 'signed' : 'encrypted', iv: request.iv });
      break;
    }
  }
  return signed.ok ? forged(name, signed.value) : { ok: false, error: signed.error.message };
}

/** An express-session cookie for another session id, signed with the pasted key as express-session signs it. */
export function forgeExpressSessionId(request: { cookieName: string; sid: string; secretIndex: number }, settings: SessionSettings): ForgedCookie | ForgeFailure {
  const sid = request.sid.trim();
  if (sid === '') return { ok: false, error: 'Type the session id to send.' };
  const secret = settings.secrets[request.secretIndex];
  if (!secret) return { ok: false, error: 'Paste the key that signs (the app’s secret) in Secrets first.' };
  const signed = signExpressSessionId(sid, { secret });
  return signed.ok ? forged(request.cookieName, signed.value) : { ok: false, error: signed.error.message };
}

/** The JSON a JSON format's editor starts from, or null when the shown cookie has none readable. */
export function jsonSessionOf(analysis: CookieAnalysis): PyValue | null {
  switch (analysis.format) {
    case 'django': {
      // A pickled session is re-signed as JSON by nothing here: the app would not read it back.
      const { payload } = analysis.verification.decoded;
      return payload?.ok && !payload.value.pickled ? payload.value.value : null;
    }
    case 'jwt':
      return analysis.verification.decoded.payload;
    case 'cookie-session':
      return analysis.verification.decoded.payload.ok ? analysis.verification.decoded.payload.value : null;
    case 'cookie-parser':
      return analysis.verification.decoded.value;
    case 'rails': {
      const { message } = analysis.verification.decoded;
      return message?.ok ? message.value.value : null;
    }
    default:
      return null;
  }
}

