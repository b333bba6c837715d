import { pyEquals, type PyValue } from '../python/pyvalue';

/** What changed between two session payloads, key path by key path. */

export interface PayloadChange {
  /** Dict keys and list/tuple indices from the top, e.g. ["cart", 2]. */
  path: (string | number)[];
  kind: 'added' | 'removed' | 'changed';
  before?: PyValue;
  after?: PyValue;
}

const MAX_CHANGES = 200;

export function diffPayloads(before: PyValue, after: PyValue): PayloadChange[] {
  const changes: PayloadChange[] = [];
  const walk = (a: PyValue, b: PyValue, path: (string | number)[]): void => {
    if (changes.length >= MAX_CHANGES || pyEquals(a, b)) return;
    if (a.type === 'dict' && b.type === 'dict') {
      for (const [key, value] of a.entries) {
        const other = b.entries.get(key);
        if (other === undefined) changes.push({ path: [...path, key], kind: 'removed', before: value });
        else walk(value, other, [...path, key]);
      }
      for (const [key, value] of b.entries) {
        if (!a.entries.has(key)) changes.push({ path: [...path, key], kind: 'added', after: value });
      }
      return;
    }
    if ((a.type === 'list' && b.type === 'list') || (a.type === 'tuple' && b.type === 'tuple')) {
      const ai = (a as { items: PyValue[] }).items;
      const bi = (b as { items: PyValue[] }).items;
      const common = Math.min(ai.length, bi.length);
      for (let i = 0; i < common; i++) walk(ai[i]!, bi[i]!, [...path, i]);
      for (let i = common; i < ai.length; i++) changes.push({ path: [...path, i], kind: 'removed', before: ai[i] });
      for (let i = common; i < bi.length; i++) changes.push({ path: [...path, i], kind: 'added', after: bi[i] });
      return;
    }
    changes.push({ path, kind: 'changed', before: a, after: b });
  };
  walk(before, after, []);
  return changes;
}

/** `cart[2]`, `user.name`: a readable path for lists of changes. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(whole payload)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
