// "Edit & sign": a new Flask session cookie from edited `$type` JSON and a pasted key. Pure: it
// signs nothing until asked, and writes nothing (PanelStore.writeSessionCookie does, on a click).
import {
  COOKIE_SIZE_LIMIT,
  cookieSize,
  parseTypedJson,
  signFlaskCookie,
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

export type ForgeResult =
  | { ok: true; value: string; bytes: number; fits: boolean; timestamp: number }
  | { ok: false; error: string };

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
  const bytes = cookieSize(request.cookieName, signed.value.cookie);
  return { ok: true, value: signed.value.cookie, bytes, fits: bytes <= COOKIE_SIZE_LIMIT, timestamp };
}
