/** One HTTP request/response pair as the panel saw it (a trimmed HAR entry). */
export interface HttpHeader {
  name: string;
  value: string;
}

export interface CapturedExchange {
  /** Monotonic sequence number assigned by the collector; unique within a DevTools session. */
  seq: number;
  /** Wall-clock start of the request, milliseconds since the Unix epoch. */
  startedAt: number;
  method: string;
  url: string;
  status: number;
  requestHeaders: HttpHeader[];
  responseHeaders: HttpHeader[];
  /** Location of a redirect response, if any. */
  redirectURL?: string;
  /** HAR `_resourceType` when the browser provides it (document, xhr, fetch, …). */
  resourceType?: string;
}
