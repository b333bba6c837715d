import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { TimelineEntry } from '../../../core';
import { EVENT_LABELS, SESSION_ID_LABELS, entryKey, entryPath, formatClock, worstSeverity } from './model';

export const ROW_HEIGHT = 20;
const HEADER_HEIGHT = 22;

const COLUMNS = ['Time', 'Method', 'Path', 'Status', 'Event', 'Vary', 'Issues'] as const;

export interface TimelineGridProps {
  entries: readonly TimelineEntry[];
  selectedKey: string | null;
  onSelect(key: string): void;
  /** Enter on a row, or a click: show its details. */
  onOpen(key: string): void;
}

const SEVERITY_SYMBOL = { error: '✖', warning: '▲', info: 'ℹ' } as const;

const ROW_ID_PREFIX = 'timeline-row-';

function rowId(key: string): string {
  return ROW_ID_PREFIX + key;
}

/** One row; memoized, since the panel re-renders on every exchange it receives. */
const Row = memo(function Row({ entry, index, selected, start, onClick }: { entry: TimelineEntry; index: number; selected: boolean; start: number; onClick(event: MouseEvent<HTMLDivElement>): void }) {
  const worst = worstSeverity(entry.diagnostics);
  const count = entry.diagnostics.length;
  const http = entry.kind === 'http' ? entry : null;
  return (
    <div
      role="row"
      id={rowId(entryKey(entry))}
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-seq={entry.seq}
      data-kind={entry.kind}
      data-event={entry.event}
      className={`tl-row${selected ? ' selected' : ''}${http && http.status >= 400 ? ' failed' : ''}${entry.kind === 'jar' ? ' jar' : ''}`}
      style={{ transform: `translateY(${start}px)` }}
      onClick={onClick}
    >
      <span role="gridcell" className="tl-time">
        {formatClock(entry.startedAt)}
      </span>
      <span role="gridcell" className="tl-method">
        {http ? http.method : 'jar'}
      </span>
      <span role="gridcell" className="tl-path" title={http ? http.url : entryPath(entry)}>
        {entryPath(entry)}
      </span>
      <span role="gridcell" className="tl-status">
        {http ? (http.status || '(failed)') : ''}
      </span>
      <span role="gridcell" className="tl-event">
        <span className={`tl-badge ev-${entry.event}`}>{EVENT_LABELS[entry.event]}</span>
        {http?.sessionId && <span className="tl-sid"> {SESSION_ID_LABELS[http.sessionId]}</span>}
      </span>
      <span role="gridcell" className="tl-vary">
        {http?.varyCookie ? <span className="tl-badge vary" title={`Vary: ${http.vary ?? ''}`}>Vary</span> : ''}
      </span>
      <span role="gridcell" className="tl-issues">
        {worst && (
          <span className={`tl-sev sev-${worst}`} aria-label={`${count} diagnostic${count === 1 ? '' : 's'}, worst: ${worst}`} title={entry.diagnostics.map((d) => d.title).join('\n')}>
            {SEVERITY_SYMBOL[worst]} {count}
          </span>
        )}
      </span>
    </div>
  );
});

/**
 * The timeline as a virtualized ARIA grid: only visible rows are in the DOM. Arrow keys, Page
 * Up/Down, Home and End move the selection; Enter opens the details. New rows
 * keep the view at the bottom when it was there (like the Network panel).
 */
export const TimelineGrid = memo(function TimelineGrid({ entries, selectedKey, onSelect, onOpen }: TimelineGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    getItemKey: (index) => entryKey(entries[index]!),
  });
  const selectedIndex = selectedKey === null ? -1 : entries.findIndex((e) => entryKey(e) === selectedKey);

  // Follow new rows while scrolled to the bottom. (Set directly: the virtualizer's own
  // scrollToIndex re-measures the scroll element over several frames, too costly per batch.)
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current && entries.length > 0) el.scrollTop = el.scrollHeight;
  }, [entries.length]);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (el) atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT * 1.5;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (entries.length === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 200) / ROW_HEIGHT) - 2);
    const from = selectedIndex;
    const moves: Record<string, number> = {
      ArrowDown: from < 0 ? 0 : from + 1,
      ArrowUp: from < 0 ? entries.length - 1 : from - 1,
      PageDown: from + page,
      PageUp: from < 0 ? 0 : from - page,
      Home: 0,
      End: entries.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      const to = Math.min(entries.length - 1, Math.max(0, moves[event.key]!));
      onSelect(entryKey(entries[to]!));
    } else if (event.key === 'Enter' && from >= 0) {
      event.preventDefault();
      onOpen(entryKey(entries[from]!));
    }
  };

  const onRowClick = useCallback(
    (event: MouseEvent<HTMLDivElement>) => {
      const key = event.currentTarget.id.slice(ROW_ID_PREFIX.length);
      scroller.current?.focus({ preventScroll: true });
      onSelect(key);
      onOpen(key);
    },
    [onSelect, onOpen],
  );

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scroller}
      className="tl-grid"
      role="grid"
      aria-label="Session timeline"
      aria-rowcount={entries.length + 1}
      aria-colcount={COLUMNS.length}
      aria-activedescendant={selectedIndex >= 0 ? rowId(selectedKey!) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={onScroll}
    >
      <div role="row" aria-rowindex={1} className="tl-row tl-header">
        {COLUMNS.map((name) => (
          <span key={name} role="columnheader" className={`tl-${name.toLowerCase()}`}>
            {name}
          </span>
        ))}
      </div>
      <div role="rowgroup" className="tl-body" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const entry = entries[item.index]!;
          const key = entryKey(entry);
          return (
            <Row
              key={key}
              entry={entry}
              index={item.index}
              selected={key === selectedKey}
              start={item.start - HEADER_HEIGHT}
              onClick={onRowClick}
            />
          );
        })}
      </div>
    </div>
  );
});
