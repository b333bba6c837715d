/**
 * A JWT session cookie from a real Express app (test/support/express-app.ts: Express 5,
 * jsonwebtoken, cookie-parser), inside real Chromium DevTools: the Session view reads the claims
 * as JSON and verifies them with the app's secret; the Timeline follows login → refresh → read →
 * promote → logout with each step's event and the claims that changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_COOKIE, startExpressApp, type ExpressApp } from '../test/support/express-app';
import { launchBrowserWithExtension, waitUntil, type LaunchedBrowser } from './support';
import { SESSION_VIEW, typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { openDetails, rowOf, rowsWith, showTab, timelineFor } from './timeline-helpers';

const SECRET = 'express-jwt-e2e-secret';

let browser: LaunchedBrowser;
let app: ExpressApp;

beforeAll(async () => {
  [browser, app] = await Promise.all([launchBrowserWithExtension(), startExpressApp({ jwtSecret: SECRET })]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a JWT session from a real Express app, in real DevTools', () => {
  it('shows the claims as JSON, verifies them with the secret, and follows each request', async () => {
    const t = await timelineFor(browser, app);
    try {
      const { page, panel } = t;
      await page.goto(`${app.url}/jwt/login`);
      await showTab(panel, 'Session');
      await panel.waitFor(`document.querySelector('#format-badge')?.textContent === 'JWT · HS256'`);
      expect(await panel.evaluate<string[]>(SESSION_VIEW.candidates)).toEqual([JWT_COOKIE]);
      await waitForVerdict(panel, 'Not verified — paste the secret the app signs its tokens with');
      await waitForTreeItems(panel, ['sub: "ada"', 'role: "user"', 'alg: "HS256"']);
      const tree = (label: string) => panel.evaluate<string[]>(`Array.from(document.querySelectorAll('[role="tree"][aria-label="${label}"] [role="treeitem"]'), (e) => e.textContent)`);
      expect((await tree('Claims')).map((i) => i.split(':')[0])).toEqual(['sub', 'role', 'iat', 'exp']);
      expect(await tree('Header')).toEqual(['alg: "HS256"', 'typ: "JWT"']);
      const facts = await panel.texts('.session-facts > div');
      expect(facts[0]).toBe('AlgorithmHS256');
      expect(facts.find((f) => f.startsWith('Expires (exp)'))).toMatch(/in (59m|1h)/);

      await typeSecret(panel, 0, 'not the secret');
      await waitForVerdict(panel, 'Signature invalid for this key');
      await typeSecret(panel, 0, SECRET);
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');

      // jsonwebtoken's iat is in whole seconds: wait for the next one, so the refresh re-signs with a new iat.
      const loginIat = (await panel.evaluate<string>(`${SESSION_VIEW.treeItems}.find((i) => i.startsWith('iat:'))`)).slice('iat: '.length);
      await waitUntil('the clock to pass the login token\'s second', () => Date.now() >= (Number(loginIat) + 1) * 1000, { interval: 50 });
      for (const path of ['/jwt/refresh', '/jwt/whoami', '/jwt/promote', '/jwt/logout']) await page.goto(`${app.url}${path}`);

      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/jwt/logout');
      const journey = ['/jwt/login', '/jwt/refresh', '/jwt/whoami', '/jwt/promote', '/jwt/logout'].map((p) => rowOf(rows, p));
      expect(journey.map((r) => `${r.event} ${r.path}`)).toEqual(['created /jwt/login', 'refreshed /jwt/refresh', 'untouched /jwt/whoami', 'modified /jwt/promote', 'deleted /jwt/logout']);

      const refresh = await openDetails(panel, journey[1]!.seq);
      expect(refresh.changes.some((c) => c.includes('changed iat:') && c.includes(loginIat))).toBe(true);
      expect(refresh.text).toContain('Signature valid');
      const promote = await openDetails(panel, journey[3]!.seq);
      expect(promote.changes).toContainEqual(expect.stringContaining('changed role: "user" → "admin"'));
      expect(promote.text).toContain('"admin"');
    } finally {
      await t.close();
    }
  });
});
