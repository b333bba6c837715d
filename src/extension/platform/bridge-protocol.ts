import type { ExchangeBatchListener } from './exchange-stream';

/**
 * How the devtools page hands its exchange stream to the panel.
 *
 * Chromium gives the devtools page the panel's `window` in `panel.onShown`. Both are pages of
 * the extension's origin, so the devtools page stores an `ExchangeBridge` on that window under
 * `EXCHANGE_BRIDGE_PROPERTY` and then dispatches `EXCHANGE_BRIDGE_EVENT` on it. The panel reads
 * the property when it starts, or waits for the event if it started first.
 */
export const EXCHANGE_BRIDGE_PROPERTY = '__sessionLensExchangeBridge';
export const EXCHANGE_BRIDGE_EVENT = 'session-lens:exchange-bridge';

export interface ExchangeBridge {
  readonly protocol: 1;
  /** Backlog at once, then live batches; returns an unsubscribe function. */
  subscribe(listener: ExchangeBatchListener): () => void;
}

export function readBridge(win: Window): ExchangeBridge | undefined {
  const candidate = (win as unknown as Record<string, unknown>)[EXCHANGE_BRIDGE_PROPERTY] as
    | Partial<ExchangeBridge>
    | undefined;
  return candidate && candidate.protocol === 1 && typeof candidate.subscribe === 'function'
    ? (candidate as ExchangeBridge)
    : undefined;
}
