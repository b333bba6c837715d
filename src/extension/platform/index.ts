/** Platform layer: everything that touches the browser's extension and DevTools APIs. */
export type { ExchangeBatchInfo, ExchangeBatchListener, ExchangeStreamOptions } from './exchange-stream';
export { ExchangeStream } from './exchange-stream';
export { ExchangeLog, DEFAULT_EXCHANGE_CAPACITY } from './exchange-log';
export { harEntryToExchange, normalizeHeaders, parseStartedAt } from './har-to-exchange';
export type { HarEntryLike, HarHeaderLike } from './har-to-exchange';
export { inspectedOrigin, inspectedTabId } from './inspected-window';
export { subscribeExchanges, exchangeSourceKind } from './panel-side';
export type { SubscribeExchangesOptions } from './panel-side';
export {
  SESSION_PANEL_ICON,
  SESSION_PANEL_PAGE,
  SESSION_PANEL_TITLE,
  createExchangeBridge,
  offerExchangeBridge,
  registerSessionPanel,
  startExchangeCollector,
} from './devtools-side';
export type { ExchangeBridge } from './bridge-protocol';
export type { DevtoolsLike, DevtoolsNetworkLike, DevtoolsInspectedWindowLike, DevtoolsPanelsLike } from './devtools-api';
