import { b64StdEncode, b64StdDecodePython, fromHex, toHex } from '../codec/bytes';
import { SessionLensError } from '../errors';
import { PY_MAX_INT_DIGITS, jsonFloat, jsonString, parsePythonJson } from './pyjson';
import { MAX_DATETIME_UNIX, MIN_DATETIME_UNIX, formatIsoWithOffset, parseIsoDateTime } from './pydate';
import { MAX_RENDER_LENGTH, dashedUuid } from './pyrepr';
import type { PyValue } from './pyvalue';

/**
 * The `$type` representation of Python values (shared/vectors/README.md):
 * plain JSON where JSON suffices, `{"$type": …}` objects for everything else.
 * It is the machine-readable output of the CLI and the input of `sign`.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// Escaped so the text stays valid UTF-8 when printed; paired surrogates are written as the character.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The non-finite floats, by the names Python's json writes; a Map so no inherited key can match. */
const SPECIAL_FLOATS = new Map([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
]);
/** A decimal float literal (no hex, no whitespace, no JS-only forms). */
const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function invalid(message: string): never {
  throw new SessionLensError('ERR_PAYLOAD_INVALID', message);
}

/**
 * Writes a value in the `$type` representation as JSON text; floats keep Python's repr (`1.0`, `-0.0`).
 * Output goes to one list (never copied into parents), so deep values cost O(output); past
 * MAX_RENDER_LENGTH characters it throws ERR_PAYLOAD_TOO_LARGE.
 */
export function writeTypedJson(value: PyValue, indent = ''): string {
  const nl = indent ? '\n' : '';
  const sep = indent ? ': ' : ':';
  const out: string[] = [];
  let length = 0;
  const push = (text: string): void => {
    length += text.length;
    if (length > MAX_RENDER_LENGTH) throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', `the JSON is longer than ${MAX_RENDER_LENGTH} characters`);
    out.push(text);
  };
  const str = (s: string): string => jsonString(s, false).replace(LONE_SURROGATE, (ch) => '\\u' + ch.charCodeAt(0).toString(16));
  type Member = [key: string, writeValue: () => void];
  const object = (members: Member[], pad: string): void => {
    if (members.length === 0) return push('{}');
    push(`{${nl}`);
    members.forEach(([key, writeValue], i) => {
      push(`${pad + indent}${str(key)}${sep}`);
      writeValue();
      push(i < members.length - 1 ? `,${nl}` : nl);
    });
    push(pad + '}');
  };
  const text = (s: string) => () => push(s);
  const typed = (type: string, members: Member[], pad: string): void => object([['$type', text(str(type))], ...members], pad);
  const list = (items: readonly PyValue[], pad: string): void => {
    if (items.length === 0) return push('[]');
    push(`[${nl}`);
    items.forEach((item, i) => {
      push(pad + indent);
      write(item, pad + indent);
      push(i < items.length - 1 ? `,${nl}` : nl);
    });
    push(pad + ']');
  };
  const write = (v: PyValue, pad: string): void => {
    const inner = pad + indent;
    switch (v.type) {
      case 'none':
        return push('null');
      case 'bool':
        return push(v.value ? 'true' : 'false');
      case 'int':
        return v.value > MAX_SAFE || v.value < -MAX_SAFE ? typed('int', [['value', text(str(v.value.toString()))]], pad) : push(v.value.toString());
      case 'float':
        return Number.isFinite(v.value) ? push(jsonFloat(v.value)) : typed('float', [['value', text(str(jsonFloat(v.value)))]], pad);
      case 'str':
        return push(str(v.value));
      case 'list':
        return list(v.items, pad);
      case 'tuple':
        return typed('tuple', [['items', () => list(v.items, inner)]], pad);
      case 'dict': {
        // A dict with its own "$type" key is wrapped so it cannot be mistaken for a typed value.
        const escaped = v.entries.has('$type');
        const entryPad = escaped ? inner : pad;
        const members = [...v.entries].map(([k, item]): Member => [k, () => write(item, entryPad + indent)]);
        return escaped ? typed('dict', [['entries', () => object(members, entryPad)]], pad) : object(members, pad);
      }
      case 'bytes':
        return typed('bytes', [['base64', text(str(b64StdEncode(v.value)))], ['hex', text(str(toHex(v.value)))]], pad);
      case 'markup':
        return typed('markup', [['value', text(str(v.value))]], pad);
      case 'uuid':
        return typed('uuid', [['value', text(str(dashedUuid(v.hex)))], ['hex', text(str(v.hex))]], pad);
      case 'datetime':
        return typed(
          'datetime',
          [
            ['iso', text(str(formatIsoWithOffset(v.unix, v.offsetSeconds)))],
            ['unix', text(String(v.unix))],
            ['tz_aware', text('true')],
          ],
          pad,
        );
    }
  };
  write(value, '');
  return out.join('');
}

function field(obj: Map<string, PyValue>, name: string, type: string): PyValue {
  const value = obj.get(name);
  if (value === undefined) invalid(`a "$type": "${type}" object needs a "${name}" field`);
  return value;
}

function stringField(obj: Map<string, PyValue>, name: string, type: string): string {
  const value = field(obj, name, type);
  if (value.type !== 'str') invalid(`"${name}" of a "$type": "${type}" object must be a string`);
  return value.value;
}

/** Converts a parsed `$type` JSON tree into Python values. */
export function fromTypedTree(value: PyValue): PyValue {
  if (value.type === 'list') return { type: 'list', items: value.items.map(fromTypedTree) };
  if (value.type !== 'dict') return value;
  const typeField = value.entries.get('$type');
  if (typeField === undefined) {
    const entries = new Map<string, PyValue>();
    for (const [k, v] of value.entries) entries.set(k, fromTypedTree(v));
    return { type: 'dict', entries };
  }
  if (typeField.type !== 'str') invalid('"$type" must be a string');
  const type = typeField.value;
  const obj = value.entries;
  switch (type) {
    case 'tuple': {
      const items = field(obj, 'items', type);
      if (items.type !== 'list') invalid('"items" of a tuple must be an array');
      return { type: 'tuple', items: items.items.map(fromTypedTree) };
    }
    case 'bytes': {
      if (obj.has('hex')) {
        const hex = stringField(obj, 'hex', type);
        if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) invalid(`"hex" of bytes needs an even number of hex digits, got ${JSON.stringify(hex.slice(0, 40))}`);
        return { type: 'bytes', value: fromHex(hex) };
      }
      return { type: 'bytes', value: b64StdDecodePython(stringField(obj, 'base64', type)) };
    }
    case 'markup':
      return { type: 'markup', value: stringField(obj, 'value', type) };
    case 'uuid': {
      const raw = obj.has('hex') ? stringField(obj, 'hex', type) : stringField(obj, 'value', type);
      const hex = raw.replaceAll('-', '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(hex)) invalid(`not a UUID: ${JSON.stringify(raw)}`);
      return { type: 'uuid', hex };
    }
    case 'datetime': {
      // iso carries the UTC offset; unix alone means UTC.
      let datetime: { unix: number; offsetSeconds: number };
      if (!obj.has('iso')) {
        const unix = field(obj, 'unix', type);
        if (unix.type !== 'int') invalid('"unix" of a datetime must be an integer');
        datetime = { unix: Number(unix.value), offsetSeconds: 0 };
      } else {
        const iso = stringField(obj, 'iso', type);
        const parsed = parseIsoDateTime(iso);
        if (!parsed) invalid(`not an ISO-8601 datetime: ${JSON.stringify(iso)}`);
        datetime = parsed;
      }
      // Flask's tag converts to UTC first, which overflows outside the range (OverflowError).
      if (!(datetime.unix >= MIN_DATETIME_UNIX && datetime.unix <= MAX_DATETIME_UNIX)) invalid("the datetime in UTC is outside years 1–9999 (Python's datetime range)");
      return { type: 'datetime', ...datetime };
    }
    case 'int': {
      const text = stringField(obj, 'value', type);
      if (!/^-?[0-9]+$/.test(text)) invalid(`not an integer: ${JSON.stringify(text)}`);
      if (text.replace('-', '').length > PY_MAX_INT_DIGITS) invalid(`an integer of more than ${PY_MAX_INT_DIGITS} digits: Python's json refuses to read it back`);
      return { type: 'int', value: BigInt(text) };
    }
    case 'float': {
      const text = stringField(obj, 'value', type);
      const special = SPECIAL_FLOATS.get(text);
      if (special !== undefined) return { type: 'float', value: special };
      if (!DECIMAL_FLOAT.test(text)) invalid(`not a float: ${JSON.stringify(text)} (a decimal number, NaN, Infinity or -Infinity)`);
      return { type: 'float', value: Number(text) };
    }
    case 'dict': {
      const entries = field(obj, 'entries', type);
      if (entries.type !== 'dict') invalid('"entries" of a dict must be an object');
      const out = new Map<string, PyValue>();
      for (const [k, v] of entries.entries) out.set(k, fromTypedTree(v));
      return { type: 'dict', entries: out };
    }
    default:
      return invalid(`unknown "$type": ${JSON.stringify(type)}`);
  }
}

/** Parses `$type` JSON text (Python-compatible JSON, so `1.0` stays a float) into Python values. */
export function parseTypedJson(text: string): PyValue {
  return fromTypedTree(parsePythonJson(text));
}
