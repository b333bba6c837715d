import type { HttpHeader } from '../exchange';

/**
 * The headers the session timeline needs (lower case), for exports and for the history kept
 * between DevTools sessions; everything else, Authorization included, is left out. Kept free of
 * other imports so the devtools page can use it without pulling in the codec.
 */
export const TIMELINE_REQUEST_HEADERS: ReadonlySet<string> = new Set(['cookie']);
export const TIMELINE_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['set-cookie', 'vary', 'cache-control', 'location', 'date', 'x-session-lens']);

export function timelineHeaders(headers: readonly HttpHeader[], wanted: ReadonlySet<string>): HttpHeader[] {
  return headers.filter((h) => wanted.has(h.name.toLowerCase()));
}
