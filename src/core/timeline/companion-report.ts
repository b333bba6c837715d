import { b64urlDecodeStrict, utf8DecodeStrict } from '../codec/bytes';
import { toErrorInfo, type ErrorInfo } from '../errors';
import type { CapturedExchange } from '../exchange';
import { parsePythonJsonDocument } from '../python/pyjson';
import type { PyValue } from '../python/pyvalue';
import { fromTypedTree } from '../python/typed-repr';

/**
 * The X-Session-Lens header of the Flask companion (companion/README.md): unpadded base64url of
 * UTF-8 JSON saying what the server's session interface did on one request. A site controls its
 * headers, so this is hostile input: the decoder is total (never throws), caps the header length
 * and the JSON depth, and checks every field's type.
 */

export const COMPANION_HEADER = 'x-session-lens';
/** Four times the companion's default 16 KB cap. */
export const MAX_COMPANION_HEADER_LENGTH = 65_536;
/** The companion cuts nesting at 100 levels; its own wrapping adds a few. */
export const MAX_COMPANION_JSON_DEPTH = 128;

/**
 * A value the `$type` representation has no form for, or one the companion redacted. It stands in
 * the session tree as a string (`‹unrepresentable builtins.set: {'a'}›`, `‹redacted›`) so every
 * view renders it; the marker itself is listed here by path.
 */
export interface CompanionMarker {
  which: 'opened' | 'saved';
  path: (string | number)[];
  kind: 'unrepresentable' | 'redacted';
  pythonType: string | null;
  repr: string | null;
  reason: string | null;
  /** The string standing for it in the tree. */
  text: string;
}

export type CookieAction = 'written' | 'deleted' | 'left_alone';

export interface CompanionReport {
  v: 1;
  interface: string;
  sessionType: string | null;
  cookieName: string;
  keyPrefix: string | null;
  refreshEachRequest: boolean;
  requestHadCookie: boolean;
  nullSession: boolean;
  flags: { new: boolean; accessed: boolean; modified: boolean; permanent: boolean };
  /** The session as open_session returned it; null for a null session or when truncated. */
  opened: PyValue | null;
  /** The session as save_session saw it. */
  saved: PyValue | null;
  changed: boolean | null;
  changedKeys: string[] | null;
  changedWithoutModified: boolean | null;
  cookie: { action: CookieAction; reason: string; shouldSetCookie: boolean | null; shouldSetCookieOverridden: boolean; setByView: boolean };
  store: { key: string | null; keyChanged: boolean; write: 'written' | 'deleted' | 'skipped' | null; ttl: number | null } | null;
  truncated: boolean;
  truncatedFields: string[];
  markers: CompanionMarker[];
}

export type CompanionVerdict =
  | { ok: true; report: CompanionReport }
  /** The companion could not observe the request (its exception class, or HeaderTooLarge). */
  | { ok: false; kind: 'server_error'; error: string; truncated: boolean }
  | { ok: false; kind: 'unsupported_version'; version: string }
  | { ok: false; kind: 'invalid'; error: ErrorInfo };

class ReportError extends Error {
  constructor(
    readonly code: ErrorInfo['code'],
    message: string,
  ) {
    super(message);
  }
}

function bad(message: string, code: ErrorInfo['code'] = 'ERR_PAYLOAD_INVALID'): never {
  throw new ReportError(code, message);
}

type Obj = Map<string, PyValue>;

function get(obj: Obj, name: string): PyValue {
  const v = obj.get(name);
  if (v === undefined) bad(`"${name}" is missing`);
  return v;
}
function bool(obj: Obj, name: string): boolean {
  const v = get(obj, name);
  if (v.type !== 'bool') bad(`"${name}" must be a boolean`);
  return v.value;
}
function optBool(obj: Obj, name: string): boolean | null {
  const v = get(obj, name);
  if (v.type === 'none') return null;
  if (v.type !== 'bool') bad(`"${name}" must be a boolean or null`);
  return v.value;
}
function str(obj: Obj, name: string): string {
  const v = get(obj, name);
  if (v.type !== 'str') bad(`"${name}" must be a string`);
  return v.value;
}
function optStr(obj: Obj, name: string): string | null {
  const v = get(obj, name);
  if (v.type === 'none') return null;
  if (v.type !== 'str') bad(`"${name}" must be a string or null`);
  return v.value;
}
function oneOf<T extends string>(obj: Obj, name: string, allowed: readonly T[]): T {
  const v = str(obj, name);
  if (!(allowed as readonly string[]).includes(v)) bad(`"${name}" is not one of ${allowed.join(', ')}`);
  return v as T;
}
function strList(v: PyValue, name: string): string[] {
  if (v.type !== 'list') bad(`"${name}" must be an array`);
  return v.items.map((item) => {
    if (item.type !== 'str') bad(`"${name}" must hold strings`);
    return item.value;
  });
}
function object(v: PyValue, name: string): Obj {
  if (v.type !== 'dict') bad(`"${name}" must be an object`);
  return v.entries;
}

const MARKER_TEXT_REPR = 160;

/** `$type` JSON → Python values, with the companion's two markers turned into strings and listed. */
function convertSession(tree: PyValue, which: 'opened' | 'saved', markers: CompanionMarker[]): PyValue {
  const walk = (v: PyValue, path: (string | number)[]): PyValue => {
    if (v.type === 'list') return { type: 'list', items: v.items.map((item, i) => walk(item, [...path, i])) };
    if (v.type !== 'dict') return v;
    const type = v.entries.get('$type');
    const plain = (entries: Obj): PyValue => {
      const out = new Map<string, PyValue>();
      for (const [k, item] of entries) out.set(k, walk(item, [...path, k]));
      return { type: 'dict', entries: out };
    };
    if (type === undefined) return plain(v.entries);
    if (type.type === 'str' && (type.value === 'unrepresentable' || type.value === 'redacted')) {
      const field = (name: string): string | null => {
        const f = v.entries.get(name);
        return f?.type === 'str' ? f.value : null;
      };
      const pythonType = field('python_type');
      const repr = field('repr');
      const reason = field('reason');
      const text =
        type.value === 'redacted'
          ? `‹redacted${reason ? `: ${reason}` : ''}›`
          : `‹unrepresentable ${pythonType ?? '?'}${repr !== null ? `: ${repr.slice(0, MARKER_TEXT_REPR)}` : ''}›`;
      markers.push({ which, path, kind: type.value, pythonType, repr, reason, text });
      return { type: 'str', value: text };
    }
    if (type.type === 'str' && type.value === 'tuple') {
      const items = v.entries.get('items');
      if (items?.type !== 'list') bad('"items" of a tuple must be an array');
      return { type: 'tuple', items: items.items.map((item, i) => walk(item, [...path, i])) };
    }
    if (type.type === 'str' && type.value === 'dict') {
      const entries = v.entries.get('entries');
      if (entries?.type !== 'dict') bad('"entries" of a dict must be an object');
      return plain(entries.entries);
    }
    return fromTypedTree(v);
  };
  return walk(tree, []);
}

function session(obj: Obj, which: 'opened' | 'saved', markers: CompanionMarker[]): PyValue | null {
  const v = get(obj, which);
  if (v.type === 'none') return null;
  const value = convertSession(v, which, markers);
  if (value.type !== 'dict' && !(value.type === 'str' && markers.some((m) => m.which === which && m.path.length === 0))) bad(`"${which}" must be an object`);
  return value;
}

function readReport(obj: Obj): CompanionReport {
  const markers: CompanionMarker[] = [];
  const cookie = object(get(obj, 'cookie'), 'cookie');
  const storeValue = get(obj, 'store');
  let store: CompanionReport['store'] = null;
  if (storeValue.type !== 'none') {
    const s = object(storeValue, 'store');
    const ttl = get(s, 'ttl');
    if (ttl.type !== 'none' && ttl.type !== 'int') bad('"store.ttl" must be an integer or null');
    const write = get(s, 'write');
    store = {
      key: optStr(s, 'key'),
      keyChanged: bool(s, 'key_changed'),
      write: write.type === 'none' ? null : oneOf(s, 'write', ['written', 'deleted', 'skipped'] as const),
      ttl: ttl.type === 'int' ? Number(ttl.value) : null,
    };
  }
  const changedKeys = get(obj, 'changed_keys');
  return {
    v: 1,
    interface: str(obj, 'interface'),
    sessionType: optStr(obj, 'session_type'),
    cookieName: str(obj, 'cookie_name'),
    keyPrefix: optStr(obj, 'key_prefix'),
    refreshEachRequest: bool(obj, 'refresh_each_request'),
    requestHadCookie: bool(obj, 'request_had_cookie'),
    nullSession: bool(obj, 'null_session'),
    flags: { new: bool(obj, 'new'), accessed: bool(obj, 'accessed'), modified: bool(obj, 'modified'), permanent: bool(obj, 'permanent') },
    opened: session(obj, 'opened', markers),
    saved: session(obj, 'saved', markers),
    changed: optBool(obj, 'changed'),
    changedKeys: changedKeys.type === 'none' ? null : strList(changedKeys, 'changed_keys'),
    changedWithoutModified: optBool(obj, 'changed_without_modified'),
    cookie: {
      action: oneOf(cookie, 'action', ['written', 'deleted', 'left_alone'] as const),
      reason: str(cookie, 'reason'),
      shouldSetCookie: optBool(cookie, 'should_set_cookie'),
      shouldSetCookieOverridden: bool(cookie, 'should_set_cookie_overridden'),
      setByView: bool(cookie, 'set_by_view'),
    },
    store,
    truncated: bool(obj, 'truncated'),
    truncatedFields: strList(get(obj, 'truncated_fields'), 'truncated_fields'),
    markers,
  };
}

/** Decodes one X-Session-Lens header value. Never throws. */
export function decodeCompanionHeader(value: string): CompanionVerdict {
  try {
    if (typeof value !== 'string') bad('the header is not a string');
    const text = value.trim();
    if (text.length > MAX_COMPANION_HEADER_LENGTH) bad(`the header is longer than ${MAX_COMPANION_HEADER_LENGTH} characters`, 'ERR_INPUT_TOO_LARGE');
    if (text.length === 0) bad('the header is empty', 'ERR_BASE64');
    const bytes = b64urlDecodeStrict(text);
    if (!bytes) bad('not unpadded base64url', 'ERR_BASE64');
    let json: string;
    try {
      json = utf8DecodeStrict(bytes);
    } catch {
      bad('not UTF-8', 'ERR_UTF8');
    }
    let doc;
    try {
      doc = parsePythonJsonDocument(json);
    } catch (e) {
      bad(`not JSON: ${e instanceof Error ? e.message : String(e)}`, 'ERR_JSON');
    }
    if (doc.levels > MAX_COMPANION_JSON_DEPTH) bad(`nested deeper than ${MAX_COMPANION_JSON_DEPTH} levels`, 'ERR_NESTING_DEPTH');
    const obj = object(doc.value, 'the report');
    const version = get(obj, 'v');
    if (!(version.type === 'int' && version.value === 1n)) {
      return { ok: false, kind: 'unsupported_version', version: version.type === 'int' || version.type === 'str' ? String(version.value) : version.type };
    }
    const error = obj.get('error');
    if (error !== undefined) {
      if (error.type !== 'str') bad('"error" must be a string');
      const truncated = obj.get('truncated');
      return { ok: false, kind: 'server_error', error: error.value.slice(0, 200), truncated: truncated?.type === 'bool' && truncated.value };
    }
    return { ok: true, report: readReport(obj) };
  } catch (e) {
    if (e instanceof ReportError) return { ok: false, kind: 'invalid', error: { code: e.code, message: e.message } };
    return { ok: false, kind: 'invalid', error: toErrorInfo(e, 'ERR_PAYLOAD_INVALID') };
  }
}

/** The last X-Session-Lens header among response headers, decoded; null when there is none. */
export function companionReportOf(headers: readonly { name: string; value: string }[]): CompanionVerdict | null {
  let last: string | null = null;
  for (const h of headers) if (h.name.toLowerCase() === COMPANION_HEADER) last = h.value;
  return last === null ? null : decodeCompanionHeader(last);
}

const exchangeReports = new WeakMap<CapturedExchange, CompanionVerdict | null>();

/**
 * `companionReportOf` of an exchange's response headers, decoded once per exchange: the Timeline
 * (on every rebuild) and the Session view (on every batch of traffic) both ask again.
 */
export function companionReportOfExchange(exchange: CapturedExchange): CompanionVerdict | null {
  let verdict = exchangeReports.get(exchange);
  if (verdict === undefined) {
    verdict = companionReportOf(exchange.responseHeaders);
    exchangeReports.set(exchange, verdict);
  }
  return verdict;
}
