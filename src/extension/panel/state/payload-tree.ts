import { jsonPreview, pyStr, reprPreview, reprStr, writeTypedJson, type Notation, type PyValue } from '../../../core';

/**
 * The payload as rows of an ARIA tree: one row per visible node, flat, with level and
 * position (the tree pattern's aria-level / aria-posinset / aria-setsize).
 */

export type TreePath = readonly (string | number)[];

export type { Notation } from '../../../core';

export interface TreeRow {
  /** Stable id of the node: its path as JSON. */
  id: string;
  path: TreePath;
  /** 1 for the payload's top-level keys. */
  level: number;
  /** The dict key or list index, as shown. */
  key: string;
  /** The value as shown (Python's repr or JSON; long values shortened — copying gives all of it). */
  text: string;
  /** Type badge for values JSON has no word for. */
  badge: string | null;
  expandable: boolean;
  expanded: boolean;
  parentId: string | null;
  posInSet: number;
  setSize: number;
  /** null for the "… more" row of a very long container. */
  value: PyValue | null;
}

const MAX_TEXT = 160;
/** Children listed per container; the rest are summed up in one row. */
export const MAX_CHILDREN = 500;
const AUTO_EXPAND_NODES = 40;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function pathId(path: TreePath): string {
  return JSON.stringify(path);
}

export function badgeOf(value: PyValue): string | null {
  switch (value.type) {
    case 'tuple':
      return 'tuple';
    case 'bytes':
      return 'bytes';
    case 'markup':
      return 'Markup';
    case 'uuid':
      return 'UUID';
    case 'datetime':
      return 'datetime';
    case 'int':
      return value.value > MAX_SAFE || value.value < -MAX_SAFE ? 'int > 2⁵³' : null;
    case 'float':
      return Number.isFinite(value.value) ? null : 'float';
    default:
      return null;
  }
}

function shorten(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** How a value reads in its row: Python's repr, except UUIDs and datetimes in their familiar text form; or JSON. */
export function valueText(value: PyValue, notation: Notation = 'python'): string {
  if (notation === 'json') return jsonPreview(value, MAX_TEXT);
  switch (value.type) {
    case 'uuid':
    case 'datetime':
      return pyStr(value);
    case 'markup':
      return shorten(reprStr(value.value, MAX_TEXT));
    default:
      return reprPreview(value, MAX_TEXT);
  }
}

function keyText(key: string | number, notation: Notation): string {
  if (typeof key === 'number') return String(key);
  // Keys are shown bare unless that would hide something (empty, spaces, control characters, ":").
  if (key !== '' && /^[^\s\p{C}:]+$/u.test(key)) return key;
  return notation === 'json' ? jsonPreview({ type: 'str', value: key }, MAX_TEXT) : reprStr(key);
}

function childrenOf(value: PyValue): [string | number, PyValue][] | null {
  switch (value.type) {
    case 'dict':
      return [...value.entries];
    case 'list':
    case 'tuple':
      return value.items.map((item, i) => [i, item]);
    default:
      return null;
  }
}

function childCount(value: PyValue): number {
  return value.type === 'dict' ? value.entries.size : value.type === 'list' || value.type === 'tuple' ? value.items.length : 0;
}

/** Top-level nodes: the entries of a dict payload, or the payload itself under "(payload)". */
function topLevel(root: PyValue): [string | number, PyValue][] {
  return root.type === 'dict' ? [...root.entries] : [['(payload)', root]];
}

/** Small payloads open fully; larger ones show their top level only. */
export function defaultExpanded(root: PyValue): Set<string> {
  const ids: string[] = [];
  let nodes = 0;
  const walk = (entries: [string | number, PyValue][], parent: TreePath): boolean => {
    for (const [key, value] of entries) {
      nodes += 1;
      if (nodes > AUTO_EXPAND_NODES) return false;
      const children = childrenOf(value);
      if (children && children.length > 0) {
        const path = [...parent, key];
        ids.push(pathId(path));
        if (!walk(children, path)) return false;
      }
    }
    return true;
  };
  return walk(topLevel(root), []) ? new Set(ids) : new Set();
}

export function payloadRows(root: PyValue, expanded: ReadonlySet<string>, notation: Notation = 'python'): TreeRow[] {
  const rows: TreeRow[] = [];
  const add = (entries: [string | number, PyValue][], total: number, parent: TreePath, level: number) => {
    const parentId = parent.length === 0 ? null : pathId(parent);
    const shown = entries.slice(0, MAX_CHILDREN);
    const setSize = shown.length + (total > shown.length ? 1 : 0);
    shown.forEach(([key, value], i) => {
      const path = [...parent, key];
      const id = pathId(path);
      const expandable = childCount(value) > 0;
      const isOpen = expandable && expanded.has(id);
      rows.push({ id, path, level, key: keyText(key, notation), text: valueText(value, notation), badge: badgeOf(value), expandable, expanded: isOpen, parentId, posInSet: i + 1, setSize, value });
      if (isOpen) add(childrenOf(value)!, childCount(value), path, level + 1);
    });
    if (total > shown.length) {
      const path = [...parent, '…'];
      rows.push({
        id: pathId(path),
        path,
        level,
        key: '…',
        text: `${total - shown.length} more not shown (copy the parent as JSON to see all)`,
        badge: null,
        expandable: false,
        expanded: false,
        parentId,
        posInSet: setSize,
        setSize,
        value: null,
      });
    }
  };
  const top = topLevel(root);
  add(top, top.length, [], 1);
  return rows;
}

/** "Copy value": strings, UUIDs and datetimes as text (Python's str()), everything else as Python's repr (or JSON). */
export function copyValueText(value: PyValue, notation: Notation = 'python'): string {
  return notation === 'json' && value.type !== 'str' ? writeTypedJson(value, '  ') : pyStr(value);
}

/** "Copy as JSON": the `$type` representation the CLI prints and `sign --payload` reads. */
export function copyJsonText(value: PyValue): string {
  return writeTypedJson(value, '  ');
}

export interface TreeKeyResult {
  /** Row to move focus to. */
  focus?: string;
  /** Node to open or close. */
  toggle?: { id: string; open: boolean };
}

/** The ARIA tree pattern's keys: arrows move and open/close, Home/End jump, Enter/Space toggle. Null: not a tree key. */
export function treeKey(rows: readonly TreeRow[], focusedId: string | null, key: string): TreeKeyResult | null {
  if (rows.length === 0) return null;
  const index = Math.max(0, rows.findIndex((r) => r.id === focusedId));
  const row = rows[index]!;
  switch (key) {
    case 'ArrowDown':
      return { focus: rows[Math.min(index + 1, rows.length - 1)]!.id };
    case 'ArrowUp':
      return { focus: rows[Math.max(index - 1, 0)]!.id };
    case 'Home':
      return { focus: rows[0]!.id };
    case 'End':
      return { focus: rows[rows.length - 1]!.id };
    case 'ArrowRight':
      if (!row.expandable) return { focus: row.id };
      return row.expanded ? { focus: rows[index + 1]?.id ?? row.id } : { focus: row.id, toggle: { id: row.id, open: true } };
    case 'ArrowLeft':
      if (row.expanded) return { focus: row.id, toggle: { id: row.id, open: false } };
      return { focus: row.parentId ?? row.id };
    case 'Enter':
    case ' ':
      return row.expandable ? { focus: row.id, toggle: { id: row.id, open: !row.expanded } } : { focus: row.id };
    default:
      return null;
  }
}
