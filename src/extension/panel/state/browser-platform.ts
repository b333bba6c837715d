import { browserCookieJar } from '../../platform/cookie-jar';
import { inspectedOrigin } from '../../platform/inspected-window';
import { subscribeExchanges } from '../../platform/panel-side';
import { browserSettingsStore } from '../../platform/settings-store';
import type { PanelPlatform } from './panel-store';

/** The real browser behind the panel store. */
export function browserPanelPlatform(): PanelPlatform {
  return {
    subscribeExchanges: (listener) => subscribeExchanges(listener),
    inspectedOrigin,
    settings: browserSettingsStore(),
    jar: browserCookieJar(),
    now: () => Date.now(),
    every: (ms, fn) => {
      const id = setInterval(fn, ms);
      return () => clearInterval(id);
    },
    later: (ms, fn) => {
      const id = setTimeout(fn, ms);
      return () => clearTimeout(id);
    },
  };
}
