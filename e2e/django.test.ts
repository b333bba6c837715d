/**
 * A Django session from a real Django app (test/python/django_app.py: Debian's Django 3.2 on the
 * signed_cookies backend, served over WSGI), inside real Chromium DevTools: the Session view reads
 * the session and verifies it with SECRET_KEY (with the panel's Flask signer settings left as
 * they are); the Timeline follows login → cart → whoami → logout with each step's event and diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDjangoApp, type DjangoApp } from '../test/support/django-app';
import { launchBrowserWithExtension, type LaunchedBrowser } from './support';
import { SESSION_VIEW, typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { openDetails, rowOf, rowsWith, showTab, timelineFor } from './timeline-helpers';

const SECRET_KEY = 'django-e2e-secret-key';

let browser: LaunchedBrowser;
let app: DjangoApp;
let database: DjangoApp;

beforeAll(async () => {
  [browser, app, database] = await Promise.all([
    launchBrowserWithExtension(),
    startDjangoApp({ secretKey: SECRET_KEY }),
    startDjangoApp({ secretKey: SECRET_KEY, engine: 'db' }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.stop(), database?.stop()]);
});

describe('a Django signed_cookies session from a real Django app, in real DevTools', () => {
  it('decodes the session, verifies it with SECRET_KEY, and follows each request', async () => {
    expect(app.django).toMatch(/^3\.2\./);
    const t = await timelineFor(browser, app);
    try {
      const { page, panel } = t;
      await page.goto(`${app.url}/login/`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'Django session · signed_cookies'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual(['sessionid']);
      await waitForVerdict(panel, "Not verified — paste the app's SECRET_KEY");
      await waitForTreeItems(panel, ['user_id: 42', "username: 'alice'"]);
      const facts = await panel.texts('.session-facts > div');
      expect(facts.find((f) => f.startsWith('Expires (SESSION_COOKIE_AGE 14d)'))).toMatch(/in 13d 23h|in 14d/);

      await typeSecret(panel, 0, 'not-the-secret-key');
      await waitForVerdict(panel, 'Signature invalid for this key');
      await typeSecret(panel, 0, SECRET_KEY);
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');

      for (const path of ['/cart/', '/whoami/', '/logout/']) await page.goto(`${app.url}${path}`);
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/logout/');
      const journey = ['/login/', '/cart/', '/whoami/', '/logout/'].map((p) => rowOf(rows, p));
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /login/', 'modified /cart/', 'read /whoami/', 'deleted /logout/']);
      const cart = await openDetails(panel, journey[1]!.seq);
      expect(cart.changes).toContainEqual(expect.stringContaining("added cart: ['A1']"));
      expect(cart.text).toContain('Signature valid');
    } finally {
      await t.close();
    }
  });
});

describe('a Django database-backed session (SQLite), in real DevTools', () => {
  it('recognises the opaque session key and follows it: created, refreshed, read, deleted', async () => {
    const t = await timelineFor(browser, database);
    try {
      const { page, panel } = t;
      await page.goto(`${database.url}/login/`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'Django session · server-side session key'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual(['sessionid']);
      await waitForVerdict(panel, 'Server-side session key — nothing to verify');
      const facts = await panel.texts('.session-facts > div');
      expect(facts[0]).toMatch(/^Session key[a-z0-9]{32}$/);

      for (const path of ['/cart/', '/whoami/', '/logout/']) await page.goto(`${database.url}${path}`);
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/logout/');
      const journey = ['/login/', '/cart/', '/whoami/', '/logout/'].map((p) => rowOf(rows, p));
      // The key stays the same while the data changes on the server: Django re-sends it when the session is modified.
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /login/', 'refreshed /cart/', 'read /whoami/', 'deleted /logout/']);
    } finally {
      await t.close();
    }
  });
});
