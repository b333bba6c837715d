import { TIMELINE_REQUEST_HEADERS, TIMELINE_RESPONSE_HEADERS, timelineHeaders } from '../../core/timeline/timeline-headers';
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
 * - Stored in chunks of `chunkSize` exchanges: a save writes only the chunks that changed (the
 *   storage API serializes whatever it is given, so rewriting a whole history on every save
 *   would cost the DevTools window's main thread more and more as the history grows).
 * - Each chunk is stored as one JSON string. The browser counts a stored value by its own memory
 *   estimate, not its JSON size: measured in Chromium 156, a chunk of 100 exchanges as an array of
 *   objects counts 3.3× its JSON text, as a string 1.0×. As strings, the byte budget below is
 *   what the quota sees, and the storage API has one value to copy instead of a tree.
 * - Bounded in bytes: per tab (whole chunks, oldest first) and across tabs (the least recently
 *   saved other tabs are evicted). `storage.session` holds 10 MB, shared with the rest of the
 *   extension; a save refused for quota drops the oldest chunks of this tab until one fits.
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
export const DEFAULT_TAB_HISTORY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_TOTAL_HISTORY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 100;
/**
 * A batch is saved on the next task: DevTools may close at any moment, and a save begun while
 * the page is closing can be lost (seen in Chromium 156, even when issued from pagehide).
 */
export const DEFAULT_SAVE_DELAY_MS = 0;
/** During a burst, saves happen at most this often: the most a close mid-burst can lose. */
export const DEFAULT_MIN_SAVE_INTERVAL_MS = 250;

/** A tab's history: which chunks hold its exchanges, oldest first. */
interface StoredHistory {
  version: 3;
  savedAt: number;
  /** Older exchanges of this tab that are in no chunk. */
  dropped: number;
  chunks: number[];
}

/** tab id → size, time of the last save and chunk ids, to share the byte budget between tabs. */
type HistoryIndex = Record<string, { bytes: number; savedAt: number; chunks: number[] }>;

export const historyKey = (tabId: number): string => `${HISTORY_KEY_PREFIX}${tabId}`;
export const chunkKey = (tabId: number, chunk: number): string => `${HISTORY_KEY_PREFIX}${tabId}.${chunk}`;
export const timelineMarkKey = (tabId: number): string => `${TIMELINE_MARK_KEY_PREFIX}${tabId}`;

/** A stored timeline mark, or 0. */
function markValue(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

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

/** A stored chunk's exchanges, or [] when it is missing or damaged (it is never trusted blindly). */
function parseChunk(raw: unknown): unknown[] {
  if (typeof raw !== 'string') return [];
  try {
    const items: unknown = JSON.parse(raw);
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

/** Chromium: "Session storage quota bytes exceeded…"; Firefox: a QuotaExceededError. */
function isQuotaError(error: unknown): boolean {
  return /quota/i.test(error instanceof Error ? `${error.name} ${error.message}` : String(error));
}

function isStoredHistory(value: unknown): value is StoredHistory {
  const v = value as Partial<StoredHistory> | null;
  return v?.version === 3 && Array.isArray(v.chunks) && v.chunks.every(Number.isInteger) && typeof v.dropped === 'number';
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
  chunkSize?: number;
  saveDelayMs?: number;
  minSaveIntervalMs?: number;
  now?: () => number;
  /** Whether a tab still exists; histories of closed tabs are removed on load. */
  tabExists?: (tabId: number) => Promise<boolean>;
}

interface Chunk {
  id: number;
  exchanges: CapturedExchange[];
  bytes: number;
  dirty: boolean;
}

/** Envelope bytes per chunk and per history, on top of the exchanges themselves. */
const OVERHEAD_BYTES = 64;

/** One tab's persisted history: load it once, then record what the stream delivers. */
export class ExchangeHistory {
  readonly tabId: number;
  readonly tabBudgetBytes: number;
  readonly totalBudgetBytes: number;
  private readonly storage: StorageAreaLike;
  private readonly chunkSize: number;
  private readonly saveDelayMs: number;
  private readonly minSaveIntervalMs: number;
  private readonly now: () => number;
  private readonly tabExists?: (tabId: number) => Promise<boolean>;
  private chunks: Chunk[] = [];
  /** The per-tab budget, lowered when the browser refuses a save for quota. */
  private budgetBytes: number;
  private nextChunkId = 0;
  private bytes = OVERHEAD_BYTES;
  /** Chunk keys to delete with the next save. */
  private removed: string[] = [];
  private dropped = 0;
  private lastSeq = 0;
  private lastSaveAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(options: ExchangeHistoryOptions) {
    this.storage = options.storage;
    this.tabId = options.tabId;
    this.tabBudgetBytes = options.tabBudgetBytes ?? DEFAULT_TAB_HISTORY_BYTES;
    this.budgetBytes = this.tabBudgetBytes;
    this.totalBudgetBytes = Math.max(options.totalBudgetBytes ?? DEFAULT_TOTAL_HISTORY_BYTES, this.tabBudgetBytes);
    this.chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.saveDelayMs = options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS;
    this.minSaveIntervalMs = options.minSaveIntervalMs ?? (options.saveDelayMs === 0 ? 0 : DEFAULT_MIN_SAVE_INTERVAL_MS);
    this.now = options.now ?? Date.now;
    this.tabExists = options.tabExists;
  }

  /** The stored history of this tab (and removes the histories of tabs that are gone). */
  async load(): Promise<RestoredExchanges | null> {
    const key = historyKey(this.tabId);
    const markKey = timelineMarkKey(this.tabId);
    const stored = await this.storage.get([key, HISTORY_INDEX_KEY, markKey]);
    await this.pruneClosedTabs(stored[HISTORY_INDEX_KEY] as HistoryIndex | undefined).catch((error: unknown) =>
      console.warn('[session-lens] could not prune histories of closed tabs', error),
    );
    // The mark may cover exchanges whose save was lost when DevTools closed.
    const mark = markValue(stored[markKey]);
    const history = stored[key];
    if (!isStoredHistory(history)) return mark > 0 ? { exchanges: [], dropped: 0, lastSeq: mark } : null;
    const keys = history.chunks.map((id) => chunkKey(this.tabId, id));
    const contents = keys.length > 0 ? await this.storage.get(keys) : {};
    let damaged = 0;
    for (const id of history.chunks) {
      const items = parseChunk(contents[chunkKey(this.tabId, id)]);
      const exchanges = items.filter(isExchange).filter((e) => e.seq > this.lastSeq);
      damaged += items.length - exchanges.length;
      this.nextChunkId = Math.max(this.nextChunkId, id + 1);
      if (exchanges.length === 0) {
        this.removed.push(chunkKey(this.tabId, id));
        continue;
      }
      const bytes = exchanges.reduce((sum, e) => sum + jsonBytes(e), OVERHEAD_BYTES);
      this.chunks.push({ id, exchanges, bytes, dirty: false });
      this.bytes += bytes;
      this.lastSeq = exchanges.at(-1)!.seq;
    }
    // This session's saves continue the earlier history.
    this.dropped = history.dropped + damaged;
    this.evictOverBudget();
    return { exchanges: this.chunks.flatMap((c) => c.exchanges), dropped: this.dropped, lastSeq: Math.max(this.lastSeq, mark) };
  }

  /** Adds exchanges (in `seq` order; ones already kept are skipped) and schedules a save. */
  record(batch: readonly CapturedExchange[]): void {
    let added = false;
    for (const exchange of batch) {
      if (exchange.seq <= this.lastSeq) continue;
      this.lastSeq = exchange.seq;
      const trimmed = trimExchange(exchange);
      let chunk = this.chunks.at(-1);
      if (!chunk || chunk.exchanges.length >= this.chunkSize) {
        chunk = { id: this.nextChunkId++, exchanges: [], bytes: OVERHEAD_BYTES, dirty: true };
        this.chunks.push(chunk);
        this.bytes += OVERHEAD_BYTES;
      }
      const bytes = jsonBytes(trimmed);
      chunk.exchanges.push(trimmed);
      chunk.bytes += bytes;
      chunk.dirty = true;
      this.bytes += bytes;
      added = true;
    }
    if (!added) return;
    this.evictOverBudget();
    this.dirty = true;
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (this.timer !== undefined) return;
    const delay = Math.max(this.saveDelayMs, this.lastSaveAt + this.minSaveIntervalMs - this.now());
    this.timer = setTimeout(() => void this.flush(), delay);
  }

  /** Follows `stream`: its backlog (including what was restored), then every batch. */
  follow(stream: ExchangeStream): () => void {
    return stream.subscribe((batch) => this.record(batch));
  }

  /**
   * Saves now. The history itself is written at once, before anything is awaited: when DevTools
   * closes, the page hides and may not live to see an await resolve (seen in Chromium 156: a save
   * that first read the index was lost). The shared index is updated after, in order.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const updateIndex = this.writeHistory();
    this.saving = this.saving.then(updateIndex).catch((error: unknown) => console.warn('[session-lens] could not save the exchange history', error));
    return this.saving;
  }

  /** Drops the oldest exchanges (whole chunks, then from the front of the last one) until the history fits. */
  private evictOverBudget(): void {
    while (this.bytes > this.budgetBytes && this.chunks.length > 0) {
      const oldest = this.chunks[0]!;
      if (this.chunks.length > 1) {
        this.chunks.shift();
        this.bytes -= oldest.bytes;
        this.dropped += oldest.exchanges.length;
        this.removed.push(chunkKey(this.tabId, oldest.id));
      } else {
        const first = oldest.exchanges.shift();
        if (!first) break;
        const bytes = jsonBytes(first);
        oldest.bytes -= bytes;
        this.bytes -= bytes;
        oldest.dirty = true;
        this.dropped += 1;
      }
    }
  }

  /** Issues the write of what changed and returns the index update that must follow it. */
  private writeHistory(): () => Promise<void> {
    if (!this.dirty) return async () => {};
    this.dirty = false;
    const savedAt = this.now();
    this.lastSaveAt = savedAt;
    const writes: Record<string, unknown> = {};
    const written: Chunk[] = [];
    for (const chunk of this.chunks) {
      if (!chunk.dirty) continue;
      chunk.dirty = false;
      written.push(chunk);
      writes[chunkKey(this.tabId, chunk.id)] = JSON.stringify(chunk.exchanges);
    }
    const chunks = this.chunks.map((c) => c.id);
    const write = this.storage.set({ ...writes, [historyKey(this.tabId)]: this.storedHistory(savedAt) });
    // Chunk ids are never reused, so removing evicted chunks after the write cannot touch it.
    const removed = this.removed.splice(0);
    const entry = { bytes: this.bytes, savedAt, chunks };
    return async () => {
      try {
        await write;
      } catch (error) {
        // Nothing of this save is stored: its chunks (those still kept) and its removals go
        // with the next save, so a failed write leaves no gap behind.
        for (const chunk of written) if (this.chunks.includes(chunk)) chunk.dirty = true;
        this.removed.push(...removed);
        this.dirty = true;
        if (isQuotaError(error)) await this.makeRoom().catch((e: unknown) => console.warn('[session-lens] could not free history storage', e));
        this.scheduleSave();
        throw error;
      }
      await this.updateIndex(entry, removed);
    };
  }

  private storedHistory(savedAt: number): StoredHistory {
    return { version: 3, savedAt, dropped: this.dropped, chunks: this.chunks.map((c) => c.id) };
  }

  /**
   * After a save refused for quota: this tab keeps a quarter less from now on, and the chunks that
   * no longer fit are freed before the next save. The history record stops naming them first, so
   * a page that closes in between leaves no chunk named that is not stored.
   */
  private async makeRoom(): Promise<void> {
    this.budgetBytes = Math.max(OVERHEAD_BYTES, Math.floor(Math.min(this.budgetBytes, this.bytes) * 0.75));
    this.evictOverBudget();
    await this.storage.set({ [historyKey(this.tabId)]: this.storedHistory(this.now()) });
    await this.storage.remove(this.removed.splice(0));
  }

  private async updateIndex(entry: HistoryIndex[string], removed: string[]): Promise<void> {
    const index = ((await this.storage.get(HISTORY_INDEX_KEY))[HISTORY_INDEX_KEY] as HistoryIndex | undefined) ?? {};
    index[String(this.tabId)] = entry;
    // Evict other tabs, least recently saved first, until every history fits the total budget.
    let total = Object.values(index).reduce((sum, e) => sum + e.bytes, 0);
    for (const [tab, other] of Object.entries(index).sort((a, b) => a[1].savedAt - b[1].savedAt)) {
      if (total <= this.totalBudgetBytes) break;
      if (tab === String(this.tabId)) continue;
      total -= other.bytes;
      delete index[tab];
      removed.push(...historyKeys(Number(tab), other.chunks));
    }
    if (removed.length > 0) await this.storage.remove(removed);
    await this.storage.set({ [HISTORY_INDEX_KEY]: index });
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
    await this.storage.remove(gone.flatMap((tab) => historyKeys(Number(tab), index[tab]?.chunks ?? [])));
    await this.storage.set({ [HISTORY_INDEX_KEY]: fresh });
  }
}

/** Every storage key of a tab's history. */
function historyKeys(tabId: number, chunks: readonly number[]): string[] {
  return [historyKey(tabId), ...chunks.map((id) => chunkKey(tabId, id))];
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
  const key = timelineMarkKey(tabId);
  return markValue((await storage.get(key))[key]);
}

export async function saveTimelineMark(tabId: number, seq: number, storage = sessionStorageArea()): Promise<void> {
  await storage?.set({ [timelineMarkKey(tabId)]: seq });
}
