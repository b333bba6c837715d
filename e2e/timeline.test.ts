/**
 * The Timeline tab inside real Chromium DevTools, against the real demo Flask app: the user
 * journey shows the right event and diff per step; a permanent session with refresh is Refreshed;
 * Flask-Session on a real redis-server shows its ids; Preserve log; history across panel
 * hide/show and DevTools close/reopen; keyboard; exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { py, signFlaskCookie } from '../src/core';
import { startFlaskApp, startRedis, type FlaskApp, type RedisServer } from '../test/support/services';
import { DEFAULT_MIN_SAVE_INTERVAL_MS } from '../src/extension/platform/exchange-persistence';
import { grantHostAccess } from './support/host-access';
import { launchBrowserWithExtension, openDevToolsOnly, waitUntil, type LaunchedBrowser } from './support';
import {
  GRID,
  call,
  captureDownloads,
  exportTimeline,
  openDetails,
  rowOf,
  rowsWith,
  savedExchanges,
  setCheckbox,
  showTab,
  timelineFor,
  timelineRows,
  typeSecretKey,
} from './timeline-helpers';

const SECRET = 'timeline-e2e-secret';

let browser: LaunchedBrowser;
const started: { stop(): Promise<void> }[] = [];
let redis: RedisServer | undefined;

async function app(options: Parameters<typeof startFlaskApp>[0]): Promise<FlaskApp> {
  const flask = await startFlaskApp({ secretKey: SECRET, ...options });
  started.push(flask);
  return flask;
}

beforeAll(async () => {
  browser = await launchBrowserWithExtension();
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  await redis?.stop();
});

describe('Timeline in real DevTools', () => {
  it('the user journey: each step shows its event and diff; nothing written for the nested mutation', async () => {
    const flask = await app({ stack: 'debian' });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login');
      await page.goto(`${flask.url}/whoami`); // a navigation (Preserve log keeps what came before)
      await page.goto(`${flask.url}/`);
      for (const path of ['/modify', '/cart-init', '/mutate-nested', '/mutate-nested-flagged', '/logout']) await call(page, 'POST', path);
      const rows = await rowsWith(panel, '/logout');

      const journey = ['/login', '/whoami', '/modify', '/cart-init', '/mutate-nested', '/mutate-nested-flagged', '/logout'].map((p) => rowOf(rows, p));
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual([
        'created /login',
        'read /whoami',
        'modified /modify',
        'modified /cart-init',
        'read /mutate-nested',
        'modified /mutate-nested-flagged',
        'deleted /logout',
      ]);
      // The accessibility contract: each row's text has the event name as written and the path.
      const label = { created: 'Created', read: 'Read', modified: 'Modified', deleted: 'Deleted' } as Record<string, string>;
      for (const row of journey) {
        expect(row.text).toContain(label[row.event]);
        expect(row.text).toContain(row.path);
      }
      // The first page load, before any session, is in the history too (Preserve log is on).
      expect(rows.filter((r) => r.path === '/').map((r) => r.event)[0]).toBe('untouched');

      const login = await openDetails(panel, rowOf(rows, '/login').seq);
      expect(login.text).toMatch(/After: the response[\s\S]*'user': 'alice'/);
      expect((await openDetails(panel, rowOf(rows, '/modify').seq)).changes).toEqual(['+ added count: 1']);
      expect((await openDetails(panel, rowOf(rows, '/cart-init').seq)).changes).toEqual(['+ added cart: []']);
      const nested = await openDetails(panel, rowOf(rows, '/mutate-nested').seq);
      expect(nested.changes).toEqual([]);
      expect(nested.text).toContain('No Set-Cookie for session: the browser keeps the cookie it sent.');
      expect(nested.diagnostics).toContain('write-not-saved');
      expect(nested.text).toContain('set session.modified = True');
      expect((await openDetails(panel, rowOf(rows, '/mutate-nested-flagged').seq)).changes).toEqual(["+ added cart[0]: 'y'"]);
      const logout = await openDetails(panel, rowOf(rows, '/logout').seq);
      expect(logout.text).toMatch(/Response Set-Cookie\s+session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=\//);

      // Keyboard: Escape closes the details and keeps focus in the panel (DevTools must not also
      // toggle its console drawer); End selects the last row, Enter opens it, ArrowUp moves the
      // selection (details follow).
      await panel.pressKey('Escape', GRID);
      await panel.waitFor(`!document.querySelector('.tl-details')`);
      await new Promise((resolve) => setTimeout(resolve, 500)); // the drawer, when it opens, takes focus within this
      expect(await panel.evaluate(`document.hasFocus() && document.activeElement === document.querySelector('${GRID}')`)).toBe(true);
      const all = await timelineRows(panel);
      await panel.pressKey('End', GRID);
      await panel.pressKey('Enter', GRID);
      const selectedSeq = `document.querySelector('${GRID} [aria-selected="true"]')?.dataset.seq`;
      await panel.waitFor(`document.querySelector('.tl-details')?.dataset.seq === ${selectedSeq}`);
      expect(Number(await panel.evaluate(selectedSeq))).toBeGreaterThanOrEqual(all.at(-1)!.seq); // a late row (favicon) may follow
      const last = Number(await panel.evaluate(selectedSeq));
      await panel.pressKey('ArrowUp', GRID);
      await panel.waitFor(`document.querySelector('.tl-details')?.dataset.seq === ${selectedSeq} && ${selectedSeq} !== '${last}'`);
      const rowsNow = await timelineRows(panel);
      const lastIndex = rowsNow.findIndex((r) => r.seq === last);
      expect(Number(await panel.evaluate(selectedSeq))).toBe(rowsNow[lastIndex - 1]!.seq);
    } finally {
      await t.close();
    }
  });

  it('a secret typed in the Session view turns a forged cookie Rejected, with the reason', async () => {
    const flask = await app({ stack: 'modern' });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login');
      const forged = signFlaskCookie(py.dict([['user', py.str('mallory')]]), { secret: { text: 'not-the-app-key' } });
      if (!forged.ok) throw new Error(forged.error.message);
      await browser.context.addCookies([{ name: 'session', value: forged.value.cookie, url: flask.url, httpOnly: true }]);
      await call(page, 'GET', '/whoami?forged');
      let rows = await rowsWith(panel, '/whoami?forged');
      expect(rowOf(rows, '/whoami?forged').event).toBe('read'); // unverified: it looks fine
      expect(rowOf(rows, '/login').event).toBe('created');

      await typeSecretKey(panel, SECRET);
      await showTab(panel, 'Timeline');
      await panel.waitFor(
        `Array.from(document.querySelectorAll('${GRID} [role="row"][data-seq]')).some((r) => r.dataset.event === 'rejected' && r.textContent.includes('/whoami?forged'))`,
        { timeout: 10_000 },
      );
      rows = await timelineRows(panel);
      expect(rowOf(rows, '/whoami?forged').text).toContain('Rejected');
      const details = await openDetails(panel, rowOf(rows, '/whoami?forged').seq);
      expect(details.diagnostics).toContain('bad-signature');
      expect(details.text).toContain('Bad signature');
      expect((await openDetails(panel, rowOf(rows, '/login').seq)).text).toContain('Signature valid');
    } finally {
      await t.close();
    }
  });

  it('a permanent session with refresh on every request shows Refreshed each time', async () => {
    const flask = await app({ stack: 'modern', refreshEachRequest: true });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login-permanent');
      await page.goto(`${flask.url}/whoami`);
      await call(page, 'GET', '/has-user');
      await page.goto(`${flask.url}/?again`);
      const rows = await rowsWith(panel, '/?again');
      expect(rowOf(rows, '/login-permanent').event).toBe('created');
      expect(['/whoami', '/has-user', '/?again'].map((p) => rowOf(rows, p).event)).toEqual(['refreshed', 'refreshed', 'refreshed']);
      expect(rowOf(rows, '/has-user').text).toContain('Refreshed');
      const details = await openDetails(panel, rowOf(rows, '/?again').seq);
      expect(details.text).toMatch(/Persistent cookie/);
      expect(details.changes).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('Flask-Session on redis-server: new id, id kept, kept across login, deleted', async () => {
    redis ??= await startRedis();
    const flask = await app({ stack: 'modern', backend: 'redis', redisUrl: redis.dbUrl(5), useSigner: true });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login');
      await call(page, 'GET', '/whoami');
      await call(page, 'POST', '/modify');
      await call(page, 'POST', '/login?again');
      await call(page, 'POST', '/logout');
      const rows = await rowsWith(panel, '/logout');
      expect(['/login', '/whoami', '/modify', '/login?again', '/logout'].map((p) => `${rowOf(rows, p).event} ${p}`)).toEqual([
        'created /login',
        'refreshed /whoami',
        'refreshed /modify',
        'refreshed /login?again',
        'deleted /logout',
      ]);
      expect(rowOf(rows, '/login').text).toContain('new id');
      expect(rowOf(rows, '/modify').text).toContain('id kept');
      const relogin = await openDetails(panel, rowOf(rows, '/login?again').seq);
      expect(relogin.diagnostics).toContain('session-fixation');
      expect(relogin.text).toContain('Flask-Session id · signed');
    } finally {
      await t.close();
    }
  });

  it('Preserve log keeps the history across navigations; without it a navigation starts afresh', async () => {
    const flask = await app({ stack: 'modern' });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login');
      await page.goto(`${flask.url}/whoami?nav=1`);
      await page.reload();
      let rows = await rowsWith(panel, '/whoami?nav=1', 2);
      expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining(['/', '/login', '/whoami?nav=1']));

      await setCheckbox(panel, 'Preserve log', false);
      await call(page, 'POST', '/modify');
      await page.goto(`${flask.url}/whoami?nav=2`);
      await call(page, 'GET', '/has-user?after-nav');
      rows = await rowsWith(panel, '/has-user?after-nav');
      expect(rows.map((r) => r.path)).toEqual(['/whoami?nav=2', '/has-user?after-nav']);

      await setCheckbox(panel, 'Preserve log', true);
      await page.goto(`${flask.url}/whoami?nav=3`);
      rows = await rowsWith(panel, '/whoami?nav=3');
      expect(rows.map((r) => r.path)).toEqual(['/whoami?nav=2', '/has-user?after-nav', '/whoami?nav=3']);
    } finally {
      await t.close();
    }
  });

  it('keeps the history when the panel is hidden and shown, and when DevTools closes and reopens', async () => {
    const flask = await app({ stack: 'modern' });
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    let devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
    try {
      await page.goto(`${flask.url}/`);
      // Made while the panel was never shown: the devtools page records them.
      await call(page, 'POST', '/login');
      await call(page, 'POST', '/modify');
      let panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      await rowsWith(panel, '/modify');
      await panel.evaluate('window.__samePage = true');

      // Hide (another DevTools panel) and show again: the same page, the same rows.
      await devtools.evaluateFrontend(`DevToolsAPI.showPanel('network')`);
      await call(page, 'POST', '/cart-init');
      panel = await devtools.showPanel();
      expect(await panel.evaluate('window.__samePage === true')).toBe(true);
      const beforeClose = await rowsWith(panel, '/cart-init');
      expect(beforeClose.map((r) => `${r.event} ${r.path}`)).toEqual(['untouched /', 'created /login', 'modified /modify', 'modified /cart-init']);
      // The devtools page saves the history shortly after each batch (and once more on pagehide).
      await waitUntil('the history to hold /cart-init in storage.session', async () => (await savedExchanges(devtools)).some((e) => e.url.endsWith('/cart-init')));

      // Close DevTools, make a request nobody records, reopen: the backlog comes from storage.session.
      await devtools.close();
      await call(page, 'GET', '/whoami?unrecorded');
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      await call(page, 'POST', '/modify?after-reopen');
      panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      const afterReopen = await rowsWith(panel, '/modify?after-reopen');
      expect(afterReopen.map((r) => `${r.event} ${r.path}`)).toEqual([...beforeClose.map((r) => `${r.event} ${r.path}`), 'modified /modify?after-reopen']);
      expect(afterReopen.at(-1)!.seq).toBeGreaterThan(beforeClose.at(-1)!.seq);
      const modify = await openDetails(panel, afterReopen.at(-1)!.seq);
      expect(modify.changes).toEqual(['~ changed count: 1 → 2']);

      // Clear stays cleared after a reopen.
      await panel.evaluate(`Array.from(document.querySelectorAll('.tl-toolbar button')).find((b) => b.textContent === 'Clear').click()`);
      await panel.waitFor(`document.querySelector('${GRID}').getAttribute('aria-rowcount') === '1'`);
      await panel.waitFor(
        `chrome.storage.session.get(null).then((all) => Object.entries(all).some(([key, value]) => key.startsWith('sessionLens.timelineMark.') && value >= ${afterReopen.at(-1)!.seq}))`,
      );
      await devtools.close();
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      await call(page, 'GET', '/whoami?after-clear');
      panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      expect((await rowsWith(panel, '/whoami?after-clear')).map((r) => r.path)).toEqual(['/whoami?after-clear']);

      // Closed at once after a request shows (outside a burst, where saves are throttled): it is kept.
      await waitUntil('the last save to be older than the burst throttle', () =>
        devtools.evaluateDevtoolsPage<boolean>(
          `chrome.storage.session.get(null).then((all) => Object.entries(all).some(([key, value]) =>
             /^sessionLens[.]history[.]\\d+$/.test(key) && Date.now() - value.savedAt > ${DEFAULT_MIN_SAVE_INTERVAL_MS}))`,
        ),
      );
      await call(page, 'GET', '/whoami?just-before-close');
      await rowsWith(panel, '/whoami?just-before-close');
      await devtools.close();
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      expect((await rowsWith(panel, '/whoami?just-before-close')).map((r) => r.path)).toEqual(['/whoami?after-clear', '/whoami?just-before-close']);
    } finally {
      await devtools.close();
      await page.close();
    }
  });

  it('exports JSON and HAR, cookie values redacted unless asked for', async () => {
    const flask = await app({ stack: 'modern' });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await call(page, 'POST', '/login');
      await call(page, 'POST', '/modify');
      await rowsWith(panel, '/modify');
      const cookie = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!.value;
      await typeSecretKey(panel, SECRET);
      await showTab(panel, 'Timeline');
      await captureDownloads(panel);

      const json = await exportTimeline(panel, 'Export JSON');
      expect(json.name).toMatch(/^session-timeline-127\.0\.0\.1_\d+-\d{8}-\d{6}\.json$/);
      expect(json.text).not.toContain(cookie);
      expect(json.text).not.toContain(SECRET);
      const doc = JSON.parse(json.text) as { cookieValues: string; entries: { event: string; url: string; changes: unknown[] }[] };
      expect(doc.cookieValues).toBe('redacted');
      expect(doc.entries.find((e) => e.url.endsWith('/modify'))).toMatchObject({ event: 'modified', changes: [{ path: ['count'], kind: 'added' }] });

      const har = await exportTimeline(panel, 'Export HAR');
      expect(har.name).toMatch(/\.har$/);
      expect(har.text).not.toContain(cookie);
      const log = (JSON.parse(har.text) as { log: { version: string; entries: { request: { url: string } }[] } }).log;
      expect(log.version).toBe('1.2');
      expect(log.entries.map((e) => new URL(e.request.url).pathname).filter((p) => p !== '/favicon.ico')).toEqual(['/', '/login', '/modify']);

      await setCheckbox(panel, 'Include cookie values', true);
      const withValues = await exportTimeline(panel, 'Export JSON');
      expect(withValues.text).toContain(cookie);
      expect(withValues.text).not.toContain(SECRET);
    } finally {
      await t.close();
    }
  });
});

// Last: the grant applies to 127.0.0.1 on every port for the rest of this browser's life.
describe('Timeline with host access', () => {
  it('lists cookie-jar writes and removals that no response explains, not the ones responses made', async () => {
    const flask = await app({ stack: 'modern' });
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
      await panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted'`, { timeout: 10_000 });
      await call(page, 'POST', '/login');
      await call(page, 'POST', '/modify');
      await rowsWith(panel, '/modify');
      // The jar changes those responses caused are matched to them: no jar rows.
      await panel.waitFor(`window.__sessionLens.state().jarChanges.length >= 2`, { timeout: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await timelineRows(panel)).filter((r) => r.kind === 'jar')).toEqual([]);

      // Something other than the app writes the cookie, then removes it.
      const forged = signFlaskCookie(py.dict([['user', py.str('mallory')]]), { secret: { text: 'not-the-app-key' } });
      if (!forged.ok) throw new Error(forged.error.message);
      await browser.context.addCookies([{ name: 'session', value: forged.value.cookie, url: flask.url, httpOnly: true }]);
      await panel.waitFor(`Array.from(document.querySelectorAll('${GRID} [role="row"][data-kind="jar"]')).some((r) => r.dataset.event === 'overwritten')`, {
        timeout: 10_000,
      });
      await browser.context.clearCookies();
      await panel.waitFor(`Array.from(document.querySelectorAll('${GRID} [role="row"][data-kind="jar"]')).some((r) => r.dataset.event === 'removed')`, {
        timeout: 10_000,
      });
      const jarRows = (await timelineRows(panel)).filter((r) => r.kind === 'jar');
      expect(jarRows.map((r) => r.event)).toEqual(['overwritten', 'removed']);
      expect(jarRows[0]!.text).toContain('Overwritten');
      expect(jarRows[0]!.path).toBe('session (cookie jar, 127.0.0.1)');
      const details = await openDetails(panel, jarRows[0]!.seq, 'jar');
      expect(details.diagnostics).toEqual(['cookie-written-outside-responses']);
      expect(details.text).toContain(forged.value.cookie);
    } finally {
      await t.close();
    }
  });
});
