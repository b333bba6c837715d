import { companionReportOfExchange, type CompanionVerdict } from './companion-report';
import { MAX_COOKIES_EXAMINED, headerValues, isDeletion, requestCookiesOf, setCookiesOf, type SetCookie } from '../cookies';
import { detectFormats, readCookie, verifyReading, type CookieAnalysis, type CookieReading } from '../detect';
import { diagnoseExchange, diagnoseHistory, diagnoseJar } from './diagnostics';
import type { CapturedExchange } from '../exchange';
import { diffPayloads } from './payload-diff';
import { formatById } from '../formats/registry';
import { jwtVerdictAt } from '../formats/jwt/token';
import { DJANGO_DEFAULTS } from '../formats/django/signed-cookie';
import { signatureCookieName } from '../formats/cookie-session/session-cookie';
import {
  isRejected,
  signerSettingsFor,
  payloadOf,
  type CookieState,
  type CookieTrack,
  type HttpTimelineEntry,
  type JarChange,
  type JarEvent,
  type JarTimelineEntry,
  type LifecycleEvent,
  type SessionSettings,
} from './entries';

/**
 * The session lifecycle: for every request, what happened to the session
 * cookie (created, modified, refreshed, deleted, rejected, read, untouched),
 * why, and what looks wrong. Pure: fed with captured exchanges and cookie-jar
 * changes, in order.
 */

function sessionIdOf(state: CookieState | null): string | null {
  return state?.analysis.format === 'flask-session' ? state.analysis.verification.decoded.sid : null;
}

/** The name of the first of the request's, then the response's cookies (at most MAX_COOKIES_EXAMINED in all) that `isSession` accepts. */
function firstSessionName(
  requestCookies: readonly { name: string; value: string }[],
  setCookies: readonly SetCookie[],
  isSession: (cookie: { name: string; value: string }) => boolean,
): string | null {
  let examined = 0;
  for (const list of [requestCookies, setCookies]) {
    for (const cookie of list) {
      if (examined++ >= MAX_COOKIES_EXAMINED) return null;
      if (isSession(cookie)) return cookie.name;
    }
  }
  return null;
}

const REMEMBERED_VALUES = 50;

function rememberValue(values: Set<string>, value: string): void {
  values.delete(value);
  values.add(value);
  if (values.size > REMEMBERED_VALUES) values.delete(values.values().next().value!);
}

/**
 * A server-side session's cookie holds only an id, so the cookie alone says "refreshed, id kept".
 * With the companion's report of the session as the server opened and saved it, a kept id is
 * Modified (with the same diff as a signed cookie), Read or Untouched.
 */
function applyServerSession(entry: HttpTimelineEntry): void {
  const report = entry.server?.ok ? entry.server.report : null;
  if (!report?.store || report.opened === null || report.saved === null) return;
  if (entry.event !== 'refreshed' && entry.event !== 'read' && entry.event !== 'untouched') return;
  entry.changes = diffPayloads(report.opened, report.saved);
  // The event is what reached the store: a change the interface did not write is not a modification
  // (the changes stay on the entry, and the change-not-saved diagnostic says it was lost).
  const saved = report.store.write === 'written';
  entry.event = entry.changes.length > 0 && saved ? 'modified' : report.flags.accessed ? 'read' : 'untouched';
}

/**
 * What an exchange says whatever the settings, parsed once: every builder (a rebuild after a key
 * is typed makes a new one) reads the same facts.
 */
interface ExchangeFacts {
  path: string;
  host: string;
  /** The port a cookie set here counts for (the scheme's default when the URL has none). */
  port: string;
  requestCookies: { name: string; value: string }[];
  setCookies: SetCookie[];
  vary: string | null;
  varyCookie: boolean;
  cacheControl: string | null;
  redirectTo: string | null;
  /** The server's clock (its Date header) when it sent one, else the request's start. */
  serverNowMs: number;
  server: CompanionVerdict | null;
}

const exchangeFacts = new WeakMap<CapturedExchange, ExchangeFacts>();

function factsOf(exchange: CapturedExchange): ExchangeFacts {
  let facts = exchangeFacts.get(exchange);
  if (facts) return facts;
  let url: URL;
  try {
    url = new URL(exchange.url);
  } catch {
    url = new URL('http://invalid.invalid/');
  }
  const { responseHeaders } = exchange;
  const varyValues = headerValues(responseHeaders, 'vary');
  const cacheValues = headerValues(responseHeaders, 'cache-control');
  const serverDate = Date.parse(headerValues(responseHeaders, 'date')[0] ?? '');
  facts = {
    path: url.pathname + url.search,
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? '443' : '80'),
    requestCookies: requestCookiesOf(exchange.requestHeaders),
    setCookies: setCookiesOf(responseHeaders),
    vary: varyValues.length ? varyValues.join(', ') : null,
    varyCookie: varyValues.some((v) => v.split(',').some((t) => ['cookie', '*'].includes(t.trim().toLowerCase()))),
    cacheControl: cacheValues.length ? cacheValues.join(', ') : null,
    redirectTo: exchange.redirectURL || headerValues(responseHeaders, 'location')[0] || null,
    serverNowMs: Number.isNaN(serverDate) ? exchange.startedAt : serverDate,
    server: companionReportOfExchange(exchange),
  };
  exchangeFacts.set(exchange, facts);
  return facts;
}

/** Cookie values a timeline remembers the reading and the verdict of (twice the Timeline's 10,000 rows). */
const MAX_REMEMBERED_COOKIES = 20_000;

/**
 * Cookie values read (detected and decoded) once, for every builder that is given the same
 * store: settings change only what verification says. Forgotten all at once past a bound.
 */
export class CookieReadings {
  private readonly readings = new Map<string, CookieReading>();

  constructor(private readonly maxEntries = MAX_REMEMBERED_COOKIES) {}

  read(name: string, value: string, fallbackFormat: CookieTrack['format']): CookieReading {
    const key = `${fallbackFormat ?? ''}:${name}=${value}`;
    let reading = this.readings.get(key);
    if (!reading) {
      reading = readCookie(name, value, { fallbackFormat: fallbackFormat ?? undefined });
      if (this.readings.size >= this.maxEntries) this.readings.clear();
      this.readings.set(key, reading);
    }
    return reading;
  }
}

/**
 * Builds the timeline incrementally. Analyses are cached per cookie value, so
 * re-sent cookies cost nothing; create a new builder when settings change (handing it the old
 * one's readings).
 */
export class TimelineBuilder {
  /** Per reading, per `.sig` companion (null for every format but cookie-session's). */
  private readonly analyses = new Map<CookieReading, Map<string | null, CookieAnalysis>>();
  private readonly tracks = new Map<string, CookieTrack>();
  private readonly knownNames: Set<string>;

  /** `readings` may be shared with the builder this one replaces: only verification is redone. */
  constructor(
    readonly settings: SessionSettings,
    readonly readings: CookieReadings = new CookieReadings(),
  ) {
    this.knownNames = new Set(settings.cookieNames);
  }

  private analyze(name: string, value: string, signatureCookie: string | null, serverNow: number, track: CookieTrack): CookieState {
    const reading = this.readings.read(name, value, track.format);
    const signature = reading.format === 'cookie-session' ? signatureCookie : null;
    let bySignature = this.analyses.get(reading);
    let analysis = bySignature?.get(signature);
    if (!analysis) {
      // No age check here: a reading is shared by every request, so ages are judged per request below.
      analysis = verifyReading(reading, {
        secrets: this.settings.secrets,
        ...signerSettingsFor(reading.format, this.settings),
        maxAge: null,
        cookieName: name,
        signatureCookie: signature,
      });
      if (this.analyses.size > MAX_REMEMBERED_COOKIES) this.analyses.clear();
      if (!this.analyses.has(reading)) this.analyses.set(reading, (bySignature = new Map()));
      bySignature!.set(signature, analysis);
    }
    if (analysis.format !== 'unknown' && analysis.detection.confidence !== 'low') track.format = analysis.format;
    if (analysis.format === 'unknown') return { value, analysis, verdict: null, ageSeconds: null };
    let verdict = analysis.verification.verdict;
    let ageSeconds: number | null = null;
    if (analysis.format === 'flask') {
      const ts = analysis.verification.decoded.timestamp;
      if (ts?.ok) {
        ageSeconds = serverNow - Number(ts.value.seconds);
        if ((verdict === 'valid' || verdict === 'unverified') && ageSeconds > this.settings.lifetimeSeconds) verdict = 'expired';
        else if (verdict === 'valid' && ageSeconds < 0) verdict = 'future_timestamp';
      }
    } else if (analysis.format === 'django') {
      const { signedAt } = analysis.verification.decoded;
      if (signedAt !== null) {
        ageSeconds = serverNow - signedAt;
        // SESSION_COOKIE_AGE at this request's time; Django has no check for a future timestamp.
        if ((verdict === 'valid' || verdict === 'unverified') && ageSeconds > DJANGO_DEFAULTS.maxAgeSeconds) verdict = 'expired';
      }
    } else if (analysis.format === 'jwt') {
      // exp and nbf as the server saw them at this request, not by today's clock.
      verdict = jwtVerdictAt(analysis.verification, serverNow);
      const { iat } = analysis.verification.decoded.claims;
      if (iat !== null) ageSeconds = serverNow - iat;
    }
    return { value, analysis, verdict, ageSeconds };
  }

  /** A cookie name is a session cookie when configured, or once its content has looked like one. */
  private isSessionName(name: string, value: string): boolean {
    if (this.knownNames.has(name)) return true;
    const best = detectFormats(name, value)[0]!;
    if (best.format !== 'unknown' && best.confidence !== 'low') {
      this.knownNames.add(name);
      return true;
    }
    return false;
  }

  private track(host: string, name: string): CookieTrack {
    const key = `${host}|${name}`;
    let track = this.tracks.get(key);
    if (!track) {
      track = {
        key,
        lastValue: null,
        portsSetting: new Set(),
        replacedStreak: 0,
        createdStreak: 0,
        serverValues: new Set(),
        serverDeleted: false,
        format: null,
        issuedIds: new Set(),
      };
      this.tracks.set(key, track);
    }
    return track;
  }

  addExchange(exchange: CapturedExchange): HttpTimelineEntry {
    const facts = factsOf(exchange);
    const { requestCookies, setCookies } = facts;
    const configured = this.settings.cookieNames;
    const cookieName =
      requestCookies.find((c) => configured.includes(c.name))?.name ??
      setCookies.find((c) => configured.includes(c.name))?.name ??
      firstSessionName(requestCookies, setCookies, (c) => this.isSessionName(c.name, c.value));

    const entry: HttpTimelineEntry = {
      kind: 'http',
      seq: exchange.seq,
      startedAt: exchange.startedAt,
      method: exchange.method,
      url: exchange.url,
      path: facts.path,
      host: facts.host,
      status: exchange.status,
      redirectTo: facts.redirectTo,
      cookieName,
      sent: null,
      set: null,
      sentValues: [],
      varyCookie: facts.varyCookie,
      vary: facts.vary,
      cacheControl: facts.cacheControl,
      event: facts.varyCookie ? 'read' : 'untouched',
      changes: [],
      sessionId: null,
      server: facts.server,
      diagnostics: [],
      exchange,
    };
    if (cookieName === null) {
      entry.diagnostics = diagnoseExchange(entry, this.settings);
      return entry;
    }

    // Ages are judged by the server's clock.
    const serverNowMs = facts.serverNowMs;
    const serverNow = Math.floor(serverNowMs / 1000);
    const track = this.track(facts.host, cookieName);
    entry.sentValues = requestCookies.filter((c) => c.name === cookieName).map((c) => c.value);
    // Werkzeug reads the first of several same-name cookies.
    // cookie-session's signature comes in a second cookie; the browser keeps the old one unless the response replaces it.
    const sigName = signatureCookieName(cookieName);
    const sentSig = requestCookies.find((c) => c.name === sigName)?.value ?? null;
    const setSig = setCookies.findLast((c) => c.name === sigName);
    entry.sent = entry.sentValues.length ? this.analyze(cookieName, entry.sentValues[0]!, sentSig, serverNow, track) : null;
    const lastSet = setCookies.findLast((c) => c.name === cookieName);
    if (lastSet) {
      const deletion = isDeletion(lastSet, serverNowMs);
      const nextSig = setSig ? (isDeletion(setSig, serverNowMs) ? null : setSig.value) : sentSig;
      entry.set = { cookie: lastSet, deletion, state: deletion ? null : this.analyze(cookieName, lastSet.value, nextSig, serverNow, track) };
      track.portsSetting.add(facts.port);
    }
    this.classify(entry, track);
    applyServerSession(entry);
    entry.diagnostics = [...diagnoseExchange(entry, this.settings), ...diagnoseHistory(entry, track)];
    const issued = sessionIdOf(entry.set?.state ?? null);
    if (issued !== null) track.issuedIds.add(issued);
    if (entry.set) {
      track.lastValue = entry.set.deletion ? null : entry.set.cookie.value;
      track.serverDeleted = entry.set.deletion;
      if (!entry.set.deletion) rememberValue(track.serverValues, entry.set.cookie.value);
    } else if (entry.sent) {
      track.lastValue = entry.sent.value;
    }
    return entry;
  }

  private classify(entry: HttpTimelineEntry, track: CookieTrack): void {
    const { sent, set } = entry;
    if (set?.state) {
      const sentSid = sessionIdOf(sent);
      const newSid = sessionIdOf(set.state);
      if (newSid !== null) entry.sessionId = sentSid === null ? 'new' : sentSid === newSid ? 'kept' : 'changed';
    }
    entry.event = this.eventOf(entry);
    const replacedOrNew = set?.state != null && (entry.event === 'rejected' || entry.event === 'created');
    track.replacedStreak = replacedOrNew ? track.replacedStreak + 1 : 0;
    track.createdStreak = set?.state != null && entry.event === 'created' ? track.createdStreak + 1 : 0;
  }

  private eventOf(entry: HttpTimelineEntry): LifecycleEvent {
    const { sent, set } = entry;
    if (set?.deletion) return 'deleted';
    if (!set?.state) {
      if (isRejected(sent)) return 'rejected';
      return entry.varyCookie ? 'read' : 'untouched';
    }
    if (!sent) return 'created';
    if (sent.value === set.state.value) return 'refreshed';
    if (isRejected(sent)) return 'rejected';
    switch (set.state.analysis.format) {
      case 'flask-session':
        return entry.sessionId === 'changed' ? 'rejected' : 'refreshed';
      case 'unknown':
        return 'modified';
      default: {
        // A format whose cookie carries the session (Flask, JWT): compare what it says.
        const before = payloadOf(sent);
        const after = payloadOf(set.state);
        // The server cannot have read what it was sent: it started over. (Unless only we cannot read
        // it: an encrypted cookie without its key.)
        if (!before) return sent.verdict === 'unverified' ? 'modified' : 'rejected';
        if (!after) return 'modified';
        entry.changes = diffPayloads(before, after);
        const reissued: readonly (string | number)[] = formatById(set.state.analysis.format).reissueKeys;
        return entry.changes.every((c) => c.path.length === 1 && reissued.includes(c.path[0]!)) ? 'refreshed' : 'modified';
      }
    }
  }

  /**
   * A cookie-jar change, or null when it only mirrors a response already in
   * the timeline (the browser storing or deleting what the server sent). The
   * caller should feed jar changes shortly after the network events of the
   * same moment, which arrive later than the jar's.
   */
  addJarChange(change: JarChange): JarTimelineEntry | null {
    const host = change.domain.replace(/^\./, '');
    const track = this.track(host, change.name);
    let event: JarEvent;
    if (change.cause === 'expired' || change.cause === 'expired_overwrite') event = 'expired';
    else if (change.cause === 'evicted') event = 'evicted';
    else if (change.cause === 'overwrite') return null; // always followed by the write that replaced it
    else if (change.removed) {
      if (track.serverDeleted) return null;
      event = 'removed';
    } else {
      if (track.serverValues.has(change.value)) return null;
      event = 'overwritten';
    }
    const entry: JarTimelineEntry = { kind: 'jar', seq: change.seq, startedAt: change.at, cookieName: change.name, host, event, change, diagnostics: [] };
    entry.diagnostics = diagnoseJar(entry, track);
    track.lastValue = change.removed ? null : change.value;
    return entry;
  }

  /** Whether a jar change concerns a session cookie (so it belongs in the timeline). */
  isSessionCookie(name: string, value: string): boolean {
    return this.isSessionName(name, value);
  }
}
