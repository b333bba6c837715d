import type { BrowserContext, Page } from 'playwright-core';
import { withTimeout } from './wait';

/**
 * Puts the extension in the state "the user accepted Chromium's host-permission dialog for
 * `origin`", without the dialog (Playwright cannot reach native dialogs).
 *
 * How (checked on Debian Chromium 156, headless):
 * 1. In a chrome://extensions tab, `chrome.developerPrivate.addHostPermission(id, pattern)` (what
 *    the "Site access" UI of chrome://extensions calls) records the pattern as runtime-granted.
 *    For an *optional* host permission that alone does not make it active.
 * 2. In a tab on one of the extension's own pages, `chrome.permissions.request({ origins: [pattern] })`
 *    (Playwright's `evaluate` counts as a user gesture). Chromium does not prompt for permissions
 *    the user has already granted, so it resolves `true` at once, and the permission becomes active
 *    exactly as after an accepted dialog (`permissions.contains`, `getAll`, `onAdded`).
 *
 * `origin` is either an origin (`http://127.0.0.1:5000`, granted as `http://127.0.0.1:5000/*`) or a
 * match pattern ending in `/*` (`http://127.0.0.1/*`, granted as is).
 *
 * Beware: cookies carry no port. With only a port-specific grant (`http://127.0.0.1:5000/*`),
 * `chrome.cookies.getAll({ url })` returns `[]` (no error), while `chrome.cookies.get({ url, name })`
 * finds the cookie. A grant without a port (`http://127.0.0.1/*`) makes `getAll` return the
 * HttpOnly cookies too.
 *
 * chrome://extensions and `developerPrivate` are Chromium internals: keep their use in this file.
 */
export async function grantHostAccess(context: BrowserContext, extensionId: string, origin: string): Promise<void> {
  const pattern = hostAccessPattern(origin);
  const stepTimeout = 10_000;

  // Step 1: record the grant the way chrome://extensions' site-access UI does.
  const settings = await context.newPage();
  try {
    await settings.goto('chrome://extensions/');
    await settings.waitForFunction(
      () => typeof (globalThis as unknown as DeveloperPrivateScope).chrome?.developerPrivate?.addHostPermission === 'function',
      undefined,
      { timeout: stepTimeout },
    );
    const added = await withTimeout(
      `chrome.developerPrivate.addHostPermission(${extensionId}, ${pattern}) in chrome://extensions`,
      settings.evaluate(
        ({ id, host }) =>
          (globalThis as unknown as DeveloperPrivateScope).chrome.developerPrivate
            .addHostPermission(id, host)
            .then(
              () => null,
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            ),
        { id: extensionId, host: pattern },
      ),
      stepTimeout,
    );
    if (added !== null) {
      throw new Error(
        `grantHostAccess: chrome.developerPrivate.addHostPermission(${JSON.stringify(extensionId)}, ${JSON.stringify(pattern)}) failed: ${added}`,
      );
    }
  } finally {
    await settings.close().catch(() => undefined);
  }

  // Step 2: the extension asks, as the panel's button would; Chromium answers without a dialog.
  const extensionPage: Page = await context.newPage();
  try {
    // manifest.json exists in every build, runs no code of ours, and gets the extension APIs.
    await extensionPage.goto(`chrome-extension://${extensionId}/manifest.json`);
    const outcome = await extensionPage.evaluate(
      ({ pattern, timeout }) =>
        Promise.race([
          chrome.permissions.request({ origins: [pattern] }).then(
            (granted) => (granted ? 'granted' : 'refused'),
            (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('pending'), timeout)),
        ]),
      { pattern, timeout: stepTimeout },
    );
    if (outcome === 'pending') {
      throw new Error(
        `grantHostAccess: chrome.permissions.request({ origins: [${JSON.stringify(pattern)}] }) did not settle within ${stepTimeout} ms. ` +
          'Chromium is showing its permission dialog, so the chrome://extensions grant was not taken into account ' +
          '(did Chromium change developerPrivate.addHostPermission or the "already granted" shortcut of permissions.request?).',
      );
    }
    if (outcome !== 'granted') {
      throw new Error(`grantHostAccess: chrome.permissions.request({ origins: [${JSON.stringify(pattern)}] }) ${outcome}`);
    }
    const state = await extensionPage.evaluate(async (pattern) => ({
      contains: await chrome.permissions.contains({ origins: [pattern] }),
      origins: (await chrome.permissions.getAll()).origins ?? [],
    }), pattern);
    if (!state.contains) {
      throw new Error(
        `grantHostAccess: permissions.request answered true but permissions.contains(${JSON.stringify(pattern)}) is false; active origins: ${JSON.stringify(state.origins)}`,
      );
    }
  } finally {
    await extensionPage.close().catch(() => undefined);
  }
}

/** The match pattern `grantHostAccess` grants for `origin` (an origin, or a pattern ending in `/*`). */
export function hostAccessPattern(origin: string): string {
  if (origin.endsWith('/*')) {
    if (!/^https?:\/\/[^/]+\/\*$/.test(origin)) {
      throw new Error(`grantHostAccess: ${JSON.stringify(origin)} is not an http(s) host pattern like "http://127.0.0.1/*"`);
    }
    return origin;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`grantHostAccess: ${JSON.stringify(origin)} is neither an origin nor a match pattern ending in "/*"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(
      `grantHostAccess: ${JSON.stringify(origin)} must be an http(s) origin such as "http://127.0.0.1:5000" or a pattern such as "http://127.0.0.1/*"`,
    );
  }
  return `${url.origin}/*`;
}

/** The one chrome://extensions function used here (not in @types/chrome). */
interface DeveloperPrivateScope {
  chrome: { developerPrivate: { addHostPermission(extensionId: string, host: string): Promise<void> } };
}
