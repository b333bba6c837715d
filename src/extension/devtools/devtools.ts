// The extension's devtools page: runs, invisible, for as long as a DevTools window is open.
import { registerSessionPanel, startExchangeCollector } from '../platform/devtools-side';

// Subscribe to the network first: exchanges made before the panel is shown must count.
const stream = startExchangeCollector();

registerSessionPanel(stream).catch((error: unknown) => {
  console.error('[session-lens] could not create the Session panel', error);
});
