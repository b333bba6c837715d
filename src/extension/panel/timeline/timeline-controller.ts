import { TimelineFeed, type CapturedExchange, type JarChange, type SessionSettings, type TimelineEntry } from '../../../core';

/**
 * Drives the timeline outside React: a `TimelineFeed` fed incrementally (in slices, so a large
 * backlog never blocks the panel for long), rebuilt when settings change (the old timeline stays
 * on screen until the new one has caught up), with Clear and "Preserve log", and the "cleared up
 * to" mark loaded from and saved to the tab's storage (so a cleared history stays cleared when
 * DevTools reopens).
 */

export interface TimelineInputs {
  exchanges: readonly CapturedExchange[];
  jarChanges: readonly JarChange[];
  settings: SessionSettings;
  preserveLog: boolean;
}

export interface TimelineSnapshot {
  entries: readonly TimelineEntry[];
  /** Entries dropped by the timeline's own cap. */
  dropped: number;
  capacity: number;
  /** Building the first time, or applying new settings. */
  rebuilding: boolean;
}

export interface TimelineControllerOptions {
  /** The stored mark: exchanges up to this `seq` were cleared by the user. */
  loadMark?: () => Promise<number>;
  saveMark?: (seq: number) => Promise<void>;
  now?: () => number;
  /** Exchanges fed per slice (the first slice's size, when `sliceBudgetMs` adapts it). */
  slice?: number;
  /**
   * When set, each slice's size adapts so a slice takes about this long (a rebuild after a key
   * is typed re-verifies every entry, and what an entry costs depends on the machine and the
   * cookies): the panel keeps drawing frames. 0: fixed slices.
   */
  sliceBudgetMs?: number;
  /**
   * New settings rebuild the timeline at once (a pasted key), but a change within this long of
   * the previous one waits until changes pause this long (typing a key letter by letter).
   */
  rebuildDelayMs?: number;
  /**
   * Runs the next slice on a later task. Default `setTimeout(run, 0)`, which browsers stretch to
   * 4 ms once such timers nest; the panel passes a message-channel post, which they do not.
   */
  nextTask?: (run: () => void) => void;
  /** New exchanges are taken in at most this often (a burst becomes a few renders, not one per request). */
  minIntervalMs?: number;
  /** How long to wait for the stored mark before showing the backlog anyway. */
  markTimeoutMs?: number;
  capacity?: number;
}

/** Secrets are part of the key (they change verdicts); the key never leaves this module. */
function settingsKey(settings: SessionSettings): string {
  return JSON.stringify([settings.cookieNames, settings.secrets, settings.salt, settings.digest, settings.keyDerivation, settings.lifetimeSeconds]);
}

/** The last main-frame navigation among exchanges with `after < seq <= upTo`. */
function lastNavigation(exchanges: readonly CapturedExchange[], after: number, upTo: number): CapturedExchange | null {
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const exchange = exchanges[i]!;
    if (exchange.seq <= after) break;
    if (exchange.seq <= upTo && exchange.resourceType === 'document') return exchange;
  }
  return null;
}

const EMPTY: TimelineSnapshot = { entries: [], dropped: 0, capacity: 0, rebuilding: true };

export class TimelineController {
  private readonly options: Required<Omit<TimelineControllerOptions, 'loadMark' | 'saveMark' | 'capacity'>> & Pick<TimelineControllerOptions, 'loadMark' | 'saveMark' | 'capacity'>;
  private inputs: TimelineInputs | null = null;
  private key: string | null = null;
  private feed: TimelineFeed | null = null;
  /** A feed being rebuilt for new settings; it replaces `feed` once it has caught up. */
  private next: TimelineFeed | null = null;
  /** The first feed, until it has caught up with the backlog (the snapshot says `rebuilding` meanwhile). */
  private firstBuild: TimelineFeed | null = null;
  private mark = 0;
  private markState: 'loading' | 'ready' = 'loading';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSettingsChange = -Infinity;
  /** Bumped whenever scheduled work is cancelled, so a slice posted before that does nothing. */
  private generation = 0;
  /** A pump is scheduled: the next slice, or new inputs held back by `minIntervalMs` (not a wait for jar changes). */
  private continuing = false;
  private lastPump = -Infinity;
  private sliceSize: number;
  private snapshot: TimelineSnapshot = EMPTY;
  private readonly listeners = new Set<() => void>();

  constructor(options: TimelineControllerOptions = {}) {
    this.options = {
      now: Date.now,
      slice: 400,
      sliceBudgetMs: 0,
      rebuildDelayMs: 200,
      markTimeoutMs: 1_000,
      minIntervalMs: 0,
      nextTask: (run) => void setTimeout(run, 0),
      ...options,
    };
    this.sliceSize = this.options.slice;
    if (!options.loadMark) {
      this.markState = 'ready';
      return;
    }
    const fallback = setTimeout(() => this.markLoaded(), this.options.markTimeoutMs);
    options
      .loadMark()
      .then((seq) => {
        if (this.markState === 'ready') this.applyLateMark(seq);
        else this.mark = Math.max(this.mark, seq);
      })
      .catch((error: unknown) => console.warn('[session-lens] could not read the timeline mark', error))
      .finally(() => {
        clearTimeout(fallback);
        this.markLoaded();
      });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): TimelineSnapshot => this.snapshot;

  /** New props from the panel. */
  setInputs(inputs: TimelineInputs): void {
    this.inputs = inputs;
    if (this.markState !== 'ready') return;
    const key = settingsKey(inputs.settings);
    if (!this.feed) {
      this.key = key;
      this.feed = this.newFeed(inputs.settings);
      this.firstBuild = this.feed;
      if (this.mark > 0) this.feed.clear(this.mark, -Infinity);
    } else if (key !== this.key) {
      this.key = key;
      const now = this.options.now();
      const typing = this.rebuildTimer !== undefined || now - this.lastSettingsChange < this.options.rebuildDelayMs;
      this.lastSettingsChange = now;
      clearTimeout(this.rebuildTimer);
      this.rebuildTimer = undefined;
      if (typing) this.rebuildTimer = setTimeout(() => this.rebuild(), this.options.rebuildDelayMs);
      else this.rebuild();
    }
    if (this.continuing) return;
    const wait = this.lastPump + this.options.minIntervalMs - this.options.now();
    if (wait <= 0) this.pump();
    else {
      clearTimeout(this.timer);
      this.continuing = true;
      this.timer = setTimeout(() => this.pump(), wait);
    }
  }

  /** Clear: hides everything so far, here and after DevTools reopens. */
  clear(): void {
    const feed = this.feed;
    if (!feed) return;
    feed.clear();
    this.next?.clear(feed.clearedThrough.exchanges, feed.clearedThrough.jar);
    this.saveMark(feed.lastSeq ?? 0);
    this.publish();
  }

  /** Stops timers (the controller can be fed again afterwards). */
  dispose(): void {
    this.generation++;
    clearTimeout(this.timer);
    clearTimeout(this.rebuildTimer);
    this.timer = undefined;
    this.continuing = false;
    // A pending rebuild is picked up again by the next setInputs.
    if (this.rebuildTimer !== undefined) this.key = null;
    this.rebuildTimer = undefined;
  }

  private markLoaded(): void {
    if (this.markState === 'ready') return;
    this.markState = 'ready';
    if (this.inputs) this.setInputs(this.inputs);
  }

  /** The stored mark arrived after the backlog was shown without it: hide what it covers now. */
  private applyLateMark(seq: number): void {
    if (seq <= this.mark) return;
    this.mark = seq;
    for (const feed of [this.feed, this.next]) feed?.clear(seq, feed.clearedThrough.jar);
    this.publish();
  }

  /** A feed for `settings`; one that replaces `previous` reuses its cookie readings. */
  private newFeed(settings: SessionSettings, previous?: TimelineFeed): TimelineFeed {
    return new TimelineFeed(settings, { capacity: this.options.capacity, readings: previous?.readings });
  }

  private rebuild(): void {
    this.rebuildTimer = undefined;
    if (!this.inputs || !this.feed) return;
    const built = this.newFeed(this.inputs.settings, this.feed);
    // New settings change what an exchange costs (a key means verifying): start from the base size.
    this.sliceSize = Math.min(this.sliceSize, this.options.slice);
    built.clear(this.feed.clearedThrough.exchanges, this.feed.clearedThrough.jar);
    this.next = built;
    this.publish();
    if (!this.continuing) this.pump();
  }

  private saveMark(seq: number): void {
    if (seq <= this.mark) return;
    this.mark = seq;
    this.options.saveMark?.(seq).catch((error: unknown) => console.warn('[session-lens] could not store the timeline mark', error));
  }

  private pump(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    const inputs = this.inputs;
    if (!inputs) return;
    const now = this.options.now();
    this.lastPump = now;
    let more = false;
    let fed = 0;
    for (const target of [this.feed, this.next]) {
      if (!target) continue;
      const before = target.lastSeq ?? 0;
      const result = target.sync(inputs.exchanges, inputs.jarChanges, now, this.sliceSize);
      fed += (target.lastSeq ?? 0) - before;
      more ||= result.remaining > 0;
      // Without Preserve log, a main-frame navigation starts the list afresh; not while a
      // settings rebuild replays the history the user has already seen.
      if (!inputs.preserveLog && target !== this.next) {
        const nav = lastNavigation(inputs.exchanges, before, target.lastSeq ?? 0);
        if (nav) {
          target.clear(nav.seq - 1, target.clearedThrough.jar);
          this.next?.clear(nav.seq - 1, target.clearedThrough.jar);
          this.saveMark(nav.seq - 1);
        }
      }
      if (result.remaining === 0 && target === this.firstBuild) this.firstBuild = null;
    }
    this.adaptSlice(fed, this.options.now() - now);
    if (this.next && !more) {
      this.feed = this.next;
      this.next = null;
    }
    this.publish();
    this.continuing = more;
    const feed = this.feed;
    if (more) {
      const generation = this.generation;
      this.options.nextTask(() => {
        if (generation === this.generation) this.pump();
      });
    }
    else if (feed?.pendingJarChanges) this.timer = setTimeout(() => this.pump(), Math.max(0, (feed.nextSettleAt() ?? now) - now) + 5);
  }

  /** Scales the next slice toward the time budget, from what this one fed and took. */
  private adaptSlice(fed: number, tookMs: number): void {
    const budget = this.options.sliceBudgetMs;
    if (budget <= 0 || fed === 0) return;
    const perExchangeMs = Math.max(tookMs, 1) / fed;
    // At most doubling: the cost per exchange can jump (the first cookies of a new session).
    this.sliceSize = Math.round(Math.min(Math.max(budget / perExchangeMs, 10), 4_000, this.sliceSize * 2));
  }

  private publish(): void {
    const feed = this.feed;
    const next: TimelineSnapshot = feed
      ? { entries: feed.entries, dropped: feed.dropped, capacity: feed.capacity, rebuilding: this.next !== null || this.firstBuild !== null }
      : EMPTY;
    const prev = this.snapshot;
    if (prev.entries === next.entries && prev.dropped === next.dropped && prev.capacity === next.capacity && prev.rebuilding === next.rebuilding) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}
