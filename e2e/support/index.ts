/** End-to-end harness: real Chromium, real DevTools, the built extension from dist/. */
export { launchBrowserWithExtension, type LaunchOptions, type LaunchedBrowser } from './browser';
export {
  openDevToolsOnly,
  openSessionPanel,
  showPanel,
  type DevToolsHandle,
  type DevToolsOptions,
  type ShowPanelOptions,
} from './devtools';
export type { PanelHandle } from './panel-handle';
export { openPanelAsTab, fakeHarEntry, type FakeDevtools, type FakeHarEntry, type PanelTab } from './panel-as-tab';
export { startStaticServer, SESSION_COOKIE, type StaticServer, type RecordedRequest } from './static-server';
export { repoRoot, extensionDistDir, panelPagePath, chromiumExecutable, assertExtensionBuilt } from './paths';
export { waitUntil, withTimeout, HarnessTimeoutError, type WaitOptions } from './wait';
