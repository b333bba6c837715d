import { EXCHANGE_BRIDGE_EVENT, readBridge, type ExchangeBridge } from './bridge-protocol';
import { devtoolsApi } from './devtools-api';
import { startExchangeCollector } from './devtools-side';
import type { ExchangeBatchListener } from './exchange-stream';

export type { ExchangeBatchInfo, ExchangeBatchListener } from './exchange-stream';

export interface SubscribeExchangesOptions {
  /** The panel's window; defaults to the global one. */
  window?: Window;
}

/**
 * Where the panel takes its exchanges from:
 * - inside Chromium DevTools: from the devtools page's collector, via the bridge it offers on
 *   `panel.onShown` (so requests made before the panel was first shown are included);
 * - opened as a plain tab (tests with a fake `devtools` object), or in Firefox, whose `onShown`
 *   passes no window: from a collector of its own, fed by this page's `devtools.network`
 *   (`getHAR()` backlog, then live events).
 */
export function exchangeSourceKind(win: Window): 'bridge' | 'standalone' {
  if (readBridge(win)) return 'bridge';
  if (win.top === win || isFirefoxPage(win)) return 'standalone';
  return 'bridge';
}

/** An extension page in Firefox, where DevTools hands the panel no window to bridge to. */
export function isFirefoxPage(win: Pick<Window, 'location'>): boolean {
  return win.location.protocol === 'moz-extension:';
}

let standaloneBridge: ExchangeBridge | undefined;

function standaloneSource(win: Window): ExchangeBridge {
  if (!standaloneBridge) {
    // In Firefox the panel is the tab's collector, so it keeps the tab's history too; a plain
    // tab (tests with a fake devtools object) keeps none.
    const stream = startExchangeCollector({ devtools: devtoolsApi(win), ...(isFirefoxPage(win) ? {} : { history: null }) });
    standaloneBridge = { protocol: 1, subscribe: (listener) => stream.subscribe(listener) };
  }
  return standaloneBridge;
}

/**
 * Subscribes the panel to captured exchanges. `listener` first receives the backlog (possibly
 * empty), then each new batch, in `seq` order. Batches are copied into this window's realm.
 * Returns an unsubscribe function; subscriptions also end when the panel page unloads.
 */
export function subscribeExchanges(
  listener: ExchangeBatchListener,
  options: SubscribeExchangesOptions = {},
): () => void {
  const win = options.window ?? window;
  let stopped = false;
  let disconnect: (() => void) | undefined;

  const connect = (bridge: ExchangeBridge) => {
    disconnect = bridge.subscribe((batch, info) => {
      if (stopped) return;
      // The batch was built in the devtools page's realm; give the panel its own copy.
      listener(structuredClone(batch), { dropped: info.dropped });
    });
  };

  const onBridgeOffered = () => {
    const bridge = readBridge(win);
    if (!bridge || disconnect || stopped) return;
    win.removeEventListener(EXCHANGE_BRIDGE_EVENT, onBridgeOffered);
    connect(bridge);
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    win.removeEventListener(EXCHANGE_BRIDGE_EVENT, onBridgeOffered);
    win.removeEventListener('pagehide', stop);
    disconnect?.();
  };
  win.addEventListener('pagehide', stop);

  if (exchangeSourceKind(win) === 'standalone') {
    connect(standaloneSource(win));
  } else {
    const bridge = readBridge(win);
    if (bridge) connect(bridge);
    else win.addEventListener(EXCHANGE_BRIDGE_EVENT, onBridgeOffered);
  }
  return stop;
}
