// Service worker (Chromium) / background script (Firefox). It relays the cookie jar to DevTools
// pages that lack the cookies and permissions APIs (Firefox's); the e2e harness also relies on
// its existence to learn the extension id.
import browser from 'webextension-polyfill';
import { serveJarRelay, type RelayBackgroundApi } from './platform/jar-relay';

browser.runtime.onInstalled.addListener((details) => {
  console.info(`[session-lens] ${details.reason}: version ${browser.runtime.getManifest().version}`);
});

// The polyfill's types are nominal versions of the same structural APIs.
serveJarRelay(browser as unknown as RelayBackgroundApi);
