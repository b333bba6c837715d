import { SessionLensError } from '../errors';
import { compareCodePoints, type PyValue } from './pyvalue';

/**
 * A JSON reader and writer that behave like Python's `json` module with its
 * defaults: NaN/Infinity tokens, exact integers, last duplicate key wins (in
 * the first key's position), lone surrogates kept, Python's float repr.
 */

/** CPython refuses int ↔ str conversions beyond this many digits (sys.int_info.default_max_str_digits). */
export const PY_MAX_INT_DIGITS = 4300;
/** Deeper nesting than this exhausts Python's recursion limit; we refuse it rather than risk our own stack. */
export const MAX_JSON_DEPTH = 1000;
/**
 * A document of more values than this is refused (ERR_PAYLOAD_TOO_LARGE) rather than read:
 * 1 MiB of zlib output, what a 1.4 KB cookie inflates to, holds 500,000 of them, and every view
 * of them (repr, the tree, the Timeline's lines) costs hundreds of ms. Real sessions hold dozens.
 */
export const MAX_JSON_VALUES = 32_768;

function tooManyValues(): never {
  throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', `the JSON holds more than ${MAX_JSON_VALUES} values; refused`);
}

function fail(message: string, pos: number): never {
  throw new SessionLensError('ERR_JSON', `${message} at char ${pos}`);
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

class Reader {
  pos = 0;
  /** Deepest container seen, counted from 1 for the outermost. */
  levels = 0;
  values = 0;
  constructor(readonly text: string) {}

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_JSON_DEPTH) fail('nesting too deep', this.pos);
    if (++this.values > MAX_JSON_VALUES) tooManyValues();
    const t = this.text;
    const c = t[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { type: 'str', value: this.string() };
      case 'n':
        if (t.startsWith('null', this.pos)) return (this.pos += 4), { type: 'none' };
        break;
      case 't':
        if (t.startsWith('true', this.pos)) return (this.pos += 4), { type: 'bool', value: true };
        break;
      case 'f':
        if (t.startsWith('false', this.pos)) return (this.pos += 5), { type: 'bool', value: false };
        break;
      case 'N':
        if (t.startsWith('NaN', this.pos)) return (this.pos += 3), { type: 'float', value: NaN };
        break;
      case 'I':
        if (t.startsWith('Infinity', this.pos)) return (this.pos += 8), { type: 'float', value: Infinity };
        break;
      case '-':
        if (t.startsWith('-Infinity', this.pos)) return (this.pos += 9), { type: 'float', value: -Infinity };
        return this.number();
      default:
        if (c !== undefined && c >= '0' && c <= '9') return this.number();
    }
    fail('Expecting value', this.pos);
  }

  number(): PyValue {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) fail('Expecting value', this.pos);
    const literal = m[0];
    const start = this.pos;
    this.pos += literal.length;
    if (m[1] !== undefined || m[2] !== undefined) return { type: 'float', value: Number(literal) };
    const digits = literal.startsWith('-') ? literal.length - 1 : literal.length;
    if (digits > PY_MAX_INT_DIGITS) {
      fail(`integer literal has ${digits} digits, beyond Python's ${PY_MAX_INT_DIGITS}-digit conversion limit`, start);
    }
    return { type: 'int', value: BigInt(literal) };
  }

  string(): string {
    const t = this.text;
    const begin = this.pos;
    this.pos++; // opening quote
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) fail('Unterminated string starting', begin);
      const code = t.charCodeAt(this.pos);
      if (code === 0x22) {
        out += t.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) fail('Invalid control character', this.pos);
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(chunkStart, this.pos);
      const esc = t[this.pos + 1];
      switch (esc) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', this.pos);
          // Surrogate halves are appended one by one: adjacent halves form a pair exactly as Python joins them.
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          fail('Invalid \\escape', this.pos);
      }
      this.pos += 2;
      chunkStart = this.pos;
    }
  }

  array(depth: number): PyValue {
    if (depth >= this.levels) this.levels = depth + 1;
    const items: PyValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'list', items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return { type: 'list', items };
      if (c !== ',') fail("Expecting ',' delimiter", this.pos - 1);
    }
  }

  object(depth: number): PyValue {
    if (depth >= this.levels) this.levels = depth + 1;
    const entries = new Map<string, PyValue>();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'dict', entries };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') fail('Expecting property name enclosed in double quotes', this.pos);
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') fail("Expecting ':' delimiter", this.pos);
      this.pos++;
      this.skipWhitespace();
      entries.set(key, this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return { type: 'dict', entries };
      if (c !== ',') fail("Expecting ',' delimiter", this.pos - 1);
    }
  }
}

export interface JsonDocument {
  value: PyValue;
  /** How deeply the containers nest (1: a flat object or list; 0: a scalar). */
  levels: number;
}

/** Digits of an integer JSON.parse keeps exactly (below 2^53). */
const EXACT_DIGITS = 15;
const ARRAY_INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * The fast path: JSON.parse, when a scan outside strings shows the text needs nothing only the
 * exact reader gets right — no long integers, no NaN/Infinity, no nesting near the limit, no
 * duplicate keys — and no object has an array-index key (JS would reorder it). The scan notes
 * which numbers are floats, in document order, so `1.0` stays apart from `1`. null means: use
 * the exact reader. Equal to it wherever both apply (property-tested and fuzzed).
 */
export function parseJsonFast(text: string): JsonDocument | null {
  let depth = 0;
  let levels = 0;
  let digits = 0;
  let keys = 0;
  let commas = 0;
  const floats: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: only a backslash can hide its closing quote.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      let j = i + 1;
      while (j < text.length && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x0a || text.charCodeAt(j) === 0x0d || text.charCodeAt(j) === 0x09)) j++;
      if (text.charCodeAt(j) === 0x3a) keys++;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 0) floats.push(false);
      if (++digits > EXACT_DIGITS && !floats[floats.length - 1]) return null;
    } else if (digits > 0 && (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d)) {
      floats[floats.length - 1] = true; // a fraction or an exponent: the number is a float
    } else {
      digits = 0;
      // A comma outside strings separates two values: past the cap, leave the refusal to the exact reader (before JSON.parse reads it all).
      if (c === 0x2c && ++commas >= MAX_JSON_VALUES) return null;
      if (c === 0x7b || c === 0x5b) {
        if (++depth > levels && (levels = depth) > MAX_JSON_DEPTH / 2) return null;
      } else if (c === 0x7d || c === 0x5d) depth--;
      else if (c === 0x4e || c === 0x49 || c === 0xfeff) return null; // NaN, Infinity, a BOM
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null; // the exact reader reports the error as Python words it
  }
  const walk = { floats, next: 0, keys: 0, values: 0 };
  const value = fromJs(parsed, walk);
  // Fewer keys parsed than written, or numbers left over: duplicate keys dropped something.
  return value && walk.keys === keys && walk.next === floats.length ? { value, levels } : null;
}

function fromJs(v: unknown, walk: { floats: boolean[]; next: number; keys: number; values: number }): PyValue | null {
  // Past the cap, the exact reader refuses the document (ERR_PAYLOAD_TOO_LARGE).
  if (++walk.values > MAX_JSON_VALUES) return null;
  if (v === null) return { type: 'none' };
  switch (typeof v) {
    case 'boolean':
      return { type: 'bool', value: v };
    case 'number': {
      const float = walk.floats[walk.next++];
      if (float === undefined) return null;
      return float ? { type: 'float', value: v } : { type: 'int', value: BigInt(v) };
    }
    case 'string':
      return { type: 'str', value: v };
  }
  if (Array.isArray(v)) {
    const items: PyValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = fromJs(v[i], walk);
      if (!item) return null;
      items[i] = item;
    }
    return { type: 'list', items };
  }
  const entries = new Map<string, PyValue>();
  for (const key of Object.keys(v as object)) {
    const first = key.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39 && ARRAY_INDEX_KEY.test(key)) return null;
    walk.keys++;
    const item = fromJs((v as Record<string, unknown>)[key], walk);
    if (!item) return null;
    entries.set(key, item);
  }
  return { type: 'dict', entries };
}

/** `json.loads` on text, with how deeply its containers nest. */
export function parsePythonJsonDocument(text: string): JsonDocument {
  // The fast path is faster at every size now that untagging shares untouched containers
  // (measured on npm run bench's cookies: ~2× on a compressed cookie's 6 KB of JSON).
  return parseJsonFast(text) ?? parsePythonJsonExact(text);
}

/** The exact reader: Python's json module, character by character. */
export function parsePythonJsonExact(text: string): JsonDocument {
  if (text.charCodeAt(0) === 0xfeff) fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  const reader = new Reader(text);
  reader.skipWhitespace();
  const value = reader.value(0);
  reader.skipWhitespace();
  if (reader.pos !== text.length) fail('Extra data', reader.pos);
  return { value, levels: reader.levels };
}

/** Python's `json.loads` on text. The tree holds only none/bool/int/float/str/list/dict. */
export function parsePythonJson(text: string): PyValue {
  return parsePythonJsonDocument(text).value;
}

/**
 * Shortest round-trip decimal digits of a positive finite number and the
 * power of ten of the first digit. `String(x)` picks the closest shortest
 * digits, as Python's repr does.
 */
function shortestDigits(abs: number): { digits: string; exponent: number } {
  const [mantissa, expPart] = String(abs).split('e') as [string, string | undefined];
  const [intPart, fracPart = ''] = mantissa.split('.') as [string, string | undefined];
  let digits = intPart + fracPart;
  let exponent = intPart.length - 1 + (expPart ? Number(expPart) : 0);
  const leadingZeros = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leadingZeros).replace(/0+$/, '');
  exponent -= leadingZeros;
  return { digits, exponent };
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const negative = x < 0;
  const { digits, exponent } = shortestDigits(Math.abs(x));
  const decpt = exponent + 1; // position of the decimal point relative to the digit string
  let body: string;
  if (decpt <= -4 || decpt > 16) {
    const frac = digits.slice(1);
    const exp = Math.abs(exponent).toString().padStart(2, '0');
    body = `${digits[0]}${frac ? '.' + frac : ''}e${exponent < 0 ? '-' : '+'}${exp}`;
  } else if (decpt <= 0) {
    body = `0.${'0'.repeat(-decpt)}${digits}`;
  } else if (decpt >= digits.length) {
    body = `${digits}${'0'.repeat(decpt - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  return negative ? `-${body}` : body;
}

/** Float as Python's json module writes it (allow_nan=True). */
export function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return formatPythonFloat(x);
}

export function jsonInt(value: bigint): string {
  const text = value.toString();
  const digits = value < 0n ? text.length - 1 : text.length;
  if (digits > PY_MAX_INT_DIGITS) {
    throw new SessionLensError('ERR_PAYLOAD_INVALID', `integer has ${digits} digits, beyond Python's ${PY_MAX_INT_DIGITS}-digit conversion limit`);
  }
  return text;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function u4(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

/** A JSON string literal as `json.dumps` writes it; ensureAscii escapes everything outside ' '..'~'. */
export function jsonString(value: string, ensureAscii: boolean): string {
  const pattern = ensureAscii ? /[\\"]|[^ -~]/g : /[\x00-\x1f\\"]/g;
  return (
    '"' +
    value.replace(pattern, (ch) => {
      const short = SHORT_ESCAPES[ch];
      if (short) return short;
      // Non-BMP characters arrive here as single UTF-16 units, i.e. already as the surrogate pair Python writes.
      return u4(ch.charCodeAt(0));
    }) +
    '"'
  );
}

export interface JsonWriteOptions {
  sortKeys: boolean;
  ensureAscii: boolean;
}

/**
 * `json.dumps(value, separators=(',', ':'), sort_keys=…, ensure_ascii=…)` for a
 * plain JSON tree (none/bool/int/float/str/list/dict). Tagged types must have
 * been converted to dicts first.
 */
export function writePythonJson(value: PyValue, options: JsonWriteOptions): string {
  const parts: string[] = [];
  const write = (v: PyValue, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw new SessionLensError('ERR_PAYLOAD_INVALID', 'payload nesting is too deep');
    switch (v.type) {
      case 'none':
        parts.push('null');
        return;
      case 'bool':
        parts.push(v.value ? 'true' : 'false');
        return;
      case 'int':
        parts.push(jsonInt(v.value));
        return;
      case 'float':
        parts.push(jsonFloat(v.value));
        return;
      case 'str':
        parts.push(jsonString(v.value, options.ensureAscii));
        return;
      case 'list':
        parts.push('[');
        v.items.forEach((item, i) => {
          if (i) parts.push(',');
          write(item, depth + 1);
        });
        parts.push(']');
        return;
      case 'dict': {
        const keys = [...v.entries.keys()];
        if (options.sortKeys) keys.sort(compareCodePoints);
        parts.push('{');
        keys.forEach((key, i) => {
          if (i) parts.push(',');
          parts.push(jsonString(key, options.ensureAscii), ':');
          write(v.entries.get(key)!, depth + 1);
        });
        parts.push('}');
        return;
      }
      default:
        throw new SessionLensError('ERR_PAYLOAD_INVALID', `a ${v.type} must be tagged before it is written as JSON`);
    }
  };
  write(value, 0);
  return parts.join('');
}
