import type { CapturedExchange } from '../exchange';
import type { JarChange, SessionSettings, TimelineEntry } from './entries';
import { TimelineBuilder, type CookieReadings } from './lifecycle';

/**
 * Keeps a bounded, incrementally built timeline for a growing stream of
 * exchanges and cookie-jar changes (what a panel receives), on top of
 * `TimelineBuilder`.
 *
 * - Exchanges are fed in `seq` order; each call picks up those with a higher
 *   `seq` than the last one fed, so the caller can pass its whole (growing)
 *   list every time.
 * - Jar changes arrive before the network event of the response that caused
 *   them, and the builder can only recognise a jar write as the server's own
 *   once it has seen that response. So a jar change is held back until an
 *   exchange that started after it is fed, or until `jarSettleMs` have passed
 *   since it happened.
 * - At most `capacity` entries are kept; older ones are dropped and counted.
 * - `clear(throughSeq)` hides everything up to an exchange `seq` (Clear, or a
 *   navigation without "Preserve log"), also exchanges not fed yet (a mark
 *   restored from storage); hidden exchanges are still fed to the builder, so
 *   later entries are classified with everything seen before.
 *
 * Pure: the caller supplies the clock. Build a new feed when settings change, with this one's
 * `readings`.
 */

export const DEFAULT_TIMELINE_CAPACITY = 10_000;
/** How long a jar change waits for the response that may explain it. */
export const DEFAULT_JAR_SETTLE_MS = 1_500;

export interface TimelineFeedOptions {
  capacity?: number;
  jarSettleMs?: number;
  /** The cookie readings of the feed this one replaces (`readings`): a rebuild then only re-verifies. */
  readings?: CookieReadings;
}

export interface SyncResult {
  /** Entries appended by this call (some may already have been dropped again by the cap). */
  added: number;
  /** Inputs left for a later call because of `maxItems`. */
  remaining: number;
}

export class TimelineFeed {
  readonly capacity: number;
  readonly jarSettleMs: number;
  private readonly builder: TimelineBuilder;
  private list: TimelineEntry[] = [];
  private snapshot: readonly TimelineEntry[] = [];
  private snapshotRevision = 0;
  private droppedCount = 0;
  private lastExchangeSeq = -Infinity;
  private lastJarSeq = -Infinity;
  private hiddenThrough = -Infinity;
  private hiddenJarThrough = -Infinity;
  private readonly pendingJar: JarChange[] = [];
  private revision = 0;

  constructor(settings: SessionSettings, options: TimelineFeedOptions = {}) {
    this.builder = new TimelineBuilder(settings, options.readings);
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_TIMELINE_CAPACITY));
    this.jarSettleMs = options.jarSettleMs ?? DEFAULT_JAR_SETTLE_MS;
  }

  /** What the builder has read of cookie values, for a feed that replaces this one. */
  get readings(): CookieReadings {
    return this.builder.readings;
  }

  /** The kept entries, oldest first. A new array whenever something changed (compare by identity). */
  get entries(): readonly TimelineEntry[] {
    if (this.snapshotRevision !== this.revision) {
      this.snapshot = Object.freeze(this.list.slice());
      this.snapshotRevision = this.revision;
    }
    return this.snapshot;
  }

  /** Entries dropped by the capacity limit (not those removed by `clear`). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Bumped on every change of `entries` or `dropped`. */
  get version(): number {
    return this.revision;
  }

  /** Jar changes still waiting; the caller should call `sync` again at `nextSettleAt()`. */
  get pendingJarChanges(): number {
    return this.pendingJar.length;
  }

  /** When the oldest held-back jar change will be released, or null. */
  nextSettleAt(): number | null {
    const first = this.pendingJar[0];
    return first ? first.at + this.jarSettleMs : null;
  }

  /**
   * Feeds what is new in `exchanges` (higher `seq` than any fed so far) and
   * `jarChanges` (likewise, by their own `seq`), in order, and releases jar
   * changes that have settled by `nowMs`. With `maxItems`, stops after that
   * many inputs so a long rebuild can be spread over several calls.
   */
  sync(exchanges: readonly CapturedExchange[], jarChanges: readonly JarChange[], nowMs: number, maxItems = Infinity): SyncResult {
    for (const change of newSince(jarChanges, this.lastJarSeq)) {
      this.pendingJar.push(change);
      this.lastJarSeq = change.seq;
    }
    const fresh = newSince(exchanges, this.lastExchangeSeq);
    let added = 0;
    let budget = maxItems;
    let index = 0;
    for (; index < fresh.length && budget > 0; index++) {
      const exchange = fresh[index]!;
      const hideJar = exchange.seq <= this.hiddenThrough;
      added += this.releaseJar((change) => change.at < exchange.startedAt, hideJar);
      const entry = this.builder.addExchange(exchange);
      this.lastExchangeSeq = exchange.seq;
      budget -= 1;
      if (exchange.seq > this.hiddenThrough) {
        this.list.push(entry);
        added += 1;
      }
    }
    if (index === fresh.length) added += this.releaseJar((change) => change.at + this.jarSettleMs <= nowMs, false);
    this.trim();
    if (added > 0) this.revision += 1;
    return { added, remaining: fresh.length - index };
  }

  /**
   * Hides the entries of exchanges up to `throughSeq` (default: all fed so far) and the jar
   * entries listed before them, now and when they are fed later; jar changes up to
   * `jarThroughSeq` are hidden too (default: all received, when everything is cleared). Once
   * everything is hidden, the dropped count restarts.
   */
  clear(throughSeq: number = this.lastExchangeSeq, jarThroughSeq?: number): void {
    const everything = throughSeq >= this.lastExchangeSeq;
    const jarThrough = jarThroughSeq ?? (everything ? this.lastJarSeq : -Infinity);
    if (throughSeq <= this.hiddenThrough && jarThrough <= this.hiddenJarThrough) return;
    this.hiddenThrough = Math.max(this.hiddenThrough, throughSeq);
    this.hiddenJarThrough = Math.max(this.hiddenJarThrough, jarThrough);
    let cut = 0;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const entry = this.list[i]!;
      if (entry.kind === 'http' && entry.seq <= this.hiddenThrough) {
        cut = i + 1;
        break;
      }
    }
    this.list.splice(0, cut);
    this.list = this.list.filter((e) => e.kind === 'http' || e.seq > this.hiddenJarThrough);
    if (everything) {
      this.pendingJar.length = 0;
      this.droppedCount = 0;
    }
    this.revision += 1;
  }

  /** What `clear` hid so far (pass it to a rebuilt feed's `clear`). */
  get clearedThrough(): { exchanges: number; jar: number } {
    return { exchanges: this.hiddenThrough, jar: this.hiddenJarThrough };
  }

  /** The `seq` of the last exchange fed, or null. */
  get lastSeq(): number | null {
    return Number.isFinite(this.lastExchangeSeq) ? this.lastExchangeSeq : null;
  }

  private releaseJar(ready: (change: JarChange) => boolean, hide: boolean): number {
    let released = 0;
    while (this.pendingJar.length > 0 && ready(this.pendingJar[0]!)) {
      const change = this.pendingJar.shift()!;
      if (!this.builder.isSessionCookie(change.name, change.value)) continue;
      const entry = this.builder.addJarChange(change);
      if (entry && !hide && change.seq > this.hiddenJarThrough) {
        this.list.push(entry);
        released += 1;
      }
    }
    return released;
  }

  private trim(): void {
    const excess = this.list.length - this.capacity;
    if (excess > 0) {
      this.list.splice(0, excess);
      this.droppedCount += excess;
    }
  }
}

/** The items after the last one with `seq <= lastSeq` (inputs are in `seq` order). */
function newSince<T extends { seq: number }>(items: readonly T[], lastSeq: number): readonly T[] {
  if (items.length === 0 || items[items.length - 1]!.seq <= lastSeq) return [];
  if (items[0]!.seq > lastSeq) return items;
  // Binary search for the first item past lastSeq.
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.seq > lastSeq) hi = mid;
    else lo = mid + 1;
  }
  return items.slice(lo);
}
