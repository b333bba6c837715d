import { TIMELINE_REQUEST_HEADERS, TIMELINE_RESPONSE_HEADERS, timelineHeaders } from '../../core/timeline-headers';
import type { CapturedExchange } from '../../core/exchange';
import type { ExchangeStream, RestoredExchanges } from './exchange-stream';

/**
 * Keeps each inspected tab's exchange history in `storage.session` (memory only, cleared when
 * the browser closes), so closing and reopening DevTools on that tab restores what was recorded.
 *
 * - Written by the devtools page, which sees every exchange for as long as DevTools is open;
 *   restored into its `ExchangeStream` before any new exchange (`ExchangeStream.restoreFirst`).
 * - Only the headers the timeline needs are kept (Cookie; Set-Cookie, Vary, Cache-Control,
 *   Location, Date): no Authorization, no bodies. Never settings or secrets.
 * - Bounded in bytes: per tab (newest exchanges that fit) and across tabs (the least recently
 *   saved other tabs are evicted). Chrome's `storage.session` holds 10 MB by default, shared with
 *   the rest of the extension.
 */

/** The part of `chrome.storage.StorageArea` used here (the promise forms). */
export interface StorageAreaLike {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export const HISTORY_KEY_PREFIX = 'sessionLens.history.';
export const HISTORY_INDEX_KEY = 'sessionLens.historyIndex';
export const TIMELINE_MARK_KEY_PREFIX = 'sessionLens.timelineMark.';
export const DEFAULT_TAB_HISTORY_BYTES = 3 * 1024 * 1024;
export const DEFAULT_TOTAL_HISTORY_BYTES = 6 * 1024 * 1024;
export const DEFAULT_SAVE_DELAY_MS = 300;

interface StoredHistory {
  version: 1;
  savedAt: number;
  /** Older exchanges of this tab that are not in `exchanges`. */
  dropped: number;
  exchanges: CapturedExchange[];
}

/** tab id → bytes and time of the last save, to share the byte budget between tabs. */
type HistoryIndex = Record<string, { bytes: number; savedAt: number }>;

export const historyKey = (tabId: number): string => `${HISTORY_KEY_PREFIX}${tabId}`;

/** The exchange reduced to what the timeline and the Session view need. */
export function trimExchange(exchange: CapturedExchange): CapturedExchange {
  const trimmed: CapturedExchange = {
    seq: exchange.seq,
    startedAt: exchange.startedAt,
    method: exchange.method,
    url: exchange.url,
    status: exchange.status,
    requestHeaders: timelineHeaders(exchange.requestHeaders, TIMELINE_REQUEST_HEADERS),
    responseHeaders: timelineHeaders(exchange.responseHeaders, TIMELINE_RESPONSE_HEADERS),
  };
  if (exchange.redirectURL) trimmed.redirectURL = exchange.redirectURL;
  if (exchange.resourceType) trimmed.resourceType = exchange.resourceType;
  return trimmed;
}

const encoder = new TextEncoder();
/** Bytes `storage` counts for a value: its JSON text in UTF-8 (plus a comma in an array). */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length + 1;
}

function isStoredHistory(value: unknown): value is StoredHistory {
  const v = value as Partial<StoredHistory> | null;
  return v?.version === 1 && Array.isArray(v.exchanges) && typeof v.dropped === 'number';
}

function isExchange(value: unknown): value is CapturedExchange {
  const e = value as Partial<CapturedExchange> | null;
  return (
    typeof e?.seq === 'number' &&
    typeof e.url === 'string' &&
    typeof e.method === 'string' &&
    typeof e.status === 'number' &&
    typeof e.startedAt === 'number' &&
    Array.isArray(e.requestHeaders) &&
    Array.isArray(e.responseHeaders)
  );
}

export interface ExchangeHistoryOptions {
  storage: StorageAreaLike;
  tabId: number;
  tabBudgetBytes?: number;
  totalBudgetBytes?: number;
  saveDelayMs?: number;
  now?: () => number;
  /** Whether a tab still exists; histories of closed tabs are removed on load. */
  tabExists?: (tabId: number) => Promise<boolean>;
}

/** One tab's persisted history: load it once, then record what the stream delivers. */
export class ExchangeHistory {
  readonly tabId: number;
  readonly tabBudgetBytes: number;
  readonly totalBudgetBytes: number;
  private readonly storage: StorageAreaLike;
  private readonly saveDelayMs: number;
  private readonly now: () => number;
  private readonly tabExists?: (tabId: number) => Promise<boolean>;
  /** Kept exchanges (oldest first) and their sizes. */
  private kept: { exchange: CapturedExchange; bytes: number }[] = [];
  private keptBytes = 0;
  private dropped = 0;
  private lastSeq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(options: ExchangeHistoryOptions) {
    this.storage = options.storage;
    this.tabId = options.tabId;
    this.tabBudgetBytes = options.tabBudgetBytes ?? DEFAULT_TAB_HISTORY_BYTES;
    this.totalBudgetBytes = Math.max(options.totalBudgetBytes ?? DEFAULT_TOTAL_HISTORY_BYTES, this.tabBudgetBytes);
    this.saveDelayMs = options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS;
    this.now = options.now ?? Date.now;
    this.tabExists = options.tabExists;
  }

  /** The stored history of this tab (and removes the histories of tabs that are gone). */
  async load(): Promise<RestoredExchanges | null> {
    const key = historyKey(this.tabId);
    const stored = await this.storage.get([key, HISTORY_INDEX_KEY]);
    await this.pruneClosedTabs(stored[HISTORY_INDEX_KEY] as HistoryIndex | undefined).catch((error: unknown) =>
      console.warn('[session-lens] could not prune histories of closed tabs', error),
    );
    const history = stored[key];
    if (!isStoredHistory(history)) return null;
    const exchanges = history.exchanges.filter(isExchange).sort((a, b) => a.seq - b.seq);
    // This session's saves continue the earlier history.
    this.dropped = history.dropped + (history.exchanges.length - exchanges.length);
    const dropped = this.dropped;
    this.record(exchanges);
    this.dirty = false;
    return { exchanges, dropped };
  }

  /** Adds exchanges (in `seq` order; ones already kept are skipped) and schedules a save. */
  record(batch: readonly CapturedExchange[]): void {
    for (const exchange of batch) {
      if (exchange.seq <= this.lastSeq) continue;
      this.lastSeq = exchange.seq;
      const trimmed = trimExchange(exchange);
      const bytes = jsonBytes(trimmed);
      this.kept.push({ exchange: trimmed, bytes });
      this.keptBytes += bytes;
    }
    let evict = 0;
    // Leave room for the envelope.
    while (evict < this.kept.length && this.keptBytes > this.tabBudgetBytes - 256) {
      this.keptBytes -= this.kept[evict]!.bytes;
      evict += 1;
    }
    if (evict > 0) {
      this.kept.splice(0, evict);
      this.dropped += evict;
    }
    this.dirty = true;
    if (this.timer === undefined) this.timer = setTimeout(() => void this.flush(), this.saveDelayMs);
  }

  /** Follows `stream`: its backlog (including what was restored), then every batch. */
  follow(stream: ExchangeStream): () => void {
    return stream.subscribe((batch) => this.record(batch));
  }

  /** Saves now (waits for a save in progress first). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.saving = this.saving.then(() => this.save()).catch((error: unknown) => console.warn('[session-lens] could not save the exchange history', error));
    return this.saving;
  }

  /** Kept exchanges, oldest first (for tests and diagnostics). */
  get size(): number {
    return this.kept.length;
  }

  private async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const savedAt = this.now();
    const history: StoredHistory = { version: 1, savedAt, dropped: this.dropped, exchanges: this.kept.map((k) => k.exchange) };
    const bytes = this.keptBytes + 256;
    const index = ((await this.storage.get(HISTORY_INDEX_KEY))[HISTORY_INDEX_KEY] as HistoryIndex | undefined) ?? {};
    index[String(this.tabId)] = { bytes, savedAt };
    // Evict other tabs, least recently saved first, until every history fits the total budget.
    const evicted: string[] = [];
    let total = Object.values(index).reduce((sum, e) => sum + e.bytes, 0);
    for (const [tab, entry] of Object.entries(index).sort((a, b) => a[1].savedAt - b[1].savedAt)) {
      if (total <= this.totalBudgetBytes) break;
      if (tab === String(this.tabId)) continue;
      total -= entry.bytes;
      delete index[tab];
      evicted.push(historyKey(Number(tab)));
    }
    if (evicted.length > 0) await this.storage.remove(evicted);
    await this.storage.set({ [historyKey(this.tabId)]: history, [HISTORY_INDEX_KEY]: index });
  }

  private async pruneClosedTabs(index: HistoryIndex | undefined): Promise<void> {
    if (!index || !this.tabExists) return;
    const gone: string[] = [];
    for (const tab of Object.keys(index)) {
      if (Number(tab) !== this.tabId && !(await this.tabExists(Number(tab)))) gone.push(tab);
    }
    if (gone.length === 0) return;
    const fresh = ((await this.storage.get(HISTORY_INDEX_KEY))[HISTORY_INDEX_KEY] as HistoryIndex | undefined) ?? {};
    for (const tab of gone) delete fresh[tab];
    await this.storage.remove(gone.map((tab) => historyKey(Number(tab))));
    await this.storage.set({ [HISTORY_INDEX_KEY]: fresh });
  }
}

// ------------------------------------------------------------------ browser bindings

interface StorageGlobals {
  chrome?: { storage?: { session?: StorageAreaLike }; tabs?: { get(tabId: number): Promise<unknown> } };
  browser?: { storage?: { session?: StorageAreaLike }; tabs?: { get(tabId: number): Promise<unknown> } };
}

/** `storage.session`, or undefined where the browser has none (then nothing is persisted). */
export function sessionStorageArea(scope: object = globalThis): StorageAreaLike | undefined {
  const g = scope as StorageGlobals;
  return g.chrome?.storage?.session ?? g.browser?.storage?.session;
}

function tabExistsVia(scope: object = globalThis): ((tabId: number) => Promise<boolean>) | undefined {
  const g = scope as StorageGlobals;
  const tabs = g.chrome?.tabs ?? g.browser?.tabs;
  if (!tabs) return undefined;
  return (tabId) => tabs.get(tabId).then(
    () => true,
    () => false,
  );
}

/** The history of `tabId` in this browser's `storage.session`, or undefined without one. */
export function browserExchangeHistory(tabId: number, options: Partial<ExchangeHistoryOptions> = {}): ExchangeHistory | undefined {
  const storage = options.storage ?? sessionStorageArea();
  if (!storage) return undefined;
  return new ExchangeHistory({ tabExists: tabExistsVia(), ...options, storage, tabId });
}

// ------------------------------------------------------------------ the timeline's "cleared up to" mark

/** The highest `seq` the user cleared from the timeline of `tabId` (Clear, or a navigation without Preserve log). */
export async function loadTimelineMark(tabId: number, storage = sessionStorageArea()): Promise<number> {
  if (!storage) return 0;
  const key = `${TIMELINE_MARK_KEY_PREFIX}${tabId}`;
  const value = (await storage.get(key))[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export async function saveTimelineMark(tabId: number, seq: number, storage = sessionStorageArea()): Promise<void> {
  await storage?.set({ [`${TIMELINE_MARK_KEY_PREFIX}${tabId}`]: seq });
}
