import type { CompanionVerdict } from './companion-report';
import type { SetCookie } from '../cookies';
import type { DigestName, KeyDerivation, SecretInput } from '../codec/crypto';
import { carriedPayload, type CookieAnalysis } from '../detect';
import type { CapturedExchange } from '../exchange';
import { FLASK_DEFAULTS } from '../formats/flask/cookie';
import type { PayloadChange } from './payload-diff';
import type { PyValue } from '../python/pyvalue';
import type { FormatId, KnownFormatId } from '../formats/registry';
import type { Verdict, VerifyInput } from '../formats/types';

/**
 * What a timeline is made of: the user's settings, each cookie's state at a request, and the
 * entries (one per request, or per cookie-jar change no response explains). The builder
 * (lifecycle.ts) makes them and the diagnostics read them; both import this, not each other.
 */

export type LifecycleEvent = 'created' | 'modified' | 'refreshed' | 'deleted' | 'rejected' | 'read' | 'untouched';
/** Jar changes the responses do not explain: expiry, eviction, or a write/removal by page script or another tool. */
export type JarEvent = 'expired' | 'evicted' | 'overwritten' | 'removed';

/** The app's settings as the user told us (defaults are Flask's). */
export interface SessionSettings {
  /** Session cookie names; cookies whose content looks like a session are found as well. */
  cookieNames: string[];
  /** SECRET_KEY first, then SECRET_KEY_FALLBACKS. */
  secrets: SecretInput[];
  salt?: string;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
  /** PERMANENT_SESSION_LIFETIME in seconds. */
  lifetimeSeconds: number;
}

export const DEFAULT_SETTINGS: SessionSettings = {
  cookieNames: [FLASK_DEFAULTS.cookieName],
  secrets: [],
  lifetimeSeconds: FLASK_DEFAULTS.lifetimeSeconds,
};

/** One cookie value, analysed, as it stood at one request. */
export interface CookieState {
  value: string;
  /** Decode and signature check (independent of time). */
  analysis: CookieAnalysis;
  /**
   * The verdict at this request: the signature verdict, turned into `expired`
   * when the cookie is older than PERMANENT_SESSION_LIFETIME by the server's
   * clock (known from the timestamp even without a secret), or
   * `future_timestamp` when a verified cookie postdates it. Null for cookies
   * of no known format.
   */
  verdict: Verdict | null;
  /** Seconds since signing by the server's clock (Flask cookies with a readable timestamp). */
  ageSeconds: number | null;
}

export interface SetSessionCookie {
  cookie: SetCookie;
  deletion: boolean;
  /** Analysis of the new value; null for a deletion. */
  state: CookieState | null;
}

export interface HttpTimelineEntry {
  kind: 'http';
  seq: number;
  startedAt: number;
  method: string;
  url: string;
  /** Path and query of the URL. */
  path: string;
  host: string;
  status: number;
  redirectTo: string | null;
  /** The session cookie this entry is about, or null when the request involved none. */
  cookieName: string | null;
  sent: CookieState | null;
  set: SetSessionCookie | null;
  /** Every session-cookie value the request carried (more than one is a problem). */
  sentValues: string[];
  varyCookie: boolean;
  vary: string | null;
  cacheControl: string | null;
  event: LifecycleEvent;
  /** For `modified`: what changed in the payload. */
  changes: PayloadChange[];
  /** Flask-Session: was the id kept, or a new one issued? */
  sessionId: 'new' | 'kept' | 'changed' | null;
  /** What the app's session interface did, from the development companion's X-Session-Lens header (null: no header). */
  server: CompanionVerdict | null;
  diagnostics: Diagnostic[];
  /** Request and response headers, for the detail view and export. */
  exchange: CapturedExchange;
}

/** A change in the browser's cookie jar (chrome.cookies.onChanged), with host access. */
export interface JarChange {
  seq: number;
  at: number;
  name: string;
  value: string;
  domain: string;
  removed: boolean;
  /** chrome.cookies.OnChangedCause */
  cause: 'evicted' | 'expired' | 'explicit' | 'expired_overwrite' | 'overwrite';
}

export interface JarTimelineEntry {
  kind: 'jar';
  seq: number;
  startedAt: number;
  cookieName: string;
  host: string;
  event: JarEvent;
  change: JarChange;
  diagnostics: Diagnostic[];
}

export type TimelineEntry = HttpTimelineEntry | JarTimelineEntry;

/** What the builder remembers about one session cookie (per host and name: cookie jars ignore ports). */
export interface CookieTrack {
  key: string;
  lastValue: string | null;
  /** Ports that set this cookie name on this host. */
  portsSetting: Set<string>;
  /** Consecutive responses that replaced the cookie the request sent (or created one when none was sent). */
  replacedStreak: number;
  createdStreak: number;
  /** Recent values the server set (to tell its own cookie-jar writes from page script's). */
  serverValues: Set<string>;
  /** The last response deleted the cookie. */
  serverDeleted: boolean;
  /** The format this cookie's values have had: values of no recognisable shape are read the same way. */
  format: KnownFormatId | null;
  /** Flask-Session ids the server issued (to spot an id it adopts without having issued it). */
  issuedIds: Set<string>;
}

/**
 * The signer settings a user edits (salt, digest, key derivation) are Flask's: they apply to Flask
 * and Flask-Session cookies; every other format verifies with its framework's own (Django: SHA-256
 * and the signed_cookies salt).
 */
export function signerSettingsFor(format: FormatId, settings: SessionSettings): Pick<VerifyInput, 'salt' | 'digest' | 'keyDerivation'> {
  if (format !== 'flask' && format !== 'flask-session') return {};
  return { salt: settings.salt, digest: settings.digest, keyDerivation: settings.keyDerivation };
}

const REJECTED_VERDICTS: ReadonlySet<Verdict> = new Set(['bad_signature', 'expired', 'future_timestamp', 'bad_payload', 'malformed']);

/** The server cannot have used this cookie (known from the secret, or from its age alone). */
export function isRejected(state: CookieState | null): boolean {
  return state?.verdict != null && REJECTED_VERDICTS.has(state.verdict);
}

export function payloadOf(state: CookieState | null): PyValue | null {
  return state ? carriedPayload(state.analysis) : null;
}

/** What looks wrong with a request's session handling, with the fix in the framework's own terms. */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable identifier, e.g. `secure-over-http`. */
  code: string;
  severity: Severity;
  title: string;
  detail: string;
  fix: string;
}
