import { parseCookieHeader, setCookiesOf, type SetCookie } from '../cookies';
import type { HttpHeader } from '../exchange';
import { payloadOf, type CookieState, type HttpTimelineEntry, type JarTimelineEntry, type TimelineEntry } from './entries';
import type { PyValue } from '../python/pyvalue';
import { TIMELINE_REQUEST_HEADERS, TIMELINE_RESPONSE_HEADERS, timelineHeaders } from './timeline-headers';
import { writeTypedJson } from '../python/typed-repr';

/**
 * Exports of the session timeline: a JSON document of Session Lens' own and a
 * HAR 1.2 subset. Cookie values (and everything decoded from them: payloads,
 * diff values, session ids) are redacted unless asked for. Secrets never
 * appear: the builders are not given settings, and only the index of the key
 * that matched is exported.
 */

export interface TimelineExportOptions {
  /** Keep cookie values and what is decoded from them (default false: redacted). */
  includeCookieValues?: boolean;
  /** Export time, ms since the epoch (default: now). */
  exportedAt?: number;
  /** The inspected origin, for the reader. */
  origin?: string | null;
  /** Entries that were dropped before the first exported one (memory cap, collector). */
  droppedEntries?: number;
  toolVersion?: string;
}

export const TIMELINE_EXPORT_FORMAT = 'session-lens-timeline';
export const TIMELINE_EXPORT_VERSION = 1;

/**
 * Replaces cookie values with stable labels (`[redacted-3]`): the same value
 * gets the same label within one export, so a reader still sees when a value
 * was kept or replaced. Free text (diagnostic details) is scrubbed of every
 * value seen.
 */
const KNOWN_ATTRIBUTES = new Set(['path', 'domain', 'expires', 'max-age', 'secure', 'httponly', 'samesite', 'partitioned', 'priority']);

export class CookieRedactor {
  private readonly labels = new Map<string, string>();

  constructor(readonly includeValues: boolean) {}

  value(value: string): string {
    if (this.includeValues || value === '') return value;
    let label = this.labels.get(value);
    if (!label) {
      label = `[redacted-${this.labels.size + 1}]`;
      this.labels.set(value, label);
    }
    return label;
  }

  /** Registers a fragment of a value (e.g. a session id inside a signed cookie) under the value's label. */
  alias(fragment: string, value: string): void {
    if (this.includeValues || fragment.length < 4 || this.labels.has(fragment)) return;
    this.labels.set(fragment, this.value(value));
  }

  cookieHeader(header: string): string {
    if (this.includeValues) return header;
    return parseCookieHeader(header)
      .map(({ name, value }) => (name === '' ? this.value(value) : `${name}=${this.value(value)}`))
      .join('; ');
  }

  setCookie(raw: string): string {
    if (this.includeValues) return raw;
    const [pair = '', ...attributes] = raw.split(';');
    const eq = pair.indexOf('=');
    const redactedPair = eq < 0 ? this.value(pair.trim()) : `${pair.slice(0, eq).trim()}=${this.value(pair.slice(eq + 1).trim())}`;
    // Attributes a browser knows are kept; anything else after a ';' is redacted like a value.
    const redactedAttributes = attributes.map((attribute) => {
      const at = attribute.indexOf('=');
      const name = (at < 0 ? attribute : attribute.slice(0, at)).trim();
      // Known attributes stay readable, minus any cookie value quoted in them.
      if (KNOWN_ATTRIBUTES.has(name.toLowerCase())) return at < 0 ? attribute : `${attribute.slice(0, at + 1)}${this.scrub(attribute.slice(at + 1))}`;
      return at < 0 ? ` ${this.value(name)}` : ` ${name}=${this.value(attribute.slice(at + 1).trim())}`;
    });
    return [redactedPair, ...redactedAttributes].join(';');
  }

  header(header: HttpHeader): HttpHeader {
    const name = header.name.toLowerCase();
    if (name === 'cookie') return { name: header.name, value: this.cookieHeader(header.value) };
    if (name === 'set-cookie') return { name: header.name, value: this.setCookie(header.value) };
    // The companion's report holds the session's contents and its store key (the session id).
    if (name === 'x-session-lens') return { name: header.name, value: this.includeValues ? header.value : this.value(header.value) };
    return { ...header };
  }

  /** Replaces every value (and 40-character prefix of a long value, as diagnostics quote them) in free text. */
  scrub(text: string): string {
    if (this.includeValues || this.labels.size === 0) return text;
    const needles = new Map<string, string>();
    for (const [value, label] of this.labels) {
      if (value.length >= 4) needles.set(value, label);
      if (value.length > 40) needles.set(value.slice(0, 40), label);
    }
    let out = text;
    for (const [needle, label] of [...needles].sort((a, b) => b[0].length - a[0].length)) out = out.split(needle).join(label);
    return out;
  }
}

// ------------------------------------------------------------------ JSON

/** A `$type` payload kept as JSON text, so ints and floats stay apart (`1` vs `1.0`) in the output. */
class TypedJson {
  constructor(readonly text: string) {}
}

function typed(value: PyValue | undefined): TypedJson | undefined {
  return value === undefined ? undefined : new TypedJson(writeTypedJson(value));
}

function stateJson(state: CookieState, redactor: CookieRedactor) {
  const { analysis } = state;
  const out: Record<string, unknown> = {
    value: redactor.value(state.value),
    format: analysis.format,
    detection: analysis.detection.confidence,
    verdict: state.verdict,
  };
  if (analysis.format !== 'unknown') {
    out.signature = analysis.verification.signature;
    out.matchedKeyIndex = analysis.verification.matchedSecretIndex;
  }
  if (analysis.format === 'flask') {
    const v = analysis.verification;
    out.compressed = v.decoded.compressed;
    out.ageSeconds = state.ageSeconds;
    if (v.decoded.timestamp?.ok) out.signedAt = Number(v.decoded.timestamp.value.seconds);
  } else if (analysis.format === 'django') {
    const v = analysis.verification;
    out.compressed = v.decoded.compressed;
    out.ageSeconds = state.ageSeconds;
    out.signedAt = v.decoded.signedAt;
  } else if (analysis.format === 'jwt') {
    const v = analysis.verification;
    out.alg = v.decoded.alg;
    const { iat, nbf, exp } = v.decoded.claims;
    Object.assign(out, { iat, nbf, exp });
  } else if (analysis.format === 'flask-session' || analysis.format === 'express-session') {
    // A server-side session's id is as much a credential as the cookie: redacted the same way.
    const d = analysis.verification.decoded;
    const sid = d.format === 'flask-session' ? d.sid : (d.signed?.value ?? null);
    if (sid !== null) {
      redactor.alias(sid, state.value);
      out.sid = redactor.value(sid);
    }
    if (d.format === 'flask-session') out.sidKind = d.sidKind;
    out.signed = d.format === 'flask-session' ? d.signature !== null : d.signed !== null;
  }
  const payload = payloadOf(state);
  if (payload && redactor.includeValues) out.payload = typed(payload);
  else if (payload?.type === 'dict') out.payloadKeys = [...payload.entries.keys()];
  return out;
}

function cookieAttributes(cookie: SetCookie) {
  return {
    domain: cookie.domain ?? null,
    path: cookie.path ?? null,
    expires: cookie.expires === undefined ? null : new Date(cookie.expires).toISOString(),
    maxAge: cookie.maxAge ?? null,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite ?? null,
    partitioned: cookie.partitioned,
  };
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

function httpJson(entry: HttpTimelineEntry, redactor: CookieRedactor) {
  // Register values first, so diagnostics quoting them get scrubbed.
  const sent = entry.sent ? stateJson(entry.sent, redactor) : null;
  const set = entry.set
    ? {
        value: redactor.value(entry.set.cookie.value),
        deletion: entry.set.deletion,
        attributes: cookieAttributes(entry.set.cookie),
        ...(entry.set.state ? { state: stateJson(entry.set.state, redactor) } : {}),
      }
    : null;
  const request = timelineHeaders(entry.exchange.requestHeaders, TIMELINE_REQUEST_HEADERS).map((h) => redactor.header(h));
  const response = timelineHeaders(entry.exchange.responseHeaders, TIMELINE_RESPONSE_HEADERS).map((h) => redactor.header(h));
  return {
    kind: 'http' as const,
    seq: entry.seq,
    startedAt: isoTime(entry.startedAt),
    method: entry.method,
    url: entry.url,
    status: entry.status,
    redirectTo: entry.redirectTo,
    event: entry.event,
    cookieName: entry.cookieName,
    sessionId: entry.sessionId,
    cookiesSent: entry.sentValues.length,
    varyCookie: entry.varyCookie,
    vary: entry.vary,
    cacheControl: entry.cacheControl,
    sent,
    set,
    changes: entry.changes.map((c) => ({
      path: c.path,
      kind: c.kind,
      ...(redactor.includeValues ? { before: typed(c.before), after: typed(c.after) } : {}),
    })),
    diagnostics: entry.diagnostics.map((d) => ({ ...d, detail: redactor.scrub(d.detail), title: redactor.scrub(d.title) })),
    headers: { request, response },
  };
}

function jarJson(entry: JarTimelineEntry, redactor: CookieRedactor) {
  const { change } = entry;
  return {
    kind: 'jar' as const,
    seq: entry.seq,
    at: isoTime(entry.startedAt),
    event: entry.event,
    cookieName: entry.cookieName,
    domain: change.domain,
    cause: change.cause,
    removed: change.removed,
    value: redactor.value(change.value),
    diagnostics: entry.diagnostics.map((d) => ({ ...d, detail: redactor.scrub(d.detail), title: redactor.scrub(d.title) })),
  };
}

/** The timeline as Session Lens' JSON export (text, two-space indented). */
export function timelineToJson(entries: readonly TimelineEntry[], options: TimelineExportOptions = {}): string {
  const redactor = new CookieRedactor(options.includeCookieValues === true);
  const exported = entries.map((entry) => (entry.kind === 'http' ? httpJson(entry, redactor) : jarJson(entry, redactor)));
  const doc = {
    format: TIMELINE_EXPORT_FORMAT,
    version: TIMELINE_EXPORT_VERSION,
    tool: { name: 'Session Lens', version: options.toolVersion ?? null },
    exportedAt: isoTime(options.exportedAt ?? Date.now()),
    origin: options.origin ?? null,
    cookieValues: redactor.includeValues ? 'included' : 'redacted',
    droppedEntries: options.droppedEntries ?? 0,
    payloadRepresentation: '$type JSON (see the README)',
    entries: exported,
  };
  return stringifyWithTyped(doc);
}

/** JSON.stringify, with `TypedJson` values spliced in as written (indented to their depth). */
function stringifyWithTyped(doc: unknown): string {
  const typedTexts: string[] = [];
  const marker = '\u0000typed:';
  const text = JSON.stringify(
    doc,
    (_key, value: unknown) => {
      if (value instanceof TypedJson) {
        typedTexts.push(value.text);
        return `${marker}${typedTexts.length - 1}`;
      }
      return value;
    },
    2,
  );
  return text.replace(/"\\u0000typed:(\d+)"/g, (_m, index: string) => typedTexts[Number(index)]!);
}

// ------------------------------------------------------------------ HAR

interface HarNameValue {
  name: string;
  value: string;
}

function harCookies(pairs: { name: string; value: string }[], redactor: CookieRedactor): HarNameValue[] {
  return pairs.map(({ name, value }) => ({ name, value: redactor.value(value) }));
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function harEntry(entry: HttpTimelineEntry, redactor: CookieRedactor) {
  const { exchange } = entry;
  const requestHeaders = timelineHeaders(exchange.requestHeaders, TIMELINE_REQUEST_HEADERS);
  const responseHeaders = timelineHeaders(exchange.responseHeaders, TIMELINE_RESPONSE_HEADERS);
  const requestCookies = requestHeaders.flatMap((h) => parseCookieHeader(h.value)).filter((c) => c.name !== '');
  const sent = entry.sent ? stateJson(entry.sent, redactor) : null;
  const setState = entry.set?.state ? stateJson(entry.set.state, redactor) : null;
  const responseCookies = setCookiesOf(responseHeaders);
  return {
    startedDateTime: isoTime(entry.startedAt),
    time: 0,
    request: {
      method: entry.method,
      url: entry.url,
      httpVersion: '',
      cookies: harCookies(requestCookies, redactor),
      headers: requestHeaders.map((h) => redactor.header(h)),
      queryString: queryString(entry.url),
      headersSize: -1,
      bodySize: -1,
    },
    response: {
      status: entry.status,
      statusText: '',
      httpVersion: '',
      cookies: harCookies(responseCookies, redactor),
      headers: responseHeaders.map((h) => redactor.header(h)),
      content: { size: -1, mimeType: '' },
      redirectURL: entry.redirectTo ?? '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    ...(exchange.resourceType ? { _resourceType: exchange.resourceType } : {}),
    _sessionLens: {
      seq: entry.seq,
      event: entry.event,
      cookieName: entry.cookieName,
      sessionId: entry.sessionId,
      verdictSent: sent?.verdict ?? null,
      verdictSet: setState?.verdict ?? null,
      changes: entry.changes.map((c) => ({ path: c.path, kind: c.kind })),
      diagnostics: entry.diagnostics.map((d) => ({ code: d.code, severity: d.severity, title: redactor.scrub(d.title), fix: d.fix })),
    },
  };
}

/**
 * A HAR 1.2 log of the timeline's requests: only the session-related headers,
 * no bodies or timings; each entry carries `_sessionLens` (event, diff paths,
 * diagnostics) and cookie-jar entries go to `log._sessionLensJarChanges`.
 */
export function timelineToHar(entries: readonly TimelineEntry[], options: TimelineExportOptions = {}): string {
  const redactor = new CookieRedactor(options.includeCookieValues === true);
  const http = entries.filter((e): e is HttpTimelineEntry => e.kind === 'http').map((e) => harEntry(e, redactor));
  const jar = entries.filter((e): e is JarTimelineEntry => e.kind === 'jar').map((e) => jarJson(e, redactor));
  const log = {
    log: {
      version: '1.2',
      creator: { name: 'Session Lens', version: options.toolVersion ?? '' },
      comment: `Session timeline${options.origin ? ` for ${options.origin}` : ''}; cookie values ${redactor.includeValues ? 'included' : 'redacted'}; only Cookie, Set-Cookie, Vary, Cache-Control, Location, Date and X-Session-Lens headers.`,
      pages: [],
      entries: http,
      _sessionLensJarChanges: jar,
      _sessionLensExportedAt: isoTime(options.exportedAt ?? Date.now()),
      _sessionLensDroppedEntries: options.droppedEntries ?? 0,
    },
  };
  return JSON.stringify(log, null, 2);
}
