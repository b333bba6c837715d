import {
  EXCHANGE_BRIDGE_EVENT,
  EXCHANGE_BRIDGE_PROPERTY,
  readBridge,
  type ExchangeBridge,
} from './bridge-protocol';
import { devtoolsApi, type DevtoolsLike, type DevtoolsPanelLike } from './devtools-api';
import { browserExchangeHistory, type ExchangeHistory } from './exchange-persistence';
import { ExchangeStream, type ExchangeStreamOptions } from './exchange-stream';
import { feedStreamFromNetwork } from './network-feed';

/** Title of the DevTools panel. The e2e harness derives the panel id from it. */
export const SESSION_PANEL_TITLE = 'Session';
/** Panel page, from the extension root (the build emits it at the same path). */
export const SESSION_PANEL_PAGE = '/src/extension/panel/panel.html';
export const SESSION_PANEL_ICON = '/icons/icon-32.png';

/**
 * Starts recording network exchanges for this DevTools session. Call it first thing in the
 * devtools page, so that requests made before the panel is ever shown are kept too.
 * The inspected tab's history from earlier DevTools sessions (`storage.session`) comes first,
 * and everything recorded is saved there in turn; pass `history: null` to keep nothing.
 */
export function startExchangeCollector(
  options: ExchangeStreamOptions & { devtools?: DevtoolsLike; history?: ExchangeHistory | null } = {},
): ExchangeStream {
  const { devtools = devtoolsApi(), history = browserExchangeHistory(devtools.inspectedWindow.tabId), ...streamOptions } = options;
  const stream = new ExchangeStream(streamOptions);
  if (history) {
    void stream.restoreFirst(history.load());
    history.follow(stream);
    // Best effort: save what the debounce still holds when DevTools closes.
    globalThis.addEventListener?.('pagehide', () => void history.flush());
  }
  feedStreamFromNetwork(devtools.network, stream);
  return stream;
}

export function createExchangeBridge(stream: ExchangeStream): ExchangeBridge {
  return Object.freeze({
    protocol: 1 as const,
    subscribe: (listener: Parameters<ExchangeStream['subscribe']>[0]) => stream.subscribe(listener),
  });
}

/**
 * Gives the panel window access to `bridge` (see bridge-protocol.ts). Safe to call on every
 * `onShown`: it does nothing while the window already holds this bridge, and offers it again
 * after the panel page was reloaded.
 */
export function offerExchangeBridge(bridge: ExchangeBridge, panelWindow: Window): void {
  if (readBridge(panelWindow) === bridge) return;
  Object.defineProperty(panelWindow, EXCHANGE_BRIDGE_PROPERTY, { value: bridge, configurable: true });
  // Build the event in the panel's own realm.
  const PanelEvent = (panelWindow as Window & typeof globalThis).Event;
  panelWindow.dispatchEvent(new PanelEvent(EXCHANGE_BRIDGE_EVENT));
}

/**
 * Creates the "Session" panel and connects every panel window DevTools shows to `stream`.
 * Resolves with the panel once DevTools has created it.
 */
export function registerSessionPanel(
  stream: ExchangeStream,
  devtools: DevtoolsLike = devtoolsApi(),
): Promise<DevtoolsPanelLike> {
  const bridge = createExchangeBridge(stream);
  return new Promise((resolve, reject) => {
    let settled = false;
    const onCreated = (panel: DevtoolsPanelLike) => {
      if (settled) return;
      settled = true;
      panel.onShown.addListener((panelWindow) => {
        // Firefox passes no window: its panel falls back to its own collector (panel-side.ts).
        if (panelWindow) offerExchangeBridge(bridge, panelWindow);
      });
      resolve(panel);
    };
    try {
      const returned = devtools.panels.create(SESSION_PANEL_TITLE, SESSION_PANEL_ICON, SESSION_PANEL_PAGE, onCreated);
      if (typeof (returned as PromiseLike<DevtoolsPanelLike> | undefined)?.then === 'function') {
        (returned as PromiseLike<DevtoolsPanelLike>).then(onCreated, reject);
      }
    } catch (error) {
      reject(error);
    }
  });
}
