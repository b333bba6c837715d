/**
 * The Python values a Flask session can hold after TaggedJSON decoding.
 * Ints are exact (bigint) and kept apart from floats, so `1` and `1.0`,
 * `-0.0` and huge integers all survive a decode → display → sign round trip.
 */
export type PyValue =
  | { type: 'none' }
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'str'; value: string }
  | { type: 'list'; items: PyValue[] }
  /** Keys are always strings: JSON object keys. Map order is Python's dict order. */
  | { type: 'dict'; entries: Map<string, PyValue> }
  | { type: 'tuple'; items: PyValue[] }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'markup'; value: string }
  /** 32 lowercase hex digits. */
  | { type: 'uuid'; hex: string }
  /** Whole seconds since the Unix epoch plus the UTC offset it was expressed in. */
  | { type: 'datetime'; unix: number; offsetSeconds: number };

export type PyType = PyValue['type'];

export const PY_NONE: PyValue = { type: 'none' };

export const py = {
  str: (value: string): PyValue => ({ type: 'str', value }),
  int: (value: bigint | number): PyValue => ({ type: 'int', value: BigInt(value) }),
  float: (value: number): PyValue => ({ type: 'float', value }),
  bool: (value: boolean): PyValue => ({ type: 'bool', value }),
  list: (items: PyValue[]): PyValue => ({ type: 'list', items }),
  tuple: (items: PyValue[]): PyValue => ({ type: 'tuple', items }),
  dict: (entries: Iterable<[string, PyValue]>): PyValue => ({ type: 'dict', entries: new Map(entries) }),
};

/** Python's `==` for the values we model (used for diffs and tests). */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  switch (a.type) {
    case 'none':
      return b.type === 'none';
    case 'bool':
    case 'int':
    case 'float':
      // Python compares bool/int/float by numeric value, but a session diff cares about type too.
      return b.type === a.type && (a.type === 'float' ? Object.is(a.value, b.value) || a.value === b.value : a.value === (b as typeof a).value);
    case 'str':
    case 'markup':
      return b.type === a.type && a.value === (b as typeof a).value;
    case 'bytes':
      return b.type === 'bytes' && a.value.length === b.value.length && a.value.every((x, i) => x === b.value[i]);
    case 'uuid':
      return b.type === 'uuid' && a.hex === b.hex;
    case 'datetime':
      return b.type === 'datetime' && a.unix === b.unix && a.offsetSeconds === b.offsetSeconds;
    case 'list':
    case 'tuple': {
      if (b.type !== a.type) return false;
      const other = (b as typeof a).items;
      return a.items.length === other.length && a.items.every((item, i) => pyEquals(item, other[i]!));
    }
    case 'dict': {
      if (b.type !== 'dict' || a.entries.size !== b.entries.size) return false;
      for (const [key, value] of a.entries) {
        const other = b.entries.get(key);
        if (other === undefined || !pyEquals(value, other)) return false;
      }
      return true;
    }
  }
}

/** Compares strings by code point, as Python's `sorted()` does (JS compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
