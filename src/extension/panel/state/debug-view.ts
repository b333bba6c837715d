import type { PanelState } from './panel-store';

const HIDDEN = '(hidden)';

/**
 * The panel state as `window.__sessionLens.state()` shows it (e2e tests, DevTools-on-DevTools):
 * everything except the keys the user pasted, which stay out of reach of anything reading it.
 */
export function stateWithoutSecrets(state: PanelState): PanelState {
  return {
    ...state,
    settings: { ...state.settings, secrets: state.settings.secrets.map((s) => ({ ...s, value: s.value === '' ? '' : HIDDEN })) },
    sessionSettings: { ...state.sessionSettings, secrets: state.sessionSettings.secrets.map(() => ({ text: HIDDEN })) },
  };
}
