import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowserWithExtension,
  SESSION_COOKIE,
  startStaticServer,
  type LaunchedBrowser,
  type StaticServer,
} from './support';
import { grantHostAccess, hostAccessPattern } from './support/host-access';

// Needs the build in dist/ (`npm run build:extension`). When it is missing, every test fails with
// launchBrowserWithExtension's message saying so (none is skipped).

let browser: LaunchedBrowser | undefined;
let server: StaticServer | undefined;
let extensionTab: Page | undefined;
let setupError: unknown;

/** The launched browser; rethrows what went wrong in beforeAll, so each test fails, not skips. */
function ready(): LaunchedBrowser {
  if (setupError !== undefined) throw setupError;
  return browser!;
}

interface Seen {
  contains: boolean;
  origins: string[];
  getAll: { name: string; httpOnly: boolean }[];
  /** `chrome.cookies.get` for the session cookie; it throws without host access, getAll does not. */
  getSession: { name: string; httpOnly: boolean } | string | null;
}

/** What the extension itself sees, from one of its own pages. */
async function seen(pattern: string): Promise<Seen> {
  const srv = server!;
  return extensionTab!.evaluate(
    async ({ pattern, url, name }) => {
      const pick = (c: chrome.cookies.Cookie) => ({ name: c.name, httpOnly: c.httpOnly });
      const one = await chrome.cookies.get({ url, name }).catch((error: Error) => error.message);
      return {
        contains: await chrome.permissions.contains({ origins: [pattern] }),
        origins: (await chrome.permissions.getAll()).origins ?? [],
        getAll: (await chrome.cookies.getAll({ url })).map(pick),
        getSession: typeof one === 'string' ? one : one ? pick(one) : null,
      };
    },
    { pattern, url: srv.url('/'), name: SESSION_COOKIE },
  );
}

beforeAll(async () => {
  try {
    server = await startStaticServer();
    browser = await launchBrowserWithExtension();
    // The server sets the HttpOnly session cookie in the browser's cookie jar.
    const site = await browser.context.newPage();
    await site.goto(server.url('/'));
    await site.close();
    extensionTab = await browser.context.newPage();
    await extensionTab.goto(`chrome-extension://${browser.extensionId}/manifest.json`);
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('grantHostAccess (host access without the native permission dialog)', () => {
  it('starts without host access: no cookies visible', async () => {
    ready();
    const before = await seen('http://127.0.0.1/*');
    expect(before.contains).toBe(false);
    expect(before.origins).toEqual([]);
    expect(before.getAll).toEqual([]);
    expect(before.getSession).toBe(`No host permissions for cookies at url: "${server!.url('/')}".`);
  });

  it('grants exactly origin/* for an origin; getAll still finds nothing, since cookies carry no port', async () => {
    const { context, extensionId } = ready();
    const pattern = hostAccessPattern(server!.origin);
    expect(pattern).toBe(`${server!.origin}/*`);

    await grantHostAccess(context, extensionId, server!.origin);

    const after = await seen(pattern);
    expect(after.contains).toBe(true);
    expect(after.origins).toEqual([pattern]);
    // Chromium 156: a port-specific grant is enough for cookies.get, not for cookies.getAll.
    expect(after.getSession).toEqual({ name: SESSION_COOKIE, httpOnly: true });
    expect(after.getAll).toEqual([]);
  });

  it('grants a port-less pattern; then cookies.getAll returns the HttpOnly session cookie', async () => {
    const { context, extensionId } = ready();

    await grantHostAccess(context, extensionId, 'http://127.0.0.1/*');

    const after = await seen('http://127.0.0.1/*');
    expect(after.contains).toBe(true);
    expect(after.origins).toContain('http://127.0.0.1/*');
    expect(after.getAll).toContainEqual({ name: SESSION_COOKIE, httpOnly: true });
    expect(after.getAll).toContainEqual({ name: 'sl_theme', httpOnly: false });
  });

  it('is idempotent, and the product-style request from a click now resolves without a dialog', async () => {
    const { context, extensionId } = ready();
    await grantHostAccess(context, extensionId, 'http://127.0.0.1/*');

    const tab = extensionTab!;
    await tab.evaluate(() => {
      const button = document.createElement('button');
      button.id = 'grant-host-access';
      button.textContent = 'Grant access';
      button.style.cssText = 'position:fixed;top:0;left:0;width:200px;height:40px;z-index:2147483647';
      button.addEventListener('click', () => {
        (window as unknown as { granted: Promise<boolean> }).granted = chrome.permissions.request({
          origins: ['http://127.0.0.1/*'],
        });
      });
      document.body.append(button);
    });
    await tab.click('#grant-host-access');
    expect(await tab.evaluate(() => (window as unknown as { granted: Promise<boolean> }).granted)).toBe(true);
  });

  it('fails with clear errors', async () => {
    const { context, extensionId } = ready();
    await expect(grantHostAccess(context, 'a'.repeat(32), 'http://127.0.0.1/*')).rejects.toThrow(
      /addHostPermission.*No such extension/,
    );
    await expect(grantHostAccess(context, extensionId, 'http://127.0.0.1/path')).rejects.toThrow(/must be an http\(s\) origin/);
    await expect(grantHostAccess(context, extensionId, 'ftp://127.0.0.1/*')).rejects.toThrow(/not an http\(s\) host pattern/);
  });
});
