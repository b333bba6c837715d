import type { CapturedExchange } from '../../core/exchange';

/** Default number of exchanges the collector keeps for a DevTools session. */
export const DEFAULT_EXCHANGE_CAPACITY = 10_000;

/**
 * Bounded, insertion-ordered store of exchanges. When full, the oldest exchange is evicted
 * and counted in `dropped`.
 */
export class ExchangeLog {
  readonly capacity: number;
  #items: (CapturedExchange | undefined)[];
  #start = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity: number = DEFAULT_EXCHANGE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ExchangeLog capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#items = new Array<CapturedExchange | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** How many exchanges were evicted because the log was full. */
  get dropped(): number {
    return this.#dropped;
  }

  append(exchange: CapturedExchange): void {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = exchange;
      this.#size += 1;
    } else {
      this.#items[this.#start] = exchange;
      this.#start = (this.#start + 1) % this.capacity;
      this.#dropped += 1;
    }
  }

  /** The kept exchanges, oldest first, as a new array. */
  snapshot(): CapturedExchange[] {
    const out: CapturedExchange[] = [];
    for (let i = 0; i < this.#size; i += 1) {
      const item = this.#items[(this.#start + i) % this.capacity];
      if (item) out.push(item);
    }
    return out;
  }
}
