/**
 * The Session view inside real Chromium DevTools, against the real demo Flask app (both stacks)
 * and Flask-Session on a real redis-server. Needs the build in dist/ (or SESSION_LENS_DIST).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowserWithExtension, openDevToolsOnly, type DevToolsHandle, type LaunchedBrowser, type PanelHandle } from './support';
import { grantHostAccess } from './support/host-access';
import { SESSION_VIEW, typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { startFlaskApp, startRedis, type FlaskApp, type RedisServer } from '../test/support/services';

const NOT_VERIFIED = "Not verified — paste the app's SECRET_KEY";

let browser: LaunchedBrowser;
const apps: FlaskApp[] = [];
let redis: RedisServer | undefined;
const open: { page: Page; devtools: DevToolsHandle }[] = [];

beforeAll(async () => {
  browser = await launchBrowserWithExtension();
});

afterEach(async () => {
  for (const { page, devtools } of open.splice(0)) {
    await devtools.close();
    await page.close();
  }
  // Every app listens on 127.0.0.1, and cookies ignore ports: start each test with an empty jar.
  await browser.context.clearCookies();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(apps.map((app) => app.stop()));
  await redis?.stop();
});

async function app(options: Parameters<typeof startFlaskApp>[0]): Promise<FlaskApp> {
  const started = await startFlaskApp(options);
  apps.push(started);
  return started;
}

/** A new tab on `url` with DevTools open (the panel not shown yet). */
async function inspect(url: string): Promise<{ page: Page; devtools: DevToolsHandle }> {
  const page = await browser.context.newPage();
  await page.goto(url);
  const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
  open.push({ page, devtools });
  return { page, devtools };
}

/** The app's session cookie as the browser holds it (Playwright reads HttpOnly cookies too). */
async function cookieValue(origin: string): Promise<string> {
  const cookie = (await browser.context.cookies(origin)).find((c) => c.name === 'session');
  if (!cookie) throw new Error(`no session cookie for ${origin}`);
  return cookie.value;
}

const post = (page: Page, path: string) => page.evaluate((p) => fetch(p, { method: 'POST' }).then((r) => r.json()), path);

describe('Session view in real DevTools, demo Flask app', () => {
  it('Debian stack: HttpOnly cookie from traffic, decoded unverified, then valid with the right key and invalid with a wrong one', async () => {
    const flask = await app({ stack: 'debian', secretKey: 'debian-secret' });
    const { page, devtools } = await inspect(`${flask.url}/`);
    // The session is created while the panel has never been shown: a document response sets it.
    await page.goto(`${flask.url}/login`);
    await post(page, '/rich');
    expect(await devtools.panelPageExists()).toBe(false);

    const panel = await devtools.showPanel();
    await waitForTreeItems(panel, [
      "user: 'alice'",
      "tuple: ('admin', 'dev', 3)",
      "bytes: b'\\x00\\x01binary\\xff'",
      "markup: '<b>bold</b> &amp; safe'",
      'uuid: 12345678-1234-5678-1234-567812345678',
      'when: 2024-02-29 12:34:56+00:00',
      `big_int: ${2n ** 70n}`,
    ]);
    expect(await waitForVerdict(panel, NOT_VERIFIED)).toBe(NOT_VERIFIED);
    // Type badges, and the Markup value shown as text, never as markup.
    expect(await panel.evaluate(`Array.from(document.querySelectorAll('[role="treeitem"][aria-description]'), (e) => e.getAttribute('aria-description'))`)).toEqual(
      ['int > 2⁵³', 'bytes', 'Markup', 'tuple', 'UUID', 'datetime'],
    );
    expect(await panel.evaluate(`document.querySelector('[role="tree"] b')`)).toBeNull();

    // Found without host access, from the Set-Cookie of the traffic; HttpOnly included.
    const attributes = await panel.evaluate<Record<string, string>>(SESSION_VIEW.facts('attributes'));
    expect(attributes).toMatchObject({ HttpOnly: 'yes', Path: '/' });
    // The latest sighting: the /rich response, or a later request (the favicon) that sent it back.
    expect(['Set-Cookie response', 'Cookie request header']).toContain(attributes['Seen in']);
    const value = await cookieValue(flask.url);
    expect(attributes.Size).toBe(`${'session'.length + value.length} of 4093 bytes`);
    expect(await panel.evaluate(SESSION_VIEW.hostAccessButton)).toBe(`Allow reading cookies on ${flask.url}`);
    expect(await panel.evaluate(SESSION_VIEW.formatBadge)).toBe(value.startsWith('.') ? 'Flask signed cookie · zlib-compressed' : 'Flask signed cookie');

    await typeSecret(panel, 0, 'debian-secret');
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    await typeSecret(panel, 0, 'not-the-secret');
    await waitForVerdict(panel, 'Signature invalid for this key');

    // The panel follows the session as the app changes it.
    await typeSecret(panel, 0, 'debian-secret');
    await post(page, '/modify');
    await waitForTreeItems(panel, ['count: 1']);
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    expect(await cookieValue(flask.url)).not.toBe(value);
  });

  it('modern stack with SECRET_KEY_FALLBACKS: a cookie signed with the old key is valid with the fallback, and the key is named', async () => {
    const [before, rotated] = await Promise.all([
      app({ stack: 'modern', secretKey: 'old-key' }),
      app({ stack: 'modern', secretKey: 'new-key', fallbacks: ['old-key'] }),
    ]);
    // Signed by the app before the rotation (same host, so the browser sends it to both).
    const setup = await browser.context.newPage();
    await setup.goto(`${before.url}/`);
    await post(setup, '/login');
    await setup.close();
    const signedByOldKey = await cookieValue(before.url);

    const { page, devtools } = await inspect(`${rotated.url}/`);
    // Flask 3.1 accepts it through SECRET_KEY_FALLBACKS and does not rewrite it.
    expect(await page.evaluate(() => fetch('/whoami').then((r) => r.json()))).toEqual({ user: 'alice' });
    const panel = await devtools.showPanel();
    await waitForTreeItems(panel, ["user: 'alice'"]);
    // Only a request Cookie header carried it: no attributes to show.
    expect(await panel.evaluate<Record<string, string>>(SESSION_VIEW.facts('attributes'))).toMatchObject({ 'Seen in': 'Cookie request header' });

    await typeSecret(panel, 0, 'new-key');
    await waitForVerdict(panel, 'Signature invalid for this key');
    await typeSecret(panel, 1, 'old-key');
    const verdict = await waitForVerdict(panel, 'Signature valid (key 2 of 2)');
    expect(verdict).toContain('SECRET_KEY_FALLBACKS[0]');
    await typeSecret(panel, 1, 'older-key');
    await waitForVerdict(panel, 'Signature invalid for all 2 keys');
    expect(await cookieValue(rotated.url)).toBe(signedByOldKey);
  });
});

describe('Flask-Session on a real redis-server', () => {
  it.each([
    { stack: 'modern' as const, signed: true },
    { stack: 'debian' as const, signed: false },
  ])('$stack stack, signed ids: $signed — shows the id, verified when signed', async ({ stack, signed }) => {
    redis ??= await startRedis();
    const flask = await app({ stack, backend: 'redis', redisUrl: redis.dbUrl(stack === 'modern' ? 1 : 2), useSigner: signed, secretKey: 'fs-secret' });
    const { page, devtools } = await inspect(`${flask.url}/`);
    await post(page, '/login');
    const panel = await devtools.showPanel();
    const value = await cookieValue(flask.url);
    const sid = signed ? value.slice(0, value.lastIndexOf('.')) : value;

    await panel.waitFor(`(${SESSION_VIEW.facts('session-facts')})['Session id'] === ${JSON.stringify(sid)}`, { timeout: 10_000 });
    const facts = await panel.evaluate<Record<string, string>>(SESSION_VIEW.facts('session-facts'));
    expect(facts['Issued by']).toBe(stack === 'modern' ? 'Flask-Session ≥ 0.6 (43-character token ids)' : 'Flask-Session 0.2 – 0.5 (uuid4 ids)');
    // The id is the key of the session in redis.
    expect(await redis.commandInDb(stack === 'modern' ? 1 : 2, 'EXISTS', `session:${sid}`)).toBe(1);

    if (signed) {
      expect(await panel.evaluate(SESSION_VIEW.formatBadge)).toBe('Flask-Session id · signed');
      await waitForVerdict(panel, NOT_VERIFIED);
      await typeSecret(panel, 0, 'fs-secret');
      await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
      await typeSecret(panel, 0, 'other');
      await waitForVerdict(panel, 'Signature invalid for this key');
    } else {
      expect(await panel.evaluate(SESSION_VIEW.formatBadge)).toBe('Flask-Session id · unsigned');
      await waitForVerdict(panel, 'Unsigned session id — nothing to verify');
    }
  });
});

// Last: the grant applies to 127.0.0.1 on every port for the rest of this browser's life.
describe('host access', () => {
  it('a session that existed before DevTools opened shows once host access is granted, read from the jar; the button asks for it', async () => {
    const flask = await app({ stack: 'modern', secretKey: 'jar-secret' });
    const setup = await browser.context.newPage();
    await setup.goto(`${flask.url}/`);
    await post(setup, '/login');
    await setup.close();

    const { devtools } = await inspect(`${flask.url}/`);
    const panel: PanelHandle = await devtools.showPanel();
    const button = JSON.stringify(`Allow reading cookies on ${flask.url}`);
    // The index page neither reads nor sets the session: the traffic has no trace of it.
    await panel.waitFor(`!!document.querySelector('#no-session') && ${SESSION_VIEW.hostAccessButton} === ${button}`, { timeout: 10_000 });

    // Granted elsewhere (the harness stands in for Chromium's dialog): the panel notices at once.
    await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
    await waitForTreeItems(panel, ["user: 'alice'"]);
    expect(await panel.evaluate<Record<string, string>>(SESSION_VIEW.facts('attributes'))).toMatchObject({
      'Seen in': 'cookie jar',
      HttpOnly: 'yes',
      Domain: '127.0.0.1',
    });
    expect(await panel.evaluate(SESSION_VIEW.hostAccessButton)).toBeNull();
    await typeSecret(panel, 0, 'jar-secret');
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');

    // Revoked: back to traffic only, and the button is offered again.
    const extensionPage = await browser.context.newPage();
    await extensionPage.goto(`chrome-extension://${browser.extensionId}/manifest.json`);
    expect(await extensionPage.evaluate(() => chrome.permissions.remove({ origins: ['http://127.0.0.1/*'] }))).toBe(true);
    await extensionPage.close();
    await panel.waitFor(`!!document.querySelector('#no-session') && ${SESSION_VIEW.hostAccessButton} === ${button}`, { timeout: 10_000 });

    // The button itself: Chromium grants again without a dialog what the user granted before.
    await panel.click('#host-access button');
    await waitForTreeItems(panel, ["user: 'alice'"]);
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
  });
});
