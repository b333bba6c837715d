/**
 * "Edit & sign" beyond Flask, in real DevTools against real apps: a cookie-session session edited
 * and re-signed (its session.sig with it) and a Rails CookieStore session re-encrypted with the
 * app's secret_key_base are set in the browser, and the apps read the edit; Undo restores both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressApp } from '../test/support/express-app';
import { startNodeSessionApp } from '../test/support/node-session-apps';
import { startRailsApp, type RailsApp } from '../test/support/rails-app';
import { launchBrowserWithExtension, type LaunchedBrowser, type PanelHandle } from './support';
import { clickButton, signAndSet } from './support/forge';
import { grantHostAccess } from './support/host-access';
import { typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { showTab, timelineFor } from './timeline-helpers';

const KEY = 'edit-and-sign-frameworks-key';
const SECRET_KEY_BASE = `${'x'.repeat(64)}-edit-and-sign-frameworks`;

let browser: LaunchedBrowser;
let cookieSession: ExpressApp;
let rails: RailsApp;

beforeAll(async () => {
  [browser, cookieSession, rails] = await Promise.all([launchBrowserWithExtension(), startNodeSessionApp('cookie-session', [KEY]), startRailsApp({ secretKeyBase: SECRET_KEY_BASE })]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([cookieSession?.stop(), rails?.stop()]);
});

/** The user the app's /whoami page reports. */
async function whoami(page: import('playwright-core').Page, url: string): Promise<string | null> {
  await page.goto(`${url}/whoami`);
  return JSON.parse((await page.textContent('pre')) ?? 'null').user;
}

async function openAndSign(app: { url: string }, secret: string, signed: string, tree: string): Promise<{ t: Awaited<ReturnType<typeof timelineFor>>; panel: PanelHandle }> {
  const t = await timelineFor(browser, app);
  await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
  await t.panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted'`, { timeout: 10_000 });
  await t.page.goto(`${app.url}/login?user=ada`);
  await showTab(t.panel, 'Session');
  await typeSecret(t.panel, 0, secret);
  await waitForVerdict(t.panel, signed);
  await waitForTreeItems(t.panel, [tree]);
  return { t, panel: t.panel };
}

describe('Edit & sign on other frameworks, real DevTools', () => {
  it('cookie-session: the session and its .sig are re-signed and set; the app reads the edit; Undo restores', async () => {
    const { t, panel } = await openAndSign(cookieSession, KEY, 'Signature valid (key 1 of 1)', 'user: "ada"');
    try {
      await clickButton(panel, 'Edit & sign…');
      await signAndSet(panel, (json) => json.replace('"ada"', '"admin"'), 0);
      expect(await panel.text('#forge-companion')).toMatch(/^[A-Za-z0-9_-]{27}$/);
      const jar = await browser.context.cookies(cookieSession.url);
      expect(jar.find((c) => c.name === 'session.sig')?.value).toBe(await panel.text('#forge-companion'));
      expect(await whoami(t.page, cookieSession.url)).toBe('admin');
      await clickButton(panel, 'Undo');
      await panel.waitFor(`document.querySelector('#forge-status')?.textContent.startsWith('Restored')`);
      expect(await whoami(t.page, cookieSession.url)).toBe('ada');
    } finally {
      await t.close();
    }
  });

  it('Rails: the CookieStore session is re-encrypted with secret_key_base; Rails reads the edit', async () => {
    const { t, panel } = await openAndSign(rails, SECRET_KEY_BASE, 'Signature valid (key 1 of 1)', 'user: "ada"');
    try {
      await clickButton(panel, 'Edit & sign…');
      await signAndSet(panel, (json) => json.replace('"ada"', '"admin"'), 0);
      expect(await whoami(t.page, rails.url)).toBe('admin');
    } finally {
      await t.close();
    }
  });
});
