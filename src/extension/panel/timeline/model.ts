// What the timeline shows, in words: labels, explanations, filter, formatting. Pure (no DOM).
import {
  jsonPreview,
  jsonWithin,
  reprPreview,
  reprWithin,
  reprStr,
  type CookieState,
  type Notation,
  type Diagnostic,
  type HttpTimelineEntry,
  type JarEvent,
  type LifecycleEvent,
  type PyValue,
  type Severity,
  type TimelineEntry,
} from '../../../core';

export type TimelineEventName = LifecycleEvent | JarEvent;

/** Event names as the UI writes them (the accessibility contract relies on these). */
export const EVENT_LABELS: Record<TimelineEventName, string> = {
  created: 'Created',
  modified: 'Modified',
  refreshed: 'Refreshed',
  deleted: 'Deleted',
  rejected: 'Rejected',
  read: 'Read',
  untouched: 'Untouched',
  expired: 'Expired',
  evicted: 'Evicted',
  overwritten: 'Overwritten',
  removed: 'Removed',
};

export const EVENT_EXPLANATIONS: Record<TimelineEventName, string> = {
  created: 'The response set a session cookie where the request carried none: a new session.',
  modified: 'The response replaced the session cookie with a different payload.',
  refreshed: 'The response re-sent the session with the same contents (new timestamp or expiry): a sliding expiration.',
  deleted: 'The response deleted the session cookie (Max-Age=0 or an Expires in the past).',
  rejected: 'The server could not use the cookie it was sent (bad signature, expired, undecodable, or an id it did not know) and started over.',
  read: 'The response depends on the session (Vary: Cookie) but did not write it.',
  untouched: 'The request did not involve the session as far as the response shows.',
  expired: 'The browser dropped the cookie because it reached its expiry.',
  evicted: 'The browser evicted the cookie (too many or too large cookies for the site).',
  overwritten: 'The cookie changed in the browser without a response of this tab setting that value (page script, another tab, an extension or DevTools).',
  removed: 'The cookie was removed in the browser without a response of this tab deleting it.',
};

/** For an id kept in a server-side store, when the companion reported what the server did. */
const SERVER_EVENT_EXPLANATIONS: Partial<Record<TimelineEventName, string>> = {
  modified: 'The server saved a changed session in its store; the cookie keeps the same id.',
  read: 'The server read the session and saved no change to its store.',
  untouched: 'The server did not read the session.',
};

export function explanationOf(entry: HttpTimelineEntry): string {
  if (entry.cookieName === null && entry.event === 'untouched') return 'No session cookie in the request or the response.';
  const server = entry.server?.ok && entry.server.report.store ? SERVER_EVENT_EXPLANATIONS[entry.event] : undefined;
  return server ?? EVENT_EXPLANATIONS[entry.event];
}

export function changesTitle(entry: HttpTimelineEntry): string {
  if (!entry.server?.ok || !entry.server.report.store) return 'Payload changes';
  return entry.event === 'modified' ? 'Server-side session changes' : 'Changed on the server, not saved';
}

export const SESSION_ID_LABELS = { new: 'new id', kept: 'id kept', changed: 'new id (replaced)' } as const;

export function entryKey(entry: TimelineEntry): string {
  return `${entry.kind}-${entry.seq}`;
}

export function entryPath(entry: TimelineEntry): string {
  return entry.kind === 'http' ? entry.path : `${entry.cookieName} (cookie jar, ${entry.host})`;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function worstSeverity(diagnostics: readonly Diagnostic[]): Severity | null {
  let worst: Severity | null = null;
  for (const d of diagnostics) if (!worst || SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst]) worst = d.severity;
  return worst;
}

/** `HH:MM:SS.mmm` in local time, like the Network panel's waterfall tooltips. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Everything a filter term can match in a row, lower-cased. */
function haystack(entry: TimelineEntry): string[] {
  const common = [EVENT_LABELS[entry.event].toLowerCase(), ...entry.diagnostics.map((d) => d.code)];
  if (entry.kind === 'jar') return [...common, entry.cookieName.toLowerCase(), entry.host.toLowerCase(), 'jar', entry.change.cause];
  return [
    ...common,
    entry.path.toLowerCase(),
    entry.method.toLowerCase(),
    String(entry.status),
    ...(entry.varyCookie ? ['vary'] : []),
    ...(entry.sessionId ? [SESSION_ID_LABELS[entry.sessionId]] : []),
    ...(entry.cookieName ? [entry.cookieName.toLowerCase()] : []),
  ];
}

/**
 * Filter box semantics: whitespace-separated terms, all of which must match (case-insensitive
 * substring of the path, method, status, event name, cookie name or a diagnostic code);
 * a term starting with `-` must not match.
 */
export function compileFilter(text: string): (entry: TimelineEntry) => boolean {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return () => true;
  const parsed = terms.map((t) => (t.length > 1 && t.startsWith('-') ? { negate: true, term: t.slice(1) } : { negate: false, term: t }));
  return (entry) => {
    const hay = haystack(entry);
    return parsed.every(({ negate, term }) => hay.some((h) => h.includes(term)) !== negate);
  };
}

// ------------------------------------------------------------------ session states


export function verdictLabel(state: CookieState): { text: string; tone: 'ok' | 'bad' | 'neutral' } {
  const { analysis } = state;
  if (analysis.format === 'flask-session' && analysis.verification.decoded.signature === null) return { text: 'Unsigned id', tone: 'neutral' };
  const matched = analysis.format === 'unknown' ? null : analysis.verification.matchedSecretIndex;
  switch (state.verdict) {
    case 'valid':
      return { text: matched ? `Signature valid (fallback key ${matched + 1})` : 'Signature valid', tone: 'ok' };
    case 'unverified':
      return { text: 'Not verified (no secret)', tone: 'neutral' };
    case 'bad_signature':
      return { text: 'Bad signature', tone: 'bad' };
    case 'expired':
      return { text: 'Expired (older than the lifetime)', tone: 'bad' };
    case 'future_timestamp':
      return { text: 'Signed in the future', tone: 'bad' };
    case 'bad_payload':
      return { text: 'Undecodable payload', tone: 'bad' };
    case 'malformed':
      return { text: 'Malformed', tone: 'bad' };
    case 'too_large':
      return { text: 'Refused: too costly to decode', tone: 'bad' };
    default:
      return { text: 'Not a known session format', tone: 'neutral' };
  }
}

// ------------------------------------------------------------------ payloads

/** Python repr, cut to `max` characters. */
export function shortRepr(value: PyValue | undefined, notation: Notation = 'python', max = 160): string {
  if (value === undefined) return '';
  return notation === 'json' ? jsonPreview(value, max) : reprPreview(value, max);
}

export interface PayloadLine {
  depth: number;
  /** `key: ` or `[i]: ` (empty for the root). */
  label: string;
  text: string;
}

const INLINE_LIMIT = 72;
const MAX_LINES = 400;

/**
 * A payload as indented lines: containers whose repr is short stay on one line, longer ones
 * open up one level per line. Capped at `MAX_LINES` (the last line says how much was left out).
 */
export function payloadLines(value: PyValue, notation: Notation = 'python'): PayloadLine[] {
  const lines: PayloadLine[] = [];
  let omitted = 0;
  // A lower bound on each container's rendered length, computed once per node: deep or wide
  // containers are known not to fit on a line without rendering each of them again (a 400-deep
  // nest would otherwise be rendered up to the limit at every level).
  const floors = new Map<PyValue, number>();
  const floor = (v: PyValue): number => {
    if (v.type !== 'dict' && v.type !== 'list' && v.type !== 'tuple') return 1;
    const known = floors.get(v);
    if (known !== undefined) return known;
    // Brackets, then each item (a key: its quotes and ": "), ", " between items: never more than the text.
    let n = 2;
    if (v.type === 'dict') {
      for (const [key, item] of v.entries) if ((n += (n > 2 ? 2 : 0) + key.length + 4 + floor(item)) > INLINE_LIMIT) break;
    } else {
      for (const item of v.items) if ((n += (n > 2 ? 2 : 0) + floor(item)) > INLINE_LIMIT) break;
    }
    floors.set(v, n);
    return n;
  };
  const walk = (v: PyValue, label: string, depth: number) => {
    if (lines.length >= MAX_LINES) {
      omitted += 1;
      return;
    }
    const json = notation === 'json';
    const inline = depth > 0 && floor(v) <= INLINE_LIMIT ? (json ? jsonWithin(v, INLINE_LIMIT) : reprWithin(v, INLINE_LIMIT)) : null;
    const children: [string, PyValue][] | null =
      v.type === 'dict'
        ? [...v.entries].map(([k, item]) => [`${json ? jsonPreview({ type: 'str', value: k }, 400) : reprStr(k)}: `, item])
        : v.type === 'list' || v.type === 'tuple'
          ? v.items.map((item, i) => [`[${i}]: `, item])
          : null;
    if (!children || children.length === 0 || inline !== null) {
      lines.push({ depth, label, text: inline ?? (json ? jsonPreview(v, 400) : reprPreview(v, 400)) });
      return;
    }
    const [open, close] = v.type === 'dict' ? ['{', '}'] : v.type === 'tuple' && !json ? ['(', ')'] : ['[', ']'];
    lines.push({ depth, label, text: `${open} ${children.length} item${children.length === 1 ? '' : 's'}` });
    for (const [childLabel, child] of children) walk(child, childLabel, depth + 1);
    if (lines.length < MAX_LINES) lines.push({ depth, label: '', text: close });
  };
  walk(value, '', 0);
  if (omitted > 0) lines.push({ depth: 0, label: '', text: `… ${omitted} more value${omitted === 1 ? '' : 's'} not shown` });
  return lines;
}

export function exportFileName(origin: string | null, extension: 'json' | 'har', now: Date): string {
  let host = 'timeline';
  try {
    if (origin) host = new URL(origin).host.replace(/[^A-Za-z0-9.-]+/g, '_');
  } catch {
    /* keep the default */
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `session-timeline-${host}-${stamp}.${extension}`;
}
