import type { CapturedExchange } from '../../core/exchange';
import { DEFAULT_EXCHANGE_CAPACITY, ExchangeLog } from './exchange-log';
import { harEntryToExchange, type HarEntryLike } from './har-to-exchange';

export interface ExchangeBatchInfo {
  /**
   * Exchanges this listener will never get: discarded because the buffer was full before it
   * subscribed (oldest first), or not kept by an earlier DevTools session. Exchanges discarded
   * after the listener received them do not count: it has them.
   */
  dropped: number;
}

/**
 * Receives exchanges in order. The first call after subscribing is the backlog (possibly
 * empty); every later call carries only exchanges recorded since the previous call.
 */
export type ExchangeBatchListener = (batch: CapturedExchange[], info: ExchangeBatchInfo) => void;

export interface ExchangeStreamOptions {
  capacity?: number;
  /** Defers delivery of live exchanges so that bursts reach listeners as one batch. */
  schedule?: (flush: () => void) => void;
  /** Clock for exchanges whose HAR entry has no usable start time. */
  now?: () => number;
  /** Where a throwing listener is reported; the other listeners still get the batch. */
  onListenerError?: (error: unknown) => void;
}

/** Exchanges an earlier DevTools session recorded for the same tab (see exchange-persistence.ts). */
export interface RestoredExchanges {
  /** In `seq` order. */
  exchanges: CapturedExchange[];
  /** How many older exchanges that session had but did not keep. */
  dropped: number;
  /**
   * The highest `seq` anything stored for the tab refers to (its history, or the timeline's Clear
   * mark). New exchanges are numbered after it: when the last save of a history was lost, reusing
   * those numbers would put new exchanges under a Clear mark that covers the lost ones.
   */
  lastSeq?: number;
}

/**
 * Records HAR entries as `CapturedExchange`s (assigning `seq` from 1), keeps the most recent
 * ones in a bounded log, and fans them out to listeners: backlog first, then live batches.
 * Pure logic with no browser dependency; the devtools page and the stand-alone panel both use it.
 */
export class ExchangeStream {
  readonly #log: ExchangeLog;
  readonly #schedule: (flush: () => void) => void;
  readonly #now: () => number;
  readonly #onListenerError: (error: unknown) => void;
  /** Each listener with the number of exchanges it never received. */
  readonly #listeners = new Map<ExchangeBatchListener, { missed: number }>();
  #pending: CapturedExchange[] = [];
  #flushScheduled = false;
  #nextSeq = 1;
  /** Exchanges recorded while a restore is pending; numbered once it settles. */
  #held: CapturedExchange[] | null = null;
  #restoredDropped = 0;

  constructor(options: ExchangeStreamOptions = {}) {
    this.#log = new ExchangeLog(options.capacity ?? DEFAULT_EXCHANGE_CAPACITY);
    this.#schedule = options.schedule ?? ((flush) => setTimeout(flush, 0));
    this.#now = options.now ?? Date.now;
    this.#onListenerError = options.onListenerError ?? ((error) => console.error('[session-lens] exchange listener failed', error));
  }

  /** Every exchange discarded so far: buffer evictions plus an earlier session's losses. */
  get dropped(): number {
    return this.#log.dropped + this.#restoredDropped;
  }

  get size(): number {
    return this.#log.size;
  }

  /** Converts and stores one HAR entry; listeners get it with the next flush. */
  recordHar(entry: HarEntryLike): CapturedExchange {
    if (this.#held) {
      // Numbered (its `seq` set) when the pending restore settles.
      const exchange = harEntryToExchange(entry, 0, this.#now());
      this.#held.push(exchange);
      return exchange;
    }
    const exchange = harEntryToExchange(entry, this.#nextSeq, this.#now());
    this.#nextSeq += 1;
    this.#append(exchange);
    return exchange;
  }

  /**
   * Puts an earlier DevTools session's exchanges in front of everything this one records: until
   * `restored` settles, new exchanges wait; then the restored ones are appended with their own
   * `seq`, and numbering continues after the highest (or after `lastSeq`, if higher). Call it
   * before recording anything.
   */
  restoreFirst(restored: Promise<RestoredExchanges | null>): Promise<void> {
    if (this.#nextSeq !== 1 || this.#held) throw new Error('ExchangeStream.restoreFirst: call it once, before recording anything');
    this.#held = [];
    return restored
      .catch((error: unknown) => {
        console.warn('[session-lens] could not restore the earlier exchange history', error);
        return null;
      })
      .then((history) => {
        const held = this.#held ?? [];
        this.#held = null;
        for (const exchange of history?.exchanges ?? []) {
          if (exchange.seq < this.#nextSeq) continue;
          this.#nextSeq = exchange.seq + 1;
          this.#append(exchange);
        }
        this.#nextSeq = Math.max(this.#nextSeq, (history?.lastSeq ?? 0) + 1);
        this.#restoredDropped = history?.dropped ?? 0;
        // The earlier session's losses are news to everyone already listening.
        for (const account of this.#listeners.values()) account.missed += this.#restoredDropped;
        for (const exchange of held) {
          exchange.seq = this.#nextSeq;
          this.#nextSeq += 1;
          this.#append(exchange);
        }
      });
  }

  #append(exchange: CapturedExchange): void {
    this.#log.append(exchange);
    if (this.#listeners.size > 0) {
      this.#pending.push(exchange);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#schedule(() => this.flush());
      }
    }
  }

  /** Delivers pending live exchanges now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#deliver(batch, [...this.#listeners.keys()]);
  }

  /**
   * Calls `listener` at once with the backlog, then with each later batch.
   * Returns a function that stops delivery.
   */
  subscribe(listener: ExchangeBatchListener): () => void {
    // Hand pending exchanges to the existing listeners first: they are part of the new
    // listener's backlog and must not reach it twice.
    this.flush();
    // Everything discarded so far is lost to it; whatever is recorded from now on reaches it
    // (a pending exchange is delivered even if the buffer evicts it before the flush).
    this.#listeners.set(listener, { missed: this.dropped });
    this.#deliver(this.#log.snapshot(), [listener]);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #deliver(batch: CapturedExchange[], listeners: ExchangeBatchListener[]): void {
    for (const listener of listeners) {
      try {
        listener(batch.slice(), { dropped: this.#listeners.get(listener)?.missed ?? this.dropped });
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
