// The "Timeline" tab: every request's Cookie → Set-Cookie, classified by the core, in a
// virtualized grid with details, filter, Clear, Preserve log and exports.
import { useCallback, useDeferredValue, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { timelineToHar, timelineToJson, type CapturedExchange, type JarChange, type SessionSettings } from '../../../core';
import { downloadText, extensionVersion } from '../../platform/download';
import { inspectedTabId } from '../../platform/inspected-window';
import { DEFAULT_EXCHANGE_CAPACITY } from '../../platform/exchange-log';
import { compileFilter, entryKey, exportFileName } from './model';
import { TimelineDetails } from './TimelineDetails';
import { TimelineGrid } from './TimelineGrid';
import { useTimeline } from './useTimeline';
import './timeline.css';

export interface TimelineViewProps {
  /** Every exchange the panel has received, backlog first, in `seq` order (never reordered). */
  exchanges: readonly CapturedExchange[];
  /** Exchanges the collector dropped because its buffer was full. */
  droppedExchanges: number;
  /** Cookie-jar changes for the inspected site (only with host access), in arrival order. */
  jarChanges: readonly JarChange[];
  /** The inspected origin's settings: cookie names, secrets, signer options, lifetime. */
  settings: SessionSettings;
  inspectedOrigin: string | null;
}

const PRESERVE_LOG_KEY = 'sessionLens.timeline.preserveLog';

function readPreserveLog(): boolean {
  try {
    return localStorage.getItem(PRESERVE_LOG_KEY) !== 'false';
  } catch {
    return true;
  }
}

function tabIdOrNull(): number | null {
  try {
    return inspectedTabId();
  } catch {
    return null;
  }
}

const number = new Intl.NumberFormat('en-US');

export function TimelineView({ exchanges, droppedExchanges, jarChanges, settings, inspectedOrigin }: TimelineViewProps) {
  const [tabId] = useState(tabIdOrNull);
  const [preserveLog, setPreserveLog] = useState(readPreserveLog);
  const [filter, setFilter] = useState('');
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [includeValues, setIncludeValues] = useState(false);
  /** The collector's dropped count when the user last cleared: older drops no longer matter. */
  const [droppedBaseline, setDroppedBaseline] = useState(0);

  const timeline = useTimeline({ exchanges, jarChanges, settings, preserveLog }, tabId);
  const deferredFilter = useDeferredValue(filter);
  const visible = useMemo(() => {
    const matches = compileFilter(deferredFilter);
    return deferredFilter.trim() === '' ? timeline.entries : timeline.entries.filter(matches);
  }, [timeline.entries, deferredFilter]);

  const selected = useMemo(() => (selectedKey === null ? undefined : timeline.entries.find((e) => entryKey(e) === selectedKey)), [timeline.entries, selectedKey]);

  const openDetails = useCallback((key: string) => {
    setSelectedKey(key);
    setDetailsOpen(true);
  }, []);
  const closeDetails = useCallback(() => setDetailsOpen(false), []);
  const list = useRef<HTMLDivElement>(null);

  /** Escape, from the grid or the details, closes the details and puts focus back on the grid. */
  const onMainKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape' || !(detailsOpen && selected)) return;
    // Handled here: left to bubble, DevTools would also toggle its console drawer and take focus.
    event.stopPropagation();
    closeDetails();
    list.current?.querySelector<HTMLElement>('[role="grid"]')?.focus();
  };

  const onPreserveLog = (on: boolean) => {
    setPreserveLog(on);
    try {
      localStorage.setItem(PRESERVE_LOG_KEY, String(on));
    } catch {
      /* the setting just does not stick */
    }
  };

  const collectorDropped = Math.max(0, droppedExchanges - droppedBaseline);
  const dropped = timeline.dropped + collectorDropped;
  const filtered = visible.length !== timeline.entries.length;

  const onClear = () => {
    timeline.clear();
    setDroppedBaseline(droppedExchanges);
    setSelectedKey(null);
    setDetailsOpen(false);
  };

  const onExport = (kind: 'json' | 'har') => {
    const now = new Date();
    const options = { includeCookieValues: includeValues, origin: inspectedOrigin, droppedEntries: dropped, toolVersion: extensionVersion(), exportedAt: now.getTime() };
    const text = kind === 'json' ? timelineToJson(visible, options) : timelineToHar(visible, options);
    downloadText(exportFileName(inspectedOrigin, kind, now), text, 'application/json');
  };

  return (
    <div className={`timeline${detailsOpen && selected ? ' with-details' : ''}`}>
      <div className="toolbar tl-toolbar" role="toolbar" aria-label="Timeline tools">
        <input
          type="search"
          className="tl-filter"
          placeholder="Filter: path, event, status…"
          aria-label="Filter timeline"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button type="button" onClick={onClear} title="Clear the timeline (Preserve log keeps it across navigations)">
          Clear
        </button>
        <label className="check" title="Keep the timeline across navigations and reloads">
          <input type="checkbox" checked={preserveLog} onChange={(e) => onPreserveLog(e.target.checked)} />
          Preserve log
        </label>
        <span className="tl-spacer" />
        <label className="check" title="Exports redact cookie values (and what is decoded from them) unless this is ticked. Secrets are never exported.">
          <input type="checkbox" checked={includeValues} onChange={(e) => setIncludeValues(e.target.checked)} />
          Include cookie values
        </label>
        <button type="button" onClick={() => onExport('json')} disabled={visible.length === 0} title={filtered ? 'Exports the filtered entries' : 'Exports every entry'}>
          Export JSON
        </button>
        <button type="button" onClick={() => onExport('har')} disabled={visible.length === 0} title={filtered ? 'Exports the filtered entries' : 'Exports every entry'}>
          Export HAR
        </button>
      </div>
      {dropped > 0 && (
        <div className="infobar tl-dropped" role="note">
          Older entries were dropped to bound memory:{' '}
          {[
            // The collector drops for two reasons: its own bounded log, and the saved history's size limit on restore.
            collectorDropped > 0 &&
              `${number.format(collectorDropped)} exchange${collectorDropped === 1 ? '' : 's'} before the panel received them (the collector's ${number.format(DEFAULT_EXCHANGE_CAPACITY)}-entry log, or the saved history's size limit)`,
            timeline.dropped > 0 && `${number.format(timeline.dropped)} timeline entr${timeline.dropped === 1 ? 'y' : 'ies'} over the ${number.format(timeline.capacity)}-entry limit`,
          ]
            .filter(Boolean)
            .join('; ')}
          .
        </div>
      )}
      <div className="tl-main" onKeyDown={onMainKeyDown}>
        <div className="tl-list" ref={list}>
          {timeline.entries.length === 0 && !timeline.rebuilding && (
            <p className="empty tl-empty">
              No requests yet. Use the app: every request&apos;s <strong>Cookie</strong> → <strong>Set-Cookie</strong> appears here, classified (Created, Modified,
              Refreshed, Deleted, Rejected, Read, Untouched).
            </p>
          )}
          <TimelineGrid entries={visible} selectedKey={selectedKey} onSelect={setSelectedKey} onOpen={openDetails} />
        </div>
        {detailsOpen && selected && <TimelineDetails entry={selected} onClose={closeDetails} />}
      </div>
      <div className="statusbar tl-status">
        <span>
          {filtered ? `${number.format(visible.length)} / ` : ''}
          {number.format(timeline.entries.length)} entr{timeline.entries.length === 1 ? 'y' : 'ies'}
        </span>
        {timeline.rebuilding && <span>Updating…</span>}
        {settings.secrets.length === 0 && <span>Signatures not checked: paste SECRET_KEY in the Session view to see rejected cookies.</span>}
      </div>
    </div>
  );
}
