import type { CapturedExchange, HttpHeader } from '../../core/exchange';

/**
 * The part of a HAR 1.2 entry the collector reads. Kept structural (and loose) on purpose:
 * HAR producers differ, and every field may be missing in a damaged entry.
 */
export interface HarHeaderLike {
  name: string;
  value: string;
}

export interface HarEntryLike {
  startedDateTime?: string;
  request?: { method?: string; url?: string; headers?: HarHeaderLike[] };
  response?: {
    status?: number;
    headers?: HarHeaderLike[];
    redirectURL?: string;
    /** -1 when the raw header block is unknown. */
    headersSize?: number;
    httpVersion?: string;
    /** Chromium's HAR extension. */
    _fetchedViaServiceWorker?: boolean;
  };
  /** Chromium's HAR extension: document, xhr, fetch, script, … */
  _resourceType?: string;
  /** Chromium's HAR extension: 'memory' or 'disk' when served from the cache. */
  _fromCache?: string;
}

const SET_COOKIE = 'set-cookie';

/**
 * Copies a HAR header list into plain `{ name, value }` pairs.
 *
 * A `Set-Cookie` value that holds several cookies joined by line breaks (some HAR producers
 * fold repeated headers that way) becomes one entry per cookie, because `Set-Cookie` cannot
 * be folded with commas and every cookie has to be judged on its own. Other headers are
 * copied unchanged, in their original order.
 */
export function normalizeHeaders(headers: readonly HarHeaderLike[] | undefined): HttpHeader[] {
  const out: HttpHeader[] = [];
  if (!Array.isArray(headers)) return out;
  for (const header of headers) {
    if (header == null || typeof header.name !== 'string') continue;
    const name = header.name;
    const value = typeof header.value === 'string' ? header.value : String(header.value ?? '');
    if (name.toLowerCase() === SET_COOKIE && /[\r\n]/.test(value)) {
      for (const piece of value.split(/\r?\n|\r/)) {
        if (piece.trim() !== '') out.push({ name, value: piece });
      }
    } else {
      out.push({ name, value });
    }
  }
  return out;
}

/** Milliseconds since the epoch for a HAR `startedDateTime`, or `fallback` when it is absent or unreadable. */
export function parseStartedAt(startedDateTime: string | undefined, fallback: number): number {
  if (typeof startedDateTime !== 'string') return fallback;
  const ms = Date.parse(startedDateTime);
  return Number.isFinite(ms) ? ms : fallback;
}

/**
 * Converts one HAR entry (as delivered by `devtools.network.onRequestFinished` or `getHAR()`)
 * into the collector's `CapturedExchange`.
 *
 * @param seq        sequence number to assign (the caller keeps the counter)
 * @param receivedAt used as `startedAt` when the entry carries no readable start time
 */
export function harEntryToExchange(entry: HarEntryLike, seq: number, receivedAt: number): CapturedExchange {
  const request = entry.request ?? {};
  const response = entry.response ?? {};
  const exchange: CapturedExchange = {
    seq,
    startedAt: parseStartedAt(entry.startedDateTime, receivedAt),
    method: typeof request.method === 'string' && request.method !== '' ? request.method : 'GET',
    url: typeof request.url === 'string' ? request.url : '',
    status: typeof response.status === 'number' && Number.isFinite(response.status) ? response.status : 0,
    requestHeaders: normalizeHeaders(request.headers),
    responseHeaders: normalizeHeaders(response.headers),
  };
  if (typeof response.redirectURL === 'string' && response.redirectURL !== '') {
    exchange.redirectURL = response.redirectURL;
  }
  if (typeof entry._resourceType === 'string' && entry._resourceType !== '') {
    exchange.resourceType = entry._resourceType;
  }
  return exchange;
}
