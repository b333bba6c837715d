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

interface Queued {
  entry: HarEntryLike;
  waiting: boolean;
  looks: number;
}

/**
 * Passes HAR entries to `record` in the order they are given, except that an entry awaiting its
 * raw headers (see `awaitingRawHeaders`) is first looked up again in getHAR(), where DevTools
 * completes it, and the entries after it wait for it. An entry gives up waiting when getHAR() no
 * longer lists it (a navigation cleared the log) or after the last retry; it is then recorded
 * as it is. getHAR() is only called while some entry waits.
 */
export function rawHeaderCompleter(
  network: DevtoolsNetworkLike,
  record: (entry: HarEntryLike) => void,
  retryDelaysMs: readonly number[] = RAW_HEADER_RETRY_DELAYS_MS,
): { push(entry: HarEntryLike): void; stop(): void } {
  const queue: Queued[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let looking = false;
  let stopped = false;

  const drain = () => {
    while (queue.length > 0 && !queue[0]!.waiting) record(queue.shift()!.entry);
  };

  const schedule = () => {
    if (stopped || looking || timer !== undefined) return;
    const waiting = queue.filter((item) => item.waiting);
    if (waiting.length === 0) return;
    const fewestLooks = Math.min(...waiting.map((item) => item.looks));
    timer = setTimeout(look, retryDelaysMs[fewestLooks] ?? 0);
  };

  const look = () => {
    timer = undefined;
    // Only entries queued before this call: a request that starts after it is not in its answer.
    const asked = queue.filter((item) => item.waiting);
    looking = true;
    readHar(network)
      .catch(() => [] as HarEntryLike[])
      .then((har) => {
        looking = false;
        if (stopped) return;
        const byKey = new Map<string, HarEntryLike[]>();
        for (const entry of har) {
          const key = harEntryKey(entry);
          byKey.set(key, [...(byKey.get(key) ?? []), entry]);
        }
        for (const item of asked) {
          const listed = byKey.get(harEntryKey(item.entry)) ?? [];
          const complete = listed.find((entry) => !awaitingRawHeaders(entry));
          item.looks += 1;
          if (complete) item.entry = complete;
          if (complete || listed.length === 0 || item.looks >= retryDelaysMs.length) item.waiting = false;
        }
        drain();
        schedule();
      });
  };

  return {
    push(entry) {
      queue.push({ entry, waiting: awaitingRawHeaders(entry), looks: 0 });
      drain();
      schedule();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
