/**
 * Staying alive, in real Chromium DevTools against the real demo Flask app: the MV3 service worker
 * stopped mid-session, DevTools closed and reopened, the tab reloaded, a navigation to another
 * origin and back, DevTools undocked and docked again. In each case the Timeline keeps (or
 * restores) its history and records what follows, and the secrets behave as the README says:
 * kept per origin in storage.session for the browser session, so they come back with the origin.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { py, signFlaskCookie } from '../src/core';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchBrowserWithExtension, openDevToolsOnly, waitUntil, type DevToolsHandle, type LaunchedBrowser, type PanelHandle } from './support';
import { dockState, setDockSide } from './support/devtools-dock';
import { serviceWorkerTarget, stopServiceWorker } from './support/extension-targets';
import { grantHostAccess } from './support/host-access';
import { typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { GRID, call, savedExchanges, showTab, timelineRows, type TimelineRow } from './timeline-helpers';

const SECRET = 'lifecycle-e2e-secret';
const VALID = 'Signature valid (key 1 of 1)';
const NOT_VERIFIED = "Not verified — paste the app's SECRET_KEY";

let flask: FlaskApp;

beforeAll(async () => {
  flask = await startFlaskApp({ stack: 'modern', secretKey: SECRET });
});

afterAll(async () => {
  await flask?.stop();
});

/** `event path` of every Timeline row (browser favicon requests left out), once `path` is listed. */
async function journeyWith(panel: PanelHandle, path: string): Promise<string[]> {
  await showTab(panel, 'Timeline');
  await panel.waitFor(
    `Array.from(document.querySelectorAll('${GRID} [role="row"][data-seq] [role="gridcell"]:nth-child(3)')).some((c) => c.textContent === ${JSON.stringify(path)})`,
    { timeout: 15_000 },
  );
  return (await timelineRows(panel)).filter((r: TimelineRow) => r.path !== '/favicon.ico').map((r) => `${r.event} ${r.path}`);
}

/**
 * Waits until the devtools page has saved the tab's history up to `path` in storage.session. The
 * README: "a save also follows each batch within a second"; the last save when DevTools closes is
 * best effort (in Chromium 156 a storage write started while the devtools page unloads never lands).
 */
async function waitForSavedHistory(devtools: DevToolsHandle, path: string): Promise<void> {
  await waitUntil(
    `the tab's history up to ${path} to be saved in storage.session`,
    async () => (await savedExchanges(devtools)).some((e) => e.url.endsWith(path)),
    { timeout: 5_000 },
  );
}

/** The Session view's secret as the form shows it, and the verdict once it reads `verdict`. */
async function sessionView(panel: PanelHandle, verdict: string): Promise<{ secret: string; verdict: string; origin: string }> {
  await showTab(panel, 'Session');
  const text = await waitForVerdict(panel, verdict, { timeout: 15_000 });
  return {
    secret: await panel.evaluate<string>(`document.querySelector('#secret-0').value`),
    verdict: text.startsWith(verdict) ? verdict : text,
    origin: await panel.evaluate<string>(`window.__sessionLens.state().inspectedOrigin`),
  };
}

/** A new tab on the app, logged in, DevTools open with the panel shown and the app's key typed. */
async function startSession(browser: LaunchedBrowser): Promise<{ page: Page; devtools: DevToolsHandle; panel: PanelHandle }> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
  await page.goto(`${flask.url}/`);
  await call(page, 'POST', '/login');
  const panel = await devtools.showPanel();
  await waitForTreeItems(panel, ["user: 'alice'"]);
  await typeSecret(panel, 0, SECRET);
  await waitForVerdict(panel, VALID);
  return { page, devtools, panel };
}

describe('the MV3 service worker stopped mid-session', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowserWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the panel keeps working: Timeline records, host access and jar reads, jar changes, secrets kept across a DevTools reopen', async () => {
    const session = await startSession(browser);
    const { page } = session;
    let { devtools, panel } = session;
    const browserSession = devtools.browserSession;
    try {
      expect(await journeyWith(panel, '/login')).toEqual(['untouched /', 'created /login']);

      await stopServiceWorker(browser.context, browser.extensionId);

      // The Timeline records and classifies what follows.
      await call(page, 'POST', '/modify');
      expect(await journeyWith(panel, '/modify')).toEqual(['untouched /', 'created /login', 'modified /modify']);

      // Host access granted now: the panel notices and reads the jar (HttpOnly session included).
      await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
      const jarValue = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!.value;
      await panel.waitFor(
        `(() => { const s = window.__sessionLens.state(); return s.hostAccess === 'granted' && s.jar.some((c) => c.name === 'session' && c.value === ${JSON.stringify(jarValue)}); })()`,
        { timeout: 15_000 },
      );
      // A jar write no response explains reaches the Timeline (cookies.onChanged in the panel).
      const forged = signFlaskCookie(py.dict([['user', py.str('mallory')]]), { secret: { text: 'not-the-app-key' } });
      if (!forged.ok) throw new Error(forged.error.message);
      await browser.context.addCookies([{ name: 'session', value: forged.value.cookie, url: flask.url, httpOnly: true }]);
      await panel.waitFor(`!!document.querySelector('${GRID} [role="row"][data-kind="jar"][data-event="overwritten"]')`, { timeout: 15_000 });
      // The secret is still applied: the forged cookie fails it.
      expect(await sessionView(panel, 'Signature invalid for this key')).toMatchObject({ secret: SECRET });

      // Chromium's panel needs no service worker: nothing above restarted it.
      expect(await serviceWorkerTarget(browserSession, browser.extensionId)).toBeUndefined();

      // DevTools closed and reopened with the worker still stopped: history and secret come back.
      await call(page, 'POST', '/logout');
      await journeyWith(panel, '/logout');
      await waitForSavedHistory(devtools, '/logout');
      await devtools.close();
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      await call(page, 'POST', '/login?again');
      panel = await devtools.showPanel();
      const rows = await journeyWith(panel, '/login?again');
      expect(rows.filter((r) => !r.startsWith('overwritten ') && !r.startsWith('removed '))).toEqual([
        'untouched /',
        'created /login',
        'modified /modify',
        'deleted /logout',
        'created /login?again',
      ]);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });
    } finally {
      await devtools.close();
      await page.close();
    }
  });
});

describe('DevTools and the tab coming and going', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowserWithExtension();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('DevTools closed and reopened: the Timeline restores its history, the secret is still there', async () => {
    const session = await startSession(browser);
    const { page } = session;
    let { devtools, panel } = session;
    try {
      await call(page, 'POST', '/modify');
      const before = await journeyWith(panel, '/modify');
      expect(before).toEqual(['untouched /', 'created /login', 'modified /modify']);
      await waitForSavedHistory(devtools, '/modify');
      await devtools.close();
      // Nobody records this one: DevTools is closed (README: "requests made while DevTools was closed are not seen").
      await call(page, 'GET', '/whoami?unseen');
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      await call(page, 'POST', '/modify?after');
      panel = await devtools.showPanel();
      expect(await journeyWith(panel, '/modify?after')).toEqual([...before, 'modified /modify?after']);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });
    } finally {
      await devtools.close();
      await page.close();
    }
  });

  it('the tab reloaded: the Timeline keeps its rows and lists the reload (Preserve log), the secret stays', async () => {
    const { page, devtools, panel } = await startSession(browser);
    try {
      await panel.evaluate('window.__samePanel = true');
      await page.reload();
      await call(page, 'GET', '/whoami?after-reload');
      expect(await journeyWith(panel, '/whoami?after-reload')).toEqual(['untouched /', 'created /login', 'untouched /', 'read /whoami?after-reload']);
      expect(await panel.evaluate('window.__samePanel === true')).toBe(true);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });
    } finally {
      await devtools.close();
      await page.close();
    }
  });

  it('to another origin and back: secrets are per origin (none on the other), the Timeline keeps both', async () => {
    const { page, devtools, panel } = await startSession(browser);
    // The same app under another host name: another origin, and another cookie jar (cookies ignore ports, not hosts).
    const other = flask.url.replace('127.0.0.1', 'localhost');
    try {
      await page.goto(`${other}/`);
      await call(page, 'POST', '/login?other');
      expect(await journeyWith(panel, '/login?other')).toEqual(['untouched /', 'created /login', 'untouched /', 'created /login?other']);
      // The other origin has no key of its own: the form is empty and its session unverified.
      expect(await sessionView(panel, NOT_VERIFIED)).toEqual({ secret: '', verdict: NOT_VERIFIED, origin: other });
      expect(await panel.evaluate(`window.__sessionLens.state().settings.secrets.every((s) => s.value === '')`)).toBe(true);

      await page.goto(`${flask.url}/`);
      await call(page, 'GET', '/whoami?back');
      expect(await journeyWith(panel, '/whoami?back')).toEqual([
        'untouched /',
        'created /login',
        'untouched /',
        'created /login?other',
        'untouched /',
        'read /whoami?back',
      ]);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });
    } finally {
      await devtools.close();
      await page.close();
    }
  });

  it('DevTools undocked and docked again: the same panel page keeps recording, the secret stays', async () => {
    const { page, devtools, panel } = await startSession(browser);
    try {
      await panel.evaluate('window.__samePanel = true');
      const docked = await dockState(devtools);
      expect(docked.side).not.toBe('undocked');

      await setDockSide(devtools, 'undocked');
      await call(page, 'POST', '/modify?undocked');
      expect(await journeyWith(panel, '/modify?undocked')).toEqual(['untouched /', 'created /login', 'modified /modify?undocked']);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });

      await setDockSide(devtools, docked.side);
      await call(page, 'POST', '/modify?docked');
      expect(await journeyWith(panel, '/modify?docked')).toEqual(['untouched /', 'created /login', 'modified /modify?undocked', 'modified /modify?docked']);
      expect(await panel.evaluate('window.__samePanel === true')).toBe(true);
      expect(await sessionView(panel, VALID)).toEqual({ secret: SECRET, verdict: VALID, origin: flask.url });
    } finally {
      await devtools.close();
      await page.close();
    }
  });
});
