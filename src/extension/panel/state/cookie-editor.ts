// "Edit & sign": a new Flask session cookie from edited `$type` JSON and a pasted key, or a
// Flask-Session cookie set to another id (signed with a pasted key or not). Pure: it signs nothing
// until asked, and writes nothing (PanelStore.writeSessionCookie does, on a click).
import {
  COOKIE_SIZE_LIMIT,
  cookieSize,
  parseTypedJson,
  signFlaskCookie,
  signFlaskSessionId,
  writeTypedJson,
  type FlaskDecoded,
  type PyValue,
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
