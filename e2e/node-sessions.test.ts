/**
 * Sessions from real Express apps (test/support/node-session-apps.ts: Express 5 with
 * express-session, and with cookie-session), inside real Chromium DevTools: the Session view
 * recognises each, verifies it with the app's secret (cookie-session: through the session.sig
 * cookie it pairs by itself), and the Timeline follows login → cart → whoami → logout as each
 * middleware answers them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressApp } from '../test/support/express-app';
import { startNodeSessionApp } from '../test/support/node-session-apps';
import { launchBrowserWithExtension, type LaunchedBrowser } from './support';
import { SESSION_VIEW, typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { openDetails, rowOf, rowsWith, showTab, timelineFor } from './timeline-helpers';

const EXPRESS_SECRET = 'express-session-e2e-secret';
const COOKIE_SESSION_KEY = 'cookie-session-e2e-key';
/** express-session's README example secret: in the built-in list of published secrets. */
const PUBLISHED = 'keyboard cat';

let browser: LaunchedBrowser;
let expressSession: ExpressApp;
let cookieSession: ExpressApp;
const published: ExpressApp[] = [];

beforeAll(async () => {
  [browser, expressSession, cookieSession] = await Promise.all([
    launchBrowserWithExtension(),
    startNodeSessionApp('express-session', [EXPRESS_SECRET]),
    startNodeSessionApp('cookie-session', [COOKIE_SESSION_KEY]),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([expressSession?.stop(), cookieSession?.stop(), ...published.map((app) => app.stop())]);
});

const JOURNEY = ['/login', '/cart', '/whoami', '/logout'];

describe('Express sessions, in real DevTools', () => {
  it('express-session: the signed id is verified with the secret; the store-backed session is followed by its cookie', async () => {
    const t = await timelineFor(browser, expressSession);
    try {
      const { page, panel } = t;
      await page.goto(`${expressSession.url}/login`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'express-session id · signed id'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual(['connect.sid']);
      await waitForVerdict(panel, "Not verified — paste the app's secret");
      const facts = await panel.texts('.session-facts > div');
      expect(facts.find((f) => f.startsWith('Id shape'))).toContain('uid-safe');

      await typeSecret(panel, 0, 'not the secret');
      await waitForVerdict(panel, 'Signature invalid for this key');
      await typeSecret(panel, 0, EXPRESS_SECRET);
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');

      for (const path of JOURNEY.slice(1)) await page.goto(`${expressSession.url}${path}`);
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/logout');
      const journey = JOURNEY.map((p) => rowOf(rows, p));
      // resave and saveUninitialized off, no cookie.maxAge: only login and logout touch the cookie.
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /login', 'untouched /cart', 'untouched /whoami', 'deleted /logout']);
      const login = await openDetails(panel, journey[0]!.seq);
      expect(login.text).toContain('Signature valid');
    } finally {
      await t.close();
    }
  });

  it('cookie-session: the session is read without a key, verified through session.sig, and each change is a diff', async () => {
    const t = await timelineFor(browser, cookieSession);
    try {
      const { page, panel } = t;
      await page.goto(`${cookieSession.url}/login?user=grace`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'cookie-session'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual(['session']);
      await waitForVerdict(panel, "Not verified — paste the app's keys");
      await waitForTreeItems(panel, ['user: "grace"']);
      expect(await panel.texts('.segments > div')).toContainEqual(expect.stringMatching(/^Signature \(\.sig cookie\)[A-Za-z0-9_-]{27}$/));

      await typeSecret(panel, 0, 'not the key');
      await waitForVerdict(panel, 'Signature invalid for this key');
      await typeSecret(panel, 0, COOKIE_SESSION_KEY);
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');

      for (const path of JOURNEY.slice(1)) await page.goto(`${cookieSession.url}${path}`);
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/logout');
      const journey = ['/login?user=grace', ...JOURNEY.slice(1)].map((p) => rowOf(rows, p));
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /login?user=grace', 'modified /cart', 'untouched /whoami', 'deleted /logout']);
      const cart = await openDetails(panel, journey[1]!.seq);
      expect(cart.changes).toContainEqual(expect.stringContaining('cart'));
      expect(cart.changes.join('\n')).toContain('"apple"');
      expect(cart.text).toContain('Signature valid');
    } finally {
      await t.close();
    }
  });
});

describe('Check for a known secret on Express sessions, in real DevTools', () => {
  it.each(['express-session', 'cookie-session'] as const)('%s signed with a published secret: found, filled in, verified', async (kind) => {
    const app = await startNodeSessionApp(kind, [PUBLISHED]);
    published.push(app);
    const t = await timelineFor(browser, app);
    try {
      const { page, panel } = t;
      await page.goto(`${app.url}/login`);
      await showTab(panel, 'Session');
      await panel.waitFor(`window.__sessionLens.state().knownSecret.target !== null`, { timeout: 20_000 });
      await panel.click('#known-secret-check');
      await panel.waitFor(`window.__sessionLens.state().secretAudit.status === 'found'`, { timeout: 30_000 });
      const result = await panel.text('#known-secret-result');
      expect(result).toContain(`Known secret found: the app's ${kind === 'express-session' ? 'secret' : 'keys'} is public`);
      expect(result).toContain('entry');
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    } finally {
      await t.close();
    }
  });
});
