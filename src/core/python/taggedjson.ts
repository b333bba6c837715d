import { a2bBase64Lenient, b64StdDecodePython, b64StdEncode } from '../codec/bytes';
import { SessionLensError } from '../errors';
import { formatHttpDate, parseHttpDate } from './pydate';
import { pyStr } from './pyrepr';
import type { PyValue } from './pyvalue';

/**
 * Flask's TaggedJSONSerializer (`flask.json.tag`), SPEC §2.3. `untag` mirrors
 * what Flask does with each tag, including what it accepts by accident and
 * where it raises (which Flask reports as BadPayload, i.e. HTTP 500).
 */

export const TAG_KEYS = [' di', ' t', ' b', ' m', ' u', ' d'] as const;
const TAG_KEY_SET: ReadonlySet<string> = new Set(TAG_KEYS);

/**
 * Untagging can amplify: ` m` renders its value with str() and ` t` turns a string into one
 * item per character, so nested tags grow exponentially (Flask itself takes seconds and GBs).
 * Every character or item a tag creates is charged; real sessions use a few hundred.
 */
export const MAX_UNTAG_WORK = 32_768;

class UntagBudget {
  constructor(private remaining: number) {}

  spend(units: number): void {
    this.remaining -= units;
    if (this.remaining < 0) this.exhausted();
  }

  exhausted(): never {
    throw new SessionLensError('ERR_PAYLOAD_TOO_LARGE', `untagging would create more than ${MAX_UNTAG_WORK} characters or values (nested tags amplify); refused`);
  }

  /** Characters a rendering may still produce. */
  left(): number {
    return Math.max(0, this.remaining);
  }
}

function tagError(message: string): never {
  throw new SessionLensError('ERR_TAG', message);
}

function pyTypeName(value: PyValue): string {
  const names: Record<PyValue['type'], string> = {
    none: 'NoneType', bool: 'bool', int: 'int', float: 'float', str: 'str', list: 'list', dict: 'dict',
    tuple: 'tuple', bytes: 'bytes', markup: 'Markup', uuid: 'UUID', datetime: 'datetime',
  };
  return names[value.type];
}

/** Python truthiness, needed because `parse_date` returns None early for falsy input. */
function isTruthy(value: PyValue): boolean {
  switch (value.type) {
    case 'none':
      return false;
    case 'bool':
      return value.value;
    case 'int':
      return value.value !== 0n;
    case 'float':
      return value.value !== 0;
    case 'str':
    case 'markup':
      return value.value !== '';
    case 'bytes':
      return value.value.length > 0;
    case 'list':
    case 'tuple':
      return value.items.length > 0;
    case 'dict':
      return value.entries.size > 0;
    default:
      return true;
  }
}

/** `tuple(value)`: iterating a str yields code points, a dict its keys, bytes their ints. */
function toTuple(value: PyValue, budget: UntagBudget): PyValue {
  switch (value.type) {
    case 'list':
    case 'tuple':
      return { type: 'tuple', items: value.items };
    case 'str':
    case 'markup':
      budget.spend(value.value.length);
      return { type: 'tuple', items: Array.from(value.value, (ch): PyValue => ({ type: 'str', value: ch })) };
    case 'dict':
      budget.spend(value.entries.size);
      return { type: 'tuple', items: [...value.entries.keys()].map((k): PyValue => ({ type: 'str', value: k })) };
    case 'bytes':
      budget.spend(value.value.length);
      return { type: 'tuple', items: Array.from(value.value, (b): PyValue => ({ type: 'int', value: BigInt(b) })) };
    default:
      return tagError(`' t' tag: '${pyTypeName(value)}' object is not iterable`);
  }
}

/** `int(text, 16)`: whitespace, sign, optional 0x prefix and single underscores allowed. */
function parseHexInt(text: string): bigint | null {
  const m = /^\s*([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)\s*$/.exec(text);
  if (!m) return null;
  const n = BigInt('0x' + m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

/** `str.strip('{}')`, in linear time. */
function stripBraces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === '{' || text[start] === '}')) start++;
  while (end > start && (text[end - 1] === '{' || text[end - 1] === '}')) end--;
  return text.slice(start, end);
}

/** `uuid.UUID(hex=value)`. */
function toUuid(value: PyValue): PyValue {
  if (value.type !== 'str' && value.type !== 'markup') {
    return tagError(`' u' tag: '${pyTypeName(value)}' object has no attribute 'replace'`);
  }
  let hex = value.value.replaceAll('urn:', '').replaceAll('uuid:', '');
  hex = stripBraces(hex).replaceAll('-', '');
  if (Array.from(hex).length !== 32) tagError("' u' tag: badly formed hexadecimal UUID string");
  const n = parseHexInt(hex);
  if (n === null) return tagError("' u' tag: invalid literal for int() with base 16");
  if (n < 0n || n >= 1n << 128n) return tagError("' u' tag: int is out of range (need a 128-bit value)");
  return { type: 'uuid', hex: n.toString(16).padStart(32, '0') };
}

/** `base64.b64decode(value)`: str must be ASCII; bytes are decoded as they are. */
function toBytes(value: PyValue): PyValue {
  if (value.type === 'str' || value.type === 'markup') return { type: 'bytes', value: b64StdDecodePython(value.value) };
  if (value.type === 'bytes') return { type: 'bytes', value: a2bBase64Lenient(value.value) };
  return tagError(`' b' tag: argument should be a bytes-like object or ASCII string, not '${pyTypeName(value)}'`);
}

/** Werkzeug's `parse_date`: None for falsy input and unparseable strings; AttributeError for other objects. */
function toDatetime(value: PyValue): PyValue {
  if (!isTruthy(value)) return { type: 'none' };
  if (value.type === 'str' || value.type === 'markup') {
    const parsed = parseHttpDate(value.value);
    return parsed ? { type: 'datetime', ...parsed } : { type: 'none' };
  }
  // bytes.split() works, then a str/bytes mix raises TypeError, which parse_date turns into None.
  if (value.type === 'bytes') return { type: 'none' };
  return tagError(`' d' tag: '${pyTypeName(value)}' object has no attribute 'split'`);
}

/** TagDict.to_python: `{key[:-2]: value[key]}` for the first key of a dict. */
function toEscapedDict(value: PyValue): PyValue {
  if (value.type !== 'dict') {
    return tagError(`' di' tag: cannot take a key from a '${pyTypeName(value)}'`);
  }
  const first = value.entries.entries().next();
  if (first.done) return tagError("' di' tag: empty dict (StopIteration)");
  const [key, inner] = first.value;
  const chars = Array.from(key);
  return { type: 'dict', entries: new Map([[chars.slice(0, Math.max(0, chars.length - 2)).join(''), inner]]) };
}

function toMarkup(value: PyValue, budget: UntagBudget): PyValue {
  let text: string;
  try {
    text = pyStr(value, budget.left());
  } catch (error) {
    if (error instanceof SessionLensError && error.code === 'ERR_PAYLOAD_TOO_LARGE') budget.exhausted();
    throw error;
  }
  budget.spend(text.length);
  return { type: 'markup', value: text };
}

function untagDict(dict: Extract<PyValue, { type: 'dict' }>, budget: UntagBudget): PyValue {
  if (dict.entries.size !== 1) return dict;
  const [key, value] = dict.entries.entries().next().value as [string, PyValue];
  switch (key) {
    case ' t':
      return toTuple(value, budget);
    case ' u':
      return toUuid(value);
    case ' b':
      return toBytes(value);
    case ' m':
      return toMarkup(value, budget);
    case ' d':
      return toDatetime(value);
    case ' di':
      return toEscapedDict(value);
    default:
      return dict;
  }
}

/** Containers are copied only where a tag below them changed something: untagged data is shared, not rebuilt. */
function untagWithin(value: PyValue, budget: UntagBudget): PyValue {
  if (value.type === 'list') {
    let items: PyValue[] | null = null;
    for (let i = 0; i < value.items.length; i++) {
      const item = value.items[i]!;
      const untagged = untagWithin(item, budget);
      if (untagged !== item) (items ??= value.items.slice())[i] = untagged;
    }
    return items ? { type: 'list', items } : value;
  }
  if (value.type !== 'dict') return value;
  let entries: Map<string, PyValue> | null = null;
  for (const [key, child] of value.entries) {
    const untagged = untagWithin(child, budget);
    if (untagged !== child) (entries ??= new Map(value.entries)).set(key, untagged);
  }
  return untagDict(entries ? { type: 'dict', entries } : value, budget);
}

/**
 * Untags a parsed JSON tree bottom-up, children before their parent, as Flask does.
 * Throws ERR_PAYLOAD_TOO_LARGE instead of amplifying past MAX_UNTAG_WORK.
 */
export function untag(value: PyValue): PyValue {
  return untagWithin(value, new UntagBudget(MAX_UNTAG_WORK));
}

function single(key: string, value: PyValue): PyValue {
  return { type: 'dict', entries: new Map([[key, value]]) };
}

/** Flask's `TaggedJSONSerializer.tag`, checks in Flask's order. */
export function tag(value: PyValue): PyValue {
  switch (value.type) {
    case 'dict': {
      if (value.entries.size === 1) {
        const [key, inner] = value.entries.entries().next().value as [string, PyValue];
        if (TAG_KEY_SET.has(key)) return single(' di', single(`${key}__`, tag(inner)));
      }
      const entries = new Map<string, PyValue>();
      for (const [key, inner] of value.entries) entries.set(key, tag(inner));
      return { type: 'dict', entries };
    }
    case 'tuple':
      return single(' t', { type: 'list', items: value.items.map(tag) });
    case 'list':
      return { type: 'list', items: value.items.map(tag) };
    case 'bytes':
      return single(' b', { type: 'str', value: b64StdEncode(value.value) });
    case 'markup':
      return single(' m', { type: 'str', value: value.value });
    case 'uuid':
      return single(' u', { type: 'str', value: value.hex });
    case 'datetime':
      return single(' d', { type: 'str', value: formatHttpDate(value.unix) });
    default:
      return value;
  }
}
