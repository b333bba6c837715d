// The extension's devtools page: runs, invisible, for as long as a DevTools window is open.
import { registerSessionPanel, startExchangeCollector } from '../platform/devtools-side';
import { isFirefoxPage } from '../platform/panel-side';

// Subscribe to the network first: exchanges made before the panel is shown must count. In
// Firefox this stream never reaches the panel (it collects for itself, and keeps the history).
const stream = startExchangeCollector(isFirefoxPage(window) ? { history: null } : {});

registerSessionPanel(stream).catch((error: unknown) => {
  console.error('[session-lens] could not create the Session panel', error);
});
