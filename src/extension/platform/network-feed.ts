import { readHar, type DevtoolsNetworkLike } from './devtools-api';
import type { ExchangeStream } from './exchange-stream';
import type { HarEntryLike } from './har-to-exchange';

function entryKey(entry: HarEntryLike): string {
  return [entry.startedDateTime, entry.request?.method, entry.request?.url, entry.response?.status].join('\u0000');
}

/**
 * Feeds `stream` from a DevTools network API: first whatever `getHAR()` already holds (DevTools
 * starts recording before extension pages load, so it may know requests the event stream never
 * reports to this page), then every `onRequestFinished` event.
 *
 * Events that arrive while `getHAR()` is pending are held back and recorded after the HAR
 * entries, skipping those the HAR already contained. Returns a function that stops the feed.
 */
export function feedStreamFromNetwork(
  network: DevtoolsNetworkLike,
  stream: ExchangeStream,
  options: { includeExisting?: boolean } = {},
): () => void {
  const includeExisting = options.includeExisting ?? true;
  let heldBack: HarEntryLike[] | null = includeExisting ? [] : null;
  const onFinished = (entry: HarEntryLike) => {
    if (heldBack) heldBack.push(entry);
    else stream.recordHar(entry);
  };
  network.onRequestFinished.addListener(onFinished);

  if (includeExisting) {
    readHar(network)
      .catch((error: unknown) => {
        console.warn('[session-lens] getHAR failed; starting from live events only', error);
        return [] as HarEntryLike[];
      })
      .then((existing) => {
        const seen = new Set<string>();
        for (const entry of existing) {
          seen.add(entryKey(entry));
          stream.recordHar(entry);
        }
        const early = heldBack ?? [];
        heldBack = null;
        for (const entry of early) {
          if (!seen.has(entryKey(entry))) stream.recordHar(entry);
        }
      });
  }

  return () => network.onRequestFinished.removeListener(onFinished);
}
