import type { CapturedExchange } from '../../core/exchange';
import { DEFAULT_EXCHANGE_CAPACITY, ExchangeLog } from './exchange-log';
import { harEntryToExchange, type HarEntryLike } from './har-to-exchange';

export interface ExchangeBatchInfo {
  /** Exchanges the collector has discarded so far because its buffer was full (oldest first). */
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
  readonly #listeners = new Set<ExchangeBatchListener>();
  #pending: CapturedExchange[] = [];
  #flushScheduled = false;
  #nextSeq = 1;

  constructor(options: ExchangeStreamOptions = {}) {
    this.#log = new ExchangeLog(options.capacity ?? DEFAULT_EXCHANGE_CAPACITY);
    this.#schedule = options.schedule ?? ((flush) => setTimeout(flush, 0));
    this.#now = options.now ?? Date.now;
    this.#onListenerError = options.onListenerError ?? ((error) => console.error('[session-lens] exchange listener failed', error));
  }

  get dropped(): number {
    return this.#log.dropped;
  }

  get size(): number {
    return this.#log.size;
  }

  /** Converts and stores one HAR entry; listeners get it with the next flush. */
  recordHar(entry: HarEntryLike): CapturedExchange {
    const exchange = harEntryToExchange(entry, this.#nextSeq, this.#now());
    this.#nextSeq += 1;
    this.#log.append(exchange);
    if (this.#listeners.size > 0) {
      this.#pending.push(exchange);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#schedule(() => this.flush());
      }
    }
    return exchange;
  }

  /** Delivers pending live exchanges now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#deliver(batch, [...this.#listeners]);
  }

  /**
   * Calls `listener` at once with the backlog, then with each later batch.
   * Returns a function that stops delivery.
   */
  subscribe(listener: ExchangeBatchListener): () => void {
    // Hand pending exchanges to the existing listeners first: they are part of the new
    // listener's backlog and must not reach it twice.
    this.flush();
    this.#listeners.add(listener);
    this.#deliver(this.#log.snapshot(), [listener]);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #deliver(batch: CapturedExchange[], listeners: ExchangeBatchListener[]): void {
    for (const listener of listeners) {
      try {
        listener(batch.slice(), { dropped: this.#log.dropped });
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
