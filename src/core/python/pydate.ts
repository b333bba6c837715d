/**
 * Dates as Flask's ` d` tag writes and reads them: Werkzeug's `http_date`
 * (RFC 7231 IMF-fixdate in UTC) and `parse_date`, which is the standard
 * library's lenient RFC 2822 parser and yields None when it gives up.
 */

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_KEYS = [
  ...MONTH_NAMES.map((m) => m.toLowerCase()),
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const DAY_KEYS = DAY_NAMES.map((d) => d.toLowerCase());
/** Zone names the parser knows, as ±HHMM. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  AST: -400, ADT: -300, EST: -500, EDT: -400, CST: -600, CDT: -500, MST: -700, MDT: -600, PST: -800, PDT: -700,
};

/** Python's whitespace for `str.split()` (JS `\s` also matches U+FEFF, which Python keeps). */
const PY_WHITESPACE = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const PY_WHITESPACE_EDGES = /^[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export const MIN_DATETIME_UNIX = -62135596800; // 0001-01-01T00:00:00Z
export const MAX_DATETIME_UNIX = 253402300799; // 9999-12-31T23:59:59Z

/** Python's `int(text)` for ASCII input: surrounding whitespace, a sign, single underscores between digits. */
export function parsePythonInt(text: string): number | null {
  const m = /^([+-]?)([0-9](?:_?[0-9])*)$/.exec(text.replace(PY_WHITESPACE_EDGES, ''));
  if (!m) return null;
  const n = Number(m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((part) => part !== '');
}

interface ParsedDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Seconds east of UTC, or null when the zone was absent or unknown. */
  offset: number | null;
}

/** `email.utils._parsedate_tz`, step for step. */
function parseDateTz(input: string): ParsedDate | null {
  if (!input) return null;
  let data = pySplit(input);
  if (data.length === 0) return null;
  if (data[0]!.endsWith(',') || DAY_KEYS.includes(data[0]!.toLowerCase())) {
    data.shift();
  } else {
    const i = data[0]!.lastIndexOf(',');
    if (i >= 0) data[0] = data[0]!.slice(i + 1);
  }
  if (data.length === 3) {
    const stuff = data[0]!.split('-');
    if (stuff.length === 3) data = [...stuff, ...data.slice(1)];
  }
  if (data.length === 4) {
    const s = data[3]!;
    let i = s.indexOf('+');
    if (i === -1) i = s.indexOf('-');
    if (i > 0) data = [...data.slice(0, 3), s.slice(0, i), s.slice(i)];
    else data.push('');
  }
  if (data.length < 5) return null;
  let [dd, mm, yy, tm, tz] = data.slice(0, 5) as [string, string, string, string, string];
  if (!(dd && mm && yy)) return null;
  mm = mm.toLowerCase();
  if (!MONTH_KEYS.includes(mm)) {
    [dd, mm] = [mm, dd.toLowerCase()];
    if (!MONTH_KEYS.includes(mm)) return null;
  }
  let month = MONTH_KEYS.indexOf(mm) + 1;
  if (month > 12) month -= 12;
  if (dd.endsWith(',')) dd = dd.slice(0, -1);
  if (yy.indexOf(':') > 0) [yy, tm] = [tm, yy];
  if (yy.endsWith(',')) {
    yy = yy.slice(0, -1);
    if (!yy) return null;
  }
  if (!/^[0-9]/.test(yy)) [yy, tz] = [tz, yy];
  if (tm.endsWith(',')) tm = tm.slice(0, -1);
  let timeParts = tm.split(':');
  let thh: string, tmm: string, tss: string;
  if (timeParts.length === 2) {
    [thh, tmm] = timeParts as [string, string];
    tss = '0';
  } else if (timeParts.length === 3) {
    [thh, tmm, tss] = timeParts as [string, string, string];
  } else if (timeParts.length === 1 && tm.includes('.')) {
    timeParts = tm.split('.');
    if (timeParts.length === 2) {
      [thh, tmm] = timeParts as [string, string];
      tss = '0';
    } else if (timeParts.length === 3) {
      [thh, tmm, tss] = timeParts as [string, string, string];
    } else return null;
  } else return null;
  const numbers = [yy, dd, thh, tmm, tss].map(parsePythonInt);
  if (numbers.some((n) => n === null)) return null;
  const [rawYear, day, hour, minute, second] = numbers as [number, number, number, number, number];
  const year = rawYear < 100 ? rawYear + (rawYear > 68 ? 1900 : 2000) : rawYear;
  let offset: number | null;
  const zone = tz.toUpperCase();
  if (zone in ZONES) {
    offset = ZONES[zone]!;
  } else {
    offset = parsePythonInt(zone);
    if (offset === 0 && zone.startsWith('-')) offset = null;
  }
  if (offset) {
    const sign = offset < 0 ? -1 : 1;
    const abs = Math.abs(offset);
    offset = sign * (Math.floor(abs / 100) * 3600 + (abs % 100) * 60);
  }
  return { year, month, day, hour, minute, second, offset };
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function utcSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years 0–99 literal, unlike Date.UTC
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime() / 1000;
}

/**
 * Werkzeug's `parse_date`: an aware datetime, or null where Werkzeug returns
 * None (unparseable text, out-of-range fields, offsets of a day or more).
 */
export function parseHttpDate(text: string): { unix: number; offsetSeconds: number } | null {
  const p = parseDateTz(text);
  if (!p) return null;
  if (p.year < 1 || p.year > 9999 || p.month < 1 || p.month > 12) return null;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null;
  if (p.hour < 0 || p.hour > 23 || p.minute < 0 || p.minute > 59 || p.second < 0 || p.second > 59) return null;
  const offset = p.offset ?? 0;
  if (Math.abs(offset) >= 86400) return null;
  return { unix: utcSeconds(p.year, p.month, p.day, p.hour, p.minute, p.second) - offset, offsetSeconds: offset };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Werkzeug's `http_date`: always in UTC, e.g. `Thu, 29 Feb 2024 12:34:56 GMT`. */
export function formatHttpDate(unix: number): string {
  const d = new Date(unix * 1000);
  const weekday = DAY_NAMES[(d.getUTCDay() + 6) % 7]!;
  return `${weekday}, ${pad(d.getUTCDate())} ${MONTH_NAMES[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** Python's `datetime.isoformat()` of an aware datetime, e.g. `2024-02-29T12:34:56+00:00`. */
export function formatIsoWithOffset(unix: number, offsetSeconds: number): string {
  const d = new Date((unix + offsetSeconds) * 1000);
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const seconds = abs % 60;
  const zone = `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}${seconds ? ':' + pad(seconds) : ''}`;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${zone}`;
}

/** Reads `YYYY-MM-DDTHH:MM:SS[.ffffff][±HH:MM|Z]`; a missing zone means UTC, as Flask treats naive datetimes. */
export function parseIsoDateTime(text: string): { unix: number; offsetSeconds: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let offset = 0;
  const zone = m[7];
  if (zone && zone !== 'Z') {
    const [h, mi, s = '0'] = zone.slice(1).split(':');
    offset = (zone[0] === '-' ? -1 : 1) * (Number(h) * 3600 + Number(mi) * 60 + Number(s));
    if (Math.abs(offset) >= 86400) return null;
  }
  return { unix: utcSeconds(year, month, day, hour, minute, second) - offset, offsetSeconds: offset };
}
