/**
 * Is a page inside DevTools (the panel) answering? Two views of the same question:
 *
 * - round trips: `Runtime.evaluate('1')` into the page, one after another (50 ms apart), timed
 *   from the test; a busy main thread holds the answer back. A round trip still waiting when the
 *   probe stops counts with the time it has waited so far, so a page that never answers again is
 *   reported, not waited for.
 * - long tasks: a `PerformanceObserver` for 'longtask' installed in the page, which the browser
 *   feeds with every task of its main thread that took more than 50 ms.
 *
 * The bound is the caller's; `e2e/hostile-site.test.ts` shows both views report a page that is
 * blocked on purpose.
 */
import type { PanelHandle } from './panel-handle';

export interface LongTask {
  /** ms since the page's time origin */
  start: number;
  duration: number;
}

export interface ResponsivenessReport {
  /** Round trips completed (or cut off by stop()). */
  samples: number;
  maxRoundTripMs: number;
  /** Round trips at or over `slowMs`, in order: when (ms since the probe started) and how long. */
  slow: { atMs: number; ms: number }[];
  /** Long tasks the page reported while the probe ran. */
  longTasks: LongTask[];
  maxLongTaskMs: number;
}

export interface ResponsivenessProbe {
  /** The longest round trip so far, the one in flight included. */
  maxSoFar(): number;
  /** Stops sampling and returns what was seen (the same report on later calls). */
  stop(): Promise<ResponsivenessReport>;
}

const OBSERVER = `(() => {
  if (!window.__e2eLongTasks) {
    const tasks = [];
    const keep = (entries) => { for (const e of entries) tasks.push({ start: e.startTime, duration: e.duration }); };
    const observer = new PerformanceObserver((list) => keep(list.getEntries()));
    observer.observe({ type: 'longtask' });
    // Entries reach the callback some time after their task; takeRecords() hands over those still queued.
    window.__e2eLongTasks = () => (keep(observer.takeRecords()), tasks);
  }
  return performance.now();
})()`;

/** Starts probing `panel` at once; `slowMs` is what `slow` lists. */
export async function probeResponsiveness(panel: PanelHandle, { slowMs = 1_000, interval = 50 } = {}): Promise<ResponsivenessProbe> {
  const since = await panel.evaluate<number>(OBSERVER);
  const started = performance.now();
  const durations: number[] = [];
  const slow: { atMs: number; ms: number }[] = [];
  let inFlightSince: number | null = null;
  let running = true;
  const record = (t0: number, ms: number) => {
    durations.push(ms);
    if (ms >= slowMs) slow.push({ atMs: Math.round(t0 - started), ms: Math.round(ms) });
  };
  let wake: (() => void) | undefined;
  let stopping: Promise<ResponsivenessReport> | undefined;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      inFlightSince = t0;
      try {
        await panel.evaluate('1');
      } catch {
        // Only a detached or dead page fails here; its round trip counts as everything since t0.
      }
      if (inFlightSince === null) return; // stop() already counted it
      inFlightSince = null;
      record(t0, performance.now() - t0);
      if (!running) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, interval);
      });
    }
  })();

  return {
    maxSoFar: () => Math.max(0, ...durations, inFlightSince === null ? 0 : performance.now() - inFlightSince),
    stop: () => (stopping ??= (async () => {
      running = false;
      wake?.();
      if (inFlightSince !== null) {
        const t0 = inFlightSince;
        inFlightSince = null;
        record(t0, performance.now() - t0);
      } else {
        await loop;
      }
      const longTasks = await panel.evaluate<LongTask[]>(`window.__e2eLongTasks().filter((t) => t.start + t.duration >= ${since})`);
      return {
        samples: durations.length,
        maxRoundTripMs: Math.round(Math.max(0, ...durations)),
        slow,
        longTasks: longTasks.map((t) => ({ start: Math.round(t.start), duration: Math.round(t.duration) })),
        maxLongTaskMs: Math.round(Math.max(0, ...longTasks.map((t) => t.duration))),
      };
    })()),
  };
}
