import { devtoolsApi, evalInInspectedWindow } from './devtools-api';

/** Id of the tab this DevTools window inspects (the same id `chrome.tabs` and the service worker use). */
export function inspectedTabId(): number {
  return devtoolsApi().inspectedWindow.tabId;
}

/**
 * Origin of the page currently shown in the inspected tab, e.g. `http://127.0.0.1:5000`,
 * or `null` for pages without a tuple origin (about:blank, data: URLs, …).
 * Asked anew on every call: the tab may have navigated elsewhere since the last one.
 */
export async function inspectedOrigin(): Promise<string | null> {
  const origin = await evalInInspectedWindow<unknown>(devtoolsApi().inspectedWindow, 'location.origin');
  return typeof origin === 'string' && origin !== 'null' && origin !== '' ? origin : null;
}
