import { formatPythonFloat } from './pyjson';
import { formatIsoWithOffset } from './pydate';
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

export function reprStr(value: string): string {
  const quote = chooseQuote(value.includes("'"), value.includes('"'));
  let out = quote;
  for (const ch of value) out += escapeChar(ch, quote);
  return out + quote;
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

function reprTimezone(offsetSeconds: number): string {
  return offsetSeconds === 0 ? 'datetime.timezone.utc' : `datetime.timezone(datetime.timedelta(seconds=${offsetSeconds}))`;
}

function reprDatetime(unix: number, offsetSeconds: number): string {
  const d = new Date((unix + offsetSeconds) * 1000);
  const fields = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  // Python omits trailing zero second (and minute) fields in the repr.
  while (fields.length > 5 && fields[fields.length - 1] === 0) fields.pop();
  return `datetime.datetime(${fields.join(', ')}, tzinfo=${reprTimezone(offsetSeconds)})`;
}

export function pyRepr(value: PyValue): string {
  switch (value.type) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.value.toString();
    case 'float':
      return formatPythonFloat(value.value);
    case 'str':
      return reprStr(value.value);
    case 'markup':
      return `Markup(${reprStr(value.value)})`;
    case 'bytes':
      return reprBytes(value.value);
    case 'uuid':
      return `UUID('${dashedUuid(value.hex)}')`;
    case 'datetime':
      return reprDatetime(value.unix, value.offsetSeconds);
    case 'list':
      return `[${value.items.map(pyRepr).join(', ')}]`;
    case 'tuple':
      return value.items.length === 1 ? `(${pyRepr(value.items[0]!)},)` : `(${value.items.map(pyRepr).join(', ')})`;
    case 'dict':
      return `{${[...value.entries].map(([k, v]) => `${reprStr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
}

/** Python's `str()`: like repr except for strings, UUIDs and datetimes. */
export function pyStr(value: PyValue): string {
  switch (value.type) {
    case 'str':
    case 'markup':
      return value.value;
    case 'uuid':
      return dashedUuid(value.hex);
    case 'datetime':
      return formatIsoWithOffset(value.unix, value.offsetSeconds).replace('T', ' ');
    default:
      return pyRepr(value);
  }
}
