import { MAX_COOKIES_EXAMINED, cookieSize, isDeletion, requestCookiesOf, setCookiesOf, type CookieAttributes } from './cookies';
import { detectFormats } from './detect';
import type { CapturedExchange } from './exchange';
import { signatureCookieName } from './formats/cookie-session/session-cookie';
import type { FormatDetection } from './formats/registry';

/**
 * Finds the inspected site's session cookie(s) from what the panel has seen:
 * the network traffic and, with host access, the browser's cookie jar.
 */

/** A cookie from the browser's jar (chrome.cookies.Cookie, trimmed to what the core needs). */
export interface JarCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
  /** Seconds since the epoch; absent for browser-session cookies. */
  expirationDate?: number;
  partitioned?: boolean;
}

export type CandidateSource = 'jar' | 'response' | 'request';

export interface SessionCandidate {
  name: string;
  value: string;
  /** Where the current value was seen: the jar is authoritative, then the latest traffic. */
  source: CandidateSource;
  /** From the jar or the latest Set-Cookie; null when only a request Cookie header carried it. */
  attributes: CookieAttributes | null;
  /** When the attributes were received (for Max-Age), ms since the epoch. */
  attributesAt: number | null;
  sizeBytes: number;
  detection: FormatDetection;
  /** Why it is listed: default name, a name the user configured, or its content. */
  reason: 'pinned' | 'configured' | 'default-name' | 'content';
  /** Seen deleted by the latest Set-Cookie for this name. */
  deleted: boolean;
  /** The `<name>.sig` cookie seen with it (cookie-session's signature), or null. */
  signatureCookie: string | null;
}

export interface FindOptions {
  /** Cookie names the user configured for this origin (in addition to Flask's default `session`). */
  configuredNames?: readonly string[];
  pinnedName?: string | null;
  nowMs?: number;
}

const DEFAULT_NAME = 'session';
const REASON_RANK = { pinned: 0, configured: 1, 'default-name': 2, content: 3 } as const;
const CONFIDENCE_RANK = { high: 0, medium: 1, low: 2 } as const;

function jarAttributes(c: JarCookie): CookieAttributes {
  return {
    domain: c.domain,
    path: c.path,
    expires: c.expirationDate !== undefined ? Math.round(c.expirationDate * 1000) : undefined,
    httpOnly: c.httpOnly,
    secure: c.secure,
    sameSite: c.sameSite,
    partitioned: c.partitioned === true,
  };
}

interface Sighting {
  value: string;
  source: CandidateSource;
  attributes: CookieAttributes | null;
  at: number | null;
  deleted: boolean;
}

/** The latest value of every cookie name in the traffic, oldest exchange first in the input. */
function latestFromTraffic(exchanges: readonly CapturedExchange[], nowMs: number): Map<string, Sighting> {
  const latest = new Map<string, Sighting>();
  for (const exchange of exchanges) {
    for (const { name, value } of requestCookiesOf(exchange.requestHeaders)) {
      const previous = latest.get(name);
      // Sent before that Set-Cookie's request even started (it finished later): an older value.
      if (previous?.source === 'response' && previous.at !== null && exchange.startedAt < previous.at) continue;
      // A request only repeats what the jar holds; keep the attributes a Set-Cookie told us.
      latest.set(name, { value, source: 'request', attributes: previous?.attributes ?? null, at: previous?.at ?? null, deleted: false });
    }
    for (const cookie of setCookiesOf(exchange.responseHeaders)) {
      const deleted = isDeletion(cookie, Math.max(nowMs, exchange.startedAt));
      latest.set(cookie.name, { value: cookie.value, source: 'response', attributes: cookie, at: exchange.startedAt, deleted });
    }
  }
  return latest;
}

/**
 * Lists the cookies that look like sessions, most likely first. The jar (when
 * readable) gives the current value; traffic fills in what the jar cannot
 * show and cookies set before host access was granted.
 */
export function findSessionCandidates(exchanges: readonly CapturedExchange[], jar: readonly JarCookie[], options: FindOptions = {}): SessionCandidate[] {
  const nowMs = options.nowMs ?? Date.now();
  const configured = new Set(options.configuredNames ?? []);
  const sightings = latestFromTraffic(exchanges, nowMs);
  for (const cookie of jar) {
    sightings.set(cookie.name, { value: cookie.value, source: 'jar', attributes: jarAttributes(cookie), at: null, deleted: false });
  }
  const candidates: SessionCandidate[] = [];
  let examined = 0;
  for (const [name, seen] of sightings) {
    const named = name === options.pinnedName ? 'pinned' : configured.has(name) ? 'configured' : name === DEFAULT_NAME ? 'default-name' : null;
    if (!named && ++examined > MAX_COOKIES_EXAMINED) continue;
    const detection = detectFormats(name, seen.value)[0]!;
    const reason = named ?? (detection.format !== 'unknown' ? 'content' : null);
    if (!reason) continue;
    candidates.push({
      name,
      value: seen.value,
      source: seen.source,
      attributes: seen.attributes,
      attributesAt: seen.at,
      sizeBytes: cookieSize(name, seen.value),
      detection,
      reason,
      deleted: seen.deleted,
      signatureCookie: sightings.get(signatureCookieName(name))?.value ?? null,
    });
  }
  return candidates.sort(
    (a, b) =>
      REASON_RANK[a.reason] - REASON_RANK[b.reason] ||
      Number(a.deleted) - Number(b.deleted) ||
      CONFIDENCE_RANK[a.detection.confidence] - CONFIDENCE_RANK[b.detection.confidence] ||
      // Code-unit order: localeCompare's first use sets up a collator (~10 ms), and a page can send hundreds of names.
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
