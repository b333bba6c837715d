import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { PyValue, Result } from '../../../core';
import { copyText } from '../../platform/clipboard';
import { copyJsonText, copyValueText, defaultExpanded, payloadRows, treeKey, type Notation, type TreeRow } from '../state/payload-tree';

function valueClass(row: TreeRow): string {
  switch (row.value?.type) {
    case 'str':
    case 'markup':
    case 'bytes':
      return 'v-str';
    case 'int':
    case 'float':
      return 'v-num';
    case 'bool':
    case 'none':
      return 'v-const';
    case 'uuid':
    case 'datetime':
      return 'v-special';
    default:
      return 'v-container';
  }
}

/** The payload as an ARIA tree; each treeitem reads "key: value". */
function PayloadTree(props: {
  label: string;
  rows: readonly TreeRow[];
  current: TreeRow | null;
  onFocus: (id: string) => void;
  onToggle: (id: string, open: boolean) => void;
  onCopyValue: () => void;
}) {
  const { rows, current, onFocus, onToggle } = props;
  const treeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Move DOM focus with the tree's focus only while the tree has it.
    const tree = treeRef.current;
    if (!tree || !current || !tree.contains(document.activeElement)) return;
    const el = tree.querySelector<HTMLElement>(`[data-id="${CSS.escape(current.id)}"]`);
    if (el && el !== document.activeElement) el.focus();
  }, [current]);

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'c') {
      event.preventDefault();
      props.onCopyValue();
      return;
    }
    const action = treeKey(rows, current?.id ?? null, event.key);
    if (!action) return;
    event.preventDefault();
    if (action.toggle) onToggle(action.toggle.id, action.toggle.open);
    if (action.focus) onFocus(action.focus);
  };

  return (
    <div role="tree" aria-label={props.label} className="tree" ref={treeRef} onKeyDown={onKeyDown}>
      {rows.map((row) => {
        const isCurrent = row.id === current?.id;
        return (
          <div
            key={row.id}
            data-id={row.id}
            role="treeitem"
            aria-level={row.level}
            aria-posinset={row.posInSet}
            aria-setsize={row.setSize}
            aria-expanded={row.expandable ? row.expanded : undefined}
            aria-selected={isCurrent}
            aria-label={`${row.key}: ${row.text}`}
            aria-description={row.badge ?? undefined}
            tabIndex={isCurrent ? 0 : -1}
            className={`treeitem${isCurrent ? ' focused' : ''}`}
            style={{ paddingLeft: `${(row.level - 1) * 14 + 4}px` }}
            onClick={() => {
              onFocus(row.id);
              if (row.expandable) onToggle(row.id, !row.expanded);
            }}
            onFocus={() => !isCurrent && onFocus(row.id)}
          >
            <span className={`twisty${row.expandable ? (row.expanded ? ' open' : ' closed') : ''}`} aria-hidden="true" />
            <span className="key">{row.key}</span>
            <span className="colon">: </span>
            <span className={`value ${valueClass(row)}`}>{row.text}</span>
            {row.badge && <span className="badge type" data-badge={row.badge} aria-hidden="true" />}
          </div>
        );
      })}
    </div>
  );
}

/** A typed tree with copy buttons under `title` (the cookie's payload, the server-side session, a JWT's claims or header). */
export function DecodedPayloadView({
  root,
  title = 'Payload',
  headingId = 'payload-heading',
  notation = 'python',
}: {
  root: PyValue;
  title?: string;
  headingId?: string;
  notation?: Notation;
}) {
  const defaults = useMemo(() => defaultExpanded(root), [root]);
  // What the user opened or closed, over the defaults (kept when the cookie's value changes).
  const [overrides, setOverrides] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [copied, setCopied] = useState('');
  const rows = useMemo(() => {
    const expanded = new Set(defaults);
    for (const [id, open] of overrides) {
      if (open) expanded.add(id);
      else expanded.delete(id);
    }
    return payloadRows(root, expanded, notation);
  }, [root, defaults, overrides, notation]);
  const current = rows.find((r) => r.id === focusedId) ?? rows[0] ?? null;
  const target = current?.value ?? null;

  const copy = (label: string, render: () => string) => {
    let text: string;
    try {
      text = render();
    } catch {
      // Only a hostile payload gets here: its rendering passes the output cap.
      setCopied(`Not copied: ${label} is too large`);
      return;
    }
    void copyText(text).then((ok) => setCopied(ok ? `Copied ${label}` : 'Copy failed'));
  };
  const copyValue = () => target && copy(`the value of ${current!.key}`, () => copyValueText(target, notation));

  return (
    <section aria-labelledby={headingId} className="payload">
      <div className="section-toolbar">
        <h3 id={headingId}>{title}</h3>
        <button type="button" disabled={!target} onClick={copyValue}>
          Copy value
        </button>
        <button type="button" disabled={!target} onClick={() => target && copy(`${current!.key} as JSON`, () => copyJsonText(target))}>
          Copy as JSON
        </button>
        <button type="button" onClick={() => copy(`the ${title.toLowerCase()} as JSON`, () => copyJsonText(root))}>
          Copy {title.toLowerCase()} as JSON
        </button>
        <span className="copied" aria-live="polite">
          {copied}
        </span>
      </div>
      <PayloadTree
        label={title}
        rows={rows}
        current={current}
        onFocus={setFocusedId}
        onToggle={(id, open) => setOverrides((prev) => new Map(prev).set(id, open))}
        onCopyValue={copyValue}
      />
    </section>
  );
}

/** The payload tree with copy buttons, or why the payload cannot be shown. */
export function PayloadSection({
  payload,
  title = 'Payload',
  notation = 'python',
}: {
  payload: Result<{ value: PyValue }> | null;
  title?: string;
  notation?: Notation;
}) {
  if (!payload) return null;
  if (!payload.ok) {
    return (
      <section aria-labelledby="payload-heading">
        <h3 id="payload-heading">{title}</h3>
        <p className="tone-bad" id="payload-error">
          The payload cannot be decoded: {payload.error.message} ({payload.error.code})
        </p>
      </section>
    );
  }
  return <DecodedPayloadView root={payload.value.value} title={title} notation={notation} />;
}
