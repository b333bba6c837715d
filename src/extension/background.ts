// Service worker (Chromium) / background script (Firefox). Nothing runs here yet; the e2e
// harness also relies on its existence to learn the extension id.
import browser from 'webextension-polyfill';

browser.runtime.onInstalled.addListener((details) => {
  console.info(`[session-lens] ${details.reason}: version ${browser.runtime.getManifest().version}`);
});
