/**
 * A Rails session from a real Rack app on Rails' own cookie jar and CookieStore session
 * (test/ruby/rails_app.rb: Debian's ActionPack 6.1 under WEBrick, keys of load_defaults 7.x), inside
 * real Chromium DevTools: the Session view recognises the encrypted cookie, opens it with the app's
 * secret_key_base and shows the session; the Timeline follows login → cart → whoami → logout as
 * Rails answers them (it re-sends the cookie on every request, and reset_session sends a new one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAILS_SESSION_COOKIE, startRailsApp, type RailsApp } from '../test/support/rails-app';
import { launchBrowserWithExtension, type LaunchedBrowser } from './support';
import { SESSION_VIEW, typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { openDetails, rowOf, rowsWith, showTab, timelineFor } from './timeline-helpers';

const SECRET_KEY_BASE = `${'e2e'.repeat(20)}-rails-secret-key-base`;

let browser: LaunchedBrowser;
let app: RailsApp;

beforeAll(async () => {
  [browser, app] = await Promise.all([launchBrowserWithExtension(), startRailsApp({ secretKeyBase: SECRET_KEY_BASE })]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a Rails CookieStore session from a real Rack app, in real DevTools', () => {
  it('opens the encrypted session with secret_key_base and follows each request', async () => {
    expect(app.actionpack).toMatch(/^6\.1\./);
    const t = await timelineFor(browser, app);
    try {
      const { page, panel } = t;
      await page.goto(`${app.url}/login?user=grace`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'Rails cookie · AES-256-GCM'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual([RAILS_SESSION_COOKIE]);
      await waitForVerdict(panel, "Not verified — paste the app's secret_key_base");
      expect(await panel.texts('#payload-hint')).toEqual(["Encrypted: paste the app's secret_key_base to read it."]);

      await typeSecret(panel, 0, 'not the secret_key_base');
      await waitForVerdict(panel, 'Signature invalid for this key');
      await typeSecret(panel, 0, SECRET_KEY_BASE);
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
      await waitForTreeItems(panel, ['user: "grace"']);
      const facts = await panel.texts('.session-facts > div');
      expect(facts).toContain('Purposecookie._demo_session');
      expect(facts.find((f) => f.startsWith('Key derivation'))).toContain('SHA256');

      for (const path of ['/cart?add=pear', '/whoami', '/logout']) await page.goto(`${app.url}${path}`);
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/logout');
      const journey = ['/login?user=grace', '/cart?add=pear', '/whoami', '/logout'].map((p) => rowOf(rows, p));
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /login?user=grace', 'modified /cart?add=pear', 'refreshed /whoami', 'modified /logout']);
      const cart = await openDetails(panel, journey[1]!.seq);
      expect(cart.changes.join('\n')).toContain('"pear"');
      expect(cart.text).toContain('Signature valid');
      const logout = await openDetails(panel, journey[3]!.seq);
      expect(logout.changes).toContainEqual(expect.stringContaining('removed user'));
    } finally {
      await t.close();
    }
  });
});
