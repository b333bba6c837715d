import { readHar, type DevtoolsNetworkLike } from './devtools-api';
import type { HarEntryLike } from './har-to-exchange';

/**
 * Pauses between getHAR() looks for an entry whose raw headers are late (about 0.8 s in all).
 * Seen in Chromium: one HTTP/1.1 entry in about 80 arrives this way under CPU load, and its raw
 * headers are in the HAR within a few milliseconds.
 */
export const RAW_HEADER_RETRY_DELAYS_MS: readonly number[] = [0, 10, 25, 50, 100, 200, 400];

/**
 * Identity of a request across getHAR() and onRequestFinished. Only fields fixed when the request
 * starts: getHAR() also lists requests still in flight, whose status and timings change later.
 */
export function harEntryKey(entry: HarEntryLike): string {
  return [entry.startedDateTime, entry.request?.method, entry.request?.url].join('\u0000');
}

/**
 * True for a Chromium HAR entry built before the network service's raw response headers reached
 * DevTools (its `responseReceivedExtraInfo` can come after `loadingFinished`). Such an entry has
 * only the headers the renderer sees, which never include `Set-Cookie`: recorded as it is, a
 * login that set a cookie would read as "Read". Recognised by what only the raw block gives:
 * an HTTP/1.x response has a header size once its raw headers are known. HTTP/2 and HTTP/3 never
 * have one, and cached or service-worker responses have no raw headers at all, so those are
 * taken as they come.
 */
export function awaitingRawHeaders(entry: HarEntryLike): boolean {
  const response = entry.response;
  if (!response?.status || response.headersSize !== -1) return false;
  if (entry._fromCache || response._fetchedViaServiceWorker) return false;
  return /^http\/1\./i.test(response.httpVersion ?? '');
}

/** An entry waits at most this long for its raw headers, however slow getHAR() is. */
export const RAW_HEADER_MAX_WAIT_MS = 1000;
/**
 * getHAR() serializes DevTools' whole log (10,000 entries on a busy page take seconds under load)
 * and busies the DevTools window meanwhile: after a look that took d ms, the next waits at least
 * this many times d, so looks take at most a tenth of the time. 10,000 requests through a page
 * (e2e/timeline-cap.test.ts), single runs: 115 s without looks, 128–150 s with a factor of 3,
 * 133–138 s with 10 (5 late entries, 3 looks, 5.2 s of getHAR); the spread between runs is large.
 */
const LOOK_SPACING_FACTOR = 10;

export interface RawHeaderOptions {
  retryDelaysMs?: readonly number[];
  maxWaitMs?: number;
}

interface Queued {
  entry: HarEntryLike;
  waiting: boolean;
  looks: number;
  deadline: number;
}

/**
 * Passes HAR entries to `record` in the order they are given, except that an entry awaiting its
 * raw headers (see `awaitingRawHeaders`) is first looked up again in getHAR(), where DevTools
 * completes it, and the entries after it wait for it. An entry gives up waiting, and is recorded
 * as it is, when getHAR() no longer lists it (a navigation cleared the log), after the last retry,
 * or `maxWaitMs` after it came. getHAR() is only called while some entry waits, one call at a
 * time, spaced by its own cost.
 */
export function rawHeaderCompleter(
  network: DevtoolsNetworkLike,
  record: (entry: HarEntryLike) => void,
  options: RawHeaderOptions = {},
): { push(entry: HarEntryLike): void; stop(): void } {
  const retryDelaysMs = options.retryDelaysMs ?? RAW_HEADER_RETRY_DELAYS_MS;
  const maxWaitMs = options.maxWaitMs ?? RAW_HEADER_MAX_WAIT_MS;
  const queue: Queued[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let looking = false;
  let stopped = false;
  let lastLookEnd = 0;
  let lastLookCost = 0;

  const drain = () => {
    const now = Date.now();
    for (const item of queue) if (item.waiting && item.deadline <= now) item.waiting = false;
    while (queue.length > 0 && !queue[0]!.waiting) record(queue.shift()!.entry);
  };

  /** Sets the one timer: the next look, or else the next deadline. */
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = undefined;
    drain();
    const waiting = queue.filter((item) => item.waiting);
    if (waiting.length === 0) return;
    const now = Date.now();
    const deadline = Math.min(...waiting.map((item) => item.deadline));
    if (!looking) {
      const fewestLooks = Math.min(...waiting.map((item) => item.looks));
      const lookAt = Math.max(now + (retryDelaysMs[fewestLooks] ?? 0), lastLookEnd + LOOK_SPACING_FACTOR * lastLookCost);
      if (lookAt < deadline) {
        timer = setTimeout(look, lookAt - now);
        return;
      }
    }
    timer = setTimeout(schedule, deadline - now);
  };

  const look = () => {
    timer = undefined;
    // Only entries queued before this call: a request that starts after it is not in its answer.
    const asked = queue.filter((item) => item.waiting);
    looking = true;
    const started = Date.now();
    readHar(network)
      .catch(() => [] as HarEntryLike[])
      .then((har) => {
        looking = false;
        lastLookEnd = Date.now();
        lastLookCost = lastLookEnd - started;
        if (stopped) return;
        const byKey = new Map<string, HarEntryLike[]>(asked.map((item) => [harEntryKey(item.entry), []]));
        for (const entry of har) byKey.get(harEntryKey(entry))?.push(entry);
        for (const item of asked) {
          if (!item.waiting) continue;
          const listed = byKey.get(harEntryKey(item.entry)) ?? [];
          const complete = listed.find((entry) => !awaitingRawHeaders(entry));
          item.looks += 1;
          if (complete) item.entry = complete;
          if (complete || listed.length === 0 || item.looks >= retryDelaysMs.length) item.waiting = false;
        }
        schedule();
      });
  };

  return {
    push(entry) {
      queue.push({ entry, waiting: awaitingRawHeaders(entry), looks: 0, deadline: Date.now() + maxWaitMs });
      schedule();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
