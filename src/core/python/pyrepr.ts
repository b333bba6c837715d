import { formatPythonFloat } from './pyjson';
import { formatIsoWithOffset } from './pydate';
import { SessionLensError } from '../errors';
import type { PyValue } from './pyvalue';

/**
 * Python's `repr()` and `str()` of session values, for display and for the
 * ` m` tag, whose untagging calls `Markup(str(value))` on non-strings.
 */

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

function escapeChar(ch: string, quote: string): string {
  switch (ch) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case quote:
      return '\\' + quote;
  }
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x7f || ch === ' ') return ch;
  if (!NON_PRINTABLE.test(ch)) return ch;
  if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
  return '\\U' + code.toString(16).padStart(8, '0');
}

function chooseQuote(hasSingle: boolean, hasDouble: boolean): string {
  return hasSingle && !hasDouble ? '"' : "'";
}

/** repr() of a str; past `maxLength` characters the (unterminated) prefix is returned early. */
export function reprStr(value: string, maxLength = Infinity): string {
  const quote = chooseQuote(value.includes("'"), value.includes('"'));
  const quoteCode = quote.charCodeAt(0);
  let out = quote;
  let i = 0;
  while (i < value.length && out.length <= maxLength) {
    // Printable ASCII other than the quote and backslash is copied as a run.
    let end = i;
    for (let c = value.charCodeAt(end); end < value.length && c >= 0x20 && c < 0x7f && c !== 0x5c && c !== quoteCode; c = value.charCodeAt(++end));
    if (end > i) {
      out += value.slice(i, Math.min(end, i + maxLength));
      i = end;
      continue;
    }
    const ch = String.fromCodePoint(value.codePointAt(i)!);
    out += escapeChar(ch, quote);
    i += ch.length;
  }
  return out.length > maxLength ? out : out + quote;
}

export function reprBytes(value: Uint8Array): string {
  const quote = chooseQuote(value.includes(0x27), value.includes(0x22));
  let out = 'b' + quote;
  for (const byte of value) {
    const ch = String.fromCharCode(byte);
    if (byte >= 0x20 && byte < 0x7f) out += ch === '\\' || ch === quote ? '\\' + ch : ch;
    else if (ch === '\n' || ch === '\r' || ch === '\t') out += escapeChar(ch, quote);
    else out += '\\x' + byte.toString(16).padStart(2, '0');
  }
  return out + quote;
}

export function dashedUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `repr(timedelta(seconds=s))`: normalized to days and 0 ≤ seconds < 86400, zero fields left out. */
function reprTimedelta(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const seconds = totalSeconds - days * 86_400;
  const fields = [days !== 0 ? `days=${days}` : '', seconds !== 0 ? `seconds=${seconds}` : ''].filter(Boolean);
  return `datetime.timedelta(${fields.length ? fields.join(', ') : '0'})`;
}

function reprTimezone(offsetSeconds: number): string {
  return offsetSeconds === 0 ? 'datetime.timezone.utc' : `datetime.timezone(${reprTimedelta(offsetSeconds)})`;
}

function reprDatetime(unix: number, offsetSeconds: number): string {
  const d = new Date((unix + offsetSeconds) * 1000);
  const fields = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  // Python omits trailing zero second (and minute) fields in the repr.
  while (fields.length > 5 && fields[fields.length - 1] === 0) fields.pop();
  return `datetime.datetime(${fields.join(', ')}, tzinfo=${reprTimezone(offsetSeconds)})`;
}

/** Longest text a full rendering may produce: a cap on memory, far above any real session. */
export const MAX_RENDER_LENGTH = 8_000_000;

class RenderLimit extends Error {}
/** Thrown as it is, every time: a new Error would capture a stack trace on each cut, the bulk of a cut render's cost. */
const RENDER_LIMIT = new RenderLimit('render limit reached');

/**
 * Accumulates output and stops as soon as it passes `limit`, so rendering a hostile value costs
 * O(limit), never O(size × depth): children are appended to one list, never copied into parents.
 */
class ReprWriter {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly limit: number) {}

  push(text: string): void {
    this.length += text.length;
    if (this.length > this.limit) {
      this.parts.push(text.slice(0, text.length - (this.length - this.limit)));
      throw RENDER_LIMIT;
    }
    this.parts.push(text);
  }

  /** How many more characters fit: enough to render a long string's prefix only. */
  room(): number {
    return this.limit - this.length + 1;
  }

  text(): string {
    return this.parts.join('');
  }
}

function writeItems(items: readonly PyValue[], w: ReprWriter): void {
  items.forEach((item, i) => {
    if (i) w.push(', ');
    writeRepr(item, w);
  });
}

function writeRepr(value: PyValue, w: ReprWriter): void {
  switch (value.type) {
    case 'list':
      w.push('[');
      writeItems(value.items, w);
      return w.push(']');
    case 'tuple':
      w.push('(');
      writeItems(value.items, w);
      return w.push(value.items.length === 1 ? ',)' : ')');
    case 'dict': {
      w.push('{');
      let first = true;
      for (const [key, item] of value.entries) {
        if (!first) w.push(', ');
        first = false;
        w.push(reprStr(key));
        w.push(': ');
        writeRepr(item, w);
      }
      return w.push('}');
    }
    case 'str':
      return w.push(reprStr(value.value, w.room()));
    case 'markup':
      w.push('Markup(');
      w.push(reprStr(value.value, w.room()));
      return w.push(')');
    default:
      return w.push(scalarRepr(value));
  }
}

function scalarRepr(value: Exclude<PyValue, { type: 'list' | 'tuple' | 'dict' | 'str' | 'markup' }>): string {
  switch (value.type) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.value.toString();
    case 'float':
      return formatPythonFloat(value.value);
    case 'bytes':
      return reprBytes(value.value);
    case 'uuid':
      return `UUID('${dashedUuid(value.hex)}')`;
    case 'datetime':
      return reprDatetime(value.unix, value.offsetSeconds);
  }
}

function tooLarge(limit: number): never {
  throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', `its Python repr is longer than ${limit} characters`);
}

/** Python's `repr()`. Throws ERR_PAYLOAD_TOO_LARGE past `maxLength` characters. */
export function pyRepr(value: PyValue, maxLength = MAX_RENDER_LENGTH): string {
  const w = new ReprWriter(maxLength);
  try {
    writeRepr(value, w);
  } catch (error) {
    if (error instanceof RenderLimit) tooLarge(maxLength);
    throw error;
  }
  return w.text();
}

/** The start of `repr(value)`, at most `max` characters (ending in `…` when cut); costs O(max). */
export function reprPreview(value: PyValue, max: number): string {
  const w = new ReprWriter(max);
  try {
    writeRepr(value, w);
    return w.text();
  } catch (error) {
    if (!(error instanceof RenderLimit)) throw error;
    return `${w.text().slice(0, max - 1)}…`;
  }
}

/** repr(value) when it is at most `max` characters, else null; costs O(max). */
export function reprWithin(value: PyValue, max: number): string | null {
  const w = new ReprWriter(max);
  try {
    writeRepr(value, w);
    return w.text();
  } catch (error) {
    if (error instanceof RenderLimit) return null;
    throw error;
  }
}

/** Python's `str()`: like repr except for strings, UUIDs and datetimes. */
export function pyStr(value: PyValue, maxLength = MAX_RENDER_LENGTH): string {
  switch (value.type) {
    case 'str':
    case 'markup':
      return value.value;
    case 'uuid':
      return dashedUuid(value.hex);
    case 'datetime':
      return formatIsoWithOffset(value.unix, value.offsetSeconds).replace('T', ' ');
    default:
      return pyRepr(value, maxLength);
  }
}

export interface PrettyRepr {
  text: string;
  /** The text stopped at the length limit. */
  truncated: boolean;
}

/**
 * Longest pretty repr by default: it is for reading in a terminal, and its indentation grows with
 * depth (32,768 values 1,000 levels deep would indent to tens of MB), so past 4 M characters it
 * stops and says so; 999 lists around a 1 MB string (3 M characters) still print in full.
 */
export const MAX_PRETTY_LENGTH = 4_000_000;

/**
 * Python-style repr broken over lines where a container does not fit in `width`, each level
 * indented by two spaces. Costs O(output), never O(size × depth): a container's flat form is
 * tried only up to the width left.
 */
export function prettyRepr(value: PyValue, options: { indent?: string; width?: number; maxLength?: number } = {}): PrettyRepr {
  const width = options.width ?? 88;
  const w = new ReprWriter(options.maxLength ?? MAX_PRETTY_LENGTH);
  const write = (v: PyValue, indent: string): void => {
    const flat = reprWithin(v, Math.max(0, width - indent.length));
    if (flat !== null) return w.push(flat);
    if (v.type !== 'dict' && v.type !== 'list' && v.type !== 'tuple') return writeRepr(v, w);
    if ((v.type === 'dict' ? v.entries.size : v.items.length) === 0) return writeRepr(v, w);
    const inner = indent + '  ';
    const [open, close] = v.type === 'dict' ? ['{', '}'] : v.type === 'tuple' ? ['(', ')'] : ['[', ']'];
    w.push(`${open}\n`);
    const entries: [string | null, PyValue][] = v.type === 'dict' ? [...v.entries] : v.items.map((item) => [null, item]);
    entries.forEach(([key, item], i) => {
      w.push(inner);
      if (key !== null) {
        w.push(reprStr(key, w.room()));
        w.push(': ');
      }
      write(item, inner);
      w.push(i < entries.length - 1 || (v.type === 'tuple' && entries.length === 1) ? ',\n' : '\n');
    });
    w.push(indent + close);
  };
  try {
    write(value, options.indent ?? '');
    return { text: w.text(), truncated: false };
  } catch (error) {
    if (error instanceof RenderLimit) return { text: w.text(), truncated: true };
    throw error;
  }
}
