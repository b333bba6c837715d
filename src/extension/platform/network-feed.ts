import { readHar, type DevtoolsNetworkLike } from './devtools-api';
import type { ExchangeStream } from './exchange-stream';
import { parseStartedAt, type HarEntryLike } from './har-to-exchange';
import { harEntryKey, rawHeaderCompleter } from './raw-headers';

/** How long entries seen in the initial getHAR() are remembered to drop their late events. */
export const HAR_OVERLAP_WINDOW_MS = 60_000;

/** getHAR() entries without a response yet; their onRequestFinished event brings the real data. */
function awaitingResponse(entry: HarEntryLike): boolean {
  return !entry.response?.status;
}

/**
 * Feeds `stream` from a DevTools network API: first whatever `getHAR()` already holds (DevTools
 * starts recording before extension pages load, so it may know requests the event stream never
 * reports to this page), then every `onRequestFinished` event.
 *
 * The two sources overlap: `getHAR()` lists requests that are still in flight, whose events come
 * later, and events may arrive while `getHAR()` is pending. So HAR entries without a response yet
 * are skipped (their event will bring them), and every other HAR entry cancels one event for the
 * same request (same start time, method and URL). The initial set (HAR entries plus events held
 * back meanwhile) is recorded in start-time order. A request that failed without any response
 * before this page subscribed is therefore not recorded. Every entry goes through
 * `rawHeaderCompleter`, so one that DevTools delivered before its raw headers is completed first.
 * Returns a function that stops the feed.
 */
export function feedStreamFromNetwork(
  network: DevtoolsNetworkLike,
  stream: ExchangeStream,
  options: { includeExisting?: boolean; overlapWindowMs?: number } = {},
): () => void {
  const includeExisting = options.includeExisting ?? true;
  let heldBack: HarEntryLike[] | null = includeExisting ? [] : null;
  const fromHar = new Map<string, number>();
  let forgetTimer: ReturnType<typeof setTimeout> | undefined;
  const completer = rawHeaderCompleter(network, (entry) => stream.recordHar(entry));

  /** True when `entry` was already recorded from the HAR (and uses up that match). */
  const alreadyFromHar = (entry: HarEntryLike): boolean => {
    const key = harEntryKey(entry);
    const count = fromHar.get(key);
    if (!count) return false;
    if (count === 1) fromHar.delete(key);
    else fromHar.set(key, count - 1);
    return true;
  };

  const onFinished = (entry: HarEntryLike) => {
    if (heldBack) heldBack.push(entry);
    else if (!alreadyFromHar(entry)) completer.push(entry);
  };
  network.onRequestFinished.addListener(onFinished);

  if (includeExisting) {
    readHar(network)
      .catch((error: unknown) => {
        console.warn('[session-lens] getHAR failed; starting from live events only', error);
        return [] as HarEntryLike[];
      })
      .then((har) => {
        const existing = har.filter((entry) => !awaitingResponse(entry));
        for (const entry of existing) {
          const key = harEntryKey(entry);
          fromHar.set(key, (fromHar.get(key) ?? 0) + 1);
        }
        const initial = [...existing, ...(heldBack ?? []).filter((entry) => !alreadyFromHar(entry))];
        heldBack = null;
        const order = (entry: HarEntryLike) => parseStartedAt(entry.startedDateTime, Number.POSITIVE_INFINITY);
        initial
          .map((entry, index) => ({ entry, index, at: order(entry) }))
          .sort((a, b) => a.at - b.at || a.index - b.index)
          .forEach(({ entry }) => completer.push(entry));
        if (fromHar.size > 0) {
          forgetTimer = setTimeout(() => fromHar.clear(), options.overlapWindowMs ?? HAR_OVERLAP_WINDOW_MS);
        }
      });
  }

  return () => {
    clearTimeout(forgetTimer);
    completer.stop();
    network.onRequestFinished.removeListener(onFinished);
  };
}
