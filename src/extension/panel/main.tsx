// The Session panel page: follows DevTools' theme, starts the panel store, renders the views.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { followDevtoolsTheme } from '../platform/theme';
import { App } from './App';
import { ErrorBoundary } from './ErrorBoundary';
import { browserSecretAudit } from './state/browser-audit';
import { browserPanelPlatform } from './state/browser-platform';
import { stateWithoutSecrets } from './state/debug-view';
import { PanelStore } from './state/panel-store';
import { PanelStoreContext } from './state/use-panel-state';
import './panel.css';

followDevtoolsTheme();
const store = new PanelStore(browserPanelPlatform(), { secretAudit: browserSecretAudit() });
const stop = store.start();
window.addEventListener('pagehide', stop, { once: true });
// Read-only view of the state, secrets masked, for the e2e tests and for debugging the panel (DevTools on DevTools).
// `secretAudit`: the known-secret check's progress (it never holds the secret it finds).
Object.defineProperty(window, '__sessionLens', {
  value: Object.freeze({ state: () => ({ ...stateWithoutSecrets(store.getState()), secretAudit: store.secretAuditState() }) }),
});

const container = document.getElementById('root');
if (!container) throw new Error('panel.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <ErrorBoundary what="the panel">
      <PanelStoreContext.Provider value={store}>
        <App />
      </PanelStoreContext.Provider>
    </ErrorBoundary>
  </StrictMode>,
);
