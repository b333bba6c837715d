/**
 * UI details of the Session view, with the panel page opened as a tab and a fake `devtools`
 * object feeding it HAR entries (cookies signed here with the core). The real `chrome.storage`,
 * `chrome.permissions` and `chrome.cookies` are used. The real-DevTools tests are in
 * session-panel.test.ts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTypedJson, signFlaskCookie, signFlaskSessionId, type DigestName, type PyValue } from '../src/core';
import { fakeHarEntry, launchBrowserWithExtension, openPanelAsTab, type FakeDevtools, type LaunchedBrowser, type PanelTab } from './support';

const NOT_VERIFIED = "Not verified — paste the app's SECRET_KEY";
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;

let browser: LaunchedBrowser;

beforeAll(async () => {
  browser = await launchBrowserWithExtension();
});

afterAll(async () => {
  await browser?.close();
});

function sign(payload: PyValue | string, options: { secret?: string; hex?: string; timestamp?: number; digest?: DigestName; salt?: string } = {}): string {
  const value = typeof payload === 'string' ? parseTypedJson(payload) : payload;
  const secret = options.hex !== undefined ? { hex: options.hex } : { text: options.secret ?? 'k' };
  const signed = signFlaskCookie(value, { secret, timestamp: options.timestamp ?? NOW - 60, digest: options.digest, salt: options.salt });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.cookie;
}

/** A timestamped cookie around any payload segment, signed as itsdangerous' Signer does with Flask's salt. */
function signedRaw(payloadSegment: string, timestamp: number): string {
  const ts = Buffer.from(timestamp.toString(16).padStart(8, '0'), 'hex').toString('base64url');
  const signed = signFlaskSessionId(`${payloadSegment}.${ts}`, { secret: { text: 'k' }, salt: 'cookie-session' });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value;
}

let originPort = 6000;
/** The panel as a tab for a fresh origin (settings are per origin), with these Set-Cookie headers in its backlog. */
async function panelWith(setCookies: string[], fake: FakeDevtools = {}): Promise<PanelTab & { origin: string }> {
  const origin = `http://127.0.0.1:${(originPort += 1)}`;
  const tab = await openPanelAsTab(browser.context, browser.extensionId, {
    inspectedOrigin: origin,
    har: [fakeHarEntry('GET', `${origin}/`, 200, { resourceType: 'document', responseHeaders: setCookies.map((c) => ['Set-Cookie', c]) })],
    ...fake,
  });
  return Object.assign(tab, { origin });
}

const status = (page: Page) => page.getByRole('status');
const treeItems = (page: Page) => page.getByRole('tree').getByRole('treeitem');
const secretKey = (page: Page) => page.getByLabel('Secret key', { exact: true });
const advanced = (page: Page) => page.locator('details.advanced > summary');

async function stubClipboard(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { copied: string[] };
    w.copied = [];
    navigator.clipboard.writeText = async (text: string) => void w.copied.push(text);
  });
}
const copied = (page: Page) => page.evaluate(() => (window as unknown as { copied: string[] }).copied);

describe('Session view (panel page in a tab)', () => {
  it('keeps the accessibility contract; verdict follows typing; the tree is keyboard-driven; copies value and $type JSON', async () => {
    const cookie = sign('{"user": "alice", "roles": {"$type": "tuple", "items": ["admin", "dev"]}, "ratio": 1.0}');
    const tab = await panelWith([`session=${cookie}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax`]);
    const { page } = tab;
    try {
      // Flask writes the keys sorted.
      await expect.poll(() => treeItems(page).allTextContents()).toEqual(['ratio: 1.0', "roles: ('admin', 'dev')", "0: 'admin'", "1: 'dev'", "user: 'alice'"]);
      // Accessible names read "key: value" too; the type is the description.
      await expect.poll(() => page.getByRole('treeitem', { name: "roles: ('admin', 'dev')", exact: true }).getAttribute('aria-description')).toBe('tuple');
      await expect.poll(() => status(page).textContent()).toBe(NOT_VERIFIED);

      await secretKey(page).fill('wrong');
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature invalid for this key/);
      await secretKey(page).fill('k');
      await expect.poll(() => status(page).textContent()).toBe('Signature valid (key 1 of 1)');

      // ARIA tree pattern: roving focus, arrows open/close and move, Home/End.
      const focused = () => page.evaluate(() => document.activeElement?.textContent ?? null);
      await treeItems(page).first().focus();
      await page.keyboard.press('ArrowDown');
      expect(await focused()).toBe("roles: ('admin', 'dev')");
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => treeItems(page).allTextContents()).toEqual(['ratio: 1.0', "roles: ('admin', 'dev')", "user: 'alice'"]);
      expect(await page.getByRole('treeitem', { name: "roles: ('admin', 'dev')", exact: true }).getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await focused()).toBe("0: 'admin'");
      await page.keyboard.press('ArrowLeft');
      expect(await focused()).toBe("roles: ('admin', 'dev')");
      await page.keyboard.press('End');
      expect(await focused()).toBe("user: 'alice'");
      await page.keyboard.press('Home');
      expect(await focused()).toBe('ratio: 1.0');
      expect(await page.locator('[role="treeitem"][tabindex="0"]').count()).toBe(1);

      await stubClipboard(page);
      await page.keyboard.press('ArrowDown');
      await page.getByRole('button', { name: 'Copy as JSON', exact: true }).click();
      await page.getByRole('button', { name: 'Copy payload as JSON' }).click();
      await treeItems(page).last().click();
      await page.getByRole('button', { name: 'Copy value' }).click();
      const [roles, payload, user] = await copied(page);
      expect(JSON.parse(roles!)).toEqual({ $type: 'tuple', items: ['admin', 'dev'] });
      expect(payload).toContain('"ratio": 1.0');
      expect(JSON.parse(payload!)).toEqual({ user: 'alice', roles: { $type: 'tuple', items: ['admin', 'dev'] }, ratio: 1 });
      expect(user).toBe('alice');

      const attributes = await page.locator('dl.attributes').innerText();
      expect(attributes).toMatch(/Expires \/ Max-Age\s+Max-Age=3600 \(1h\) → \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, in (1h|59m \d+s)/);
      expect(attributes).toMatch(/Secure\s+yes/);
      expect(attributes).toMatch(/SameSite\s+Lax/);
      await page.getByText('Raw value').click();
      expect(await page.locator('dl.segments dd').allTextContents()).toEqual(cookie.split('.'));
    } finally {
      await tab.close();
    }
  });

  it('lists several candidates, pins one per origin (kept across reloads); remember writes storage.local, Forget wipes both', async () => {
    const tab = await panelWith([`session=${sign('{"user": "alice"}')}`, `remember_token=${sign('{"id": 7}')}`, 'theme=dark']);
    const { page } = tab;
    const candidates = () => page.locator('.candidates li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.cookie));
    const stored = () =>
      page.evaluate(async (key) => ({
        session: (await chrome.storage.session.get(key))[key] as { secrets: { value: string }[]; pinnedCookie: string | null } | undefined,
        local: (await chrome.storage.local.get(key))[key] as { secrets: { value: string }[] } | undefined,
      }), `sessionLens.settings.${tab.origin}`);
    try {
      await expect.poll(candidates).toEqual(['session', 'remember_token']);
      await expect.poll(() => page.locator('#cookie-name').textContent()).toBe('session');
      await page.getByRole('button', { name: "Pin remember_token as this site's session cookie" }).click();
      await expect.poll(candidates).toEqual(['remember_token', 'session']);
      await expect.poll(() => treeItems(page).allTextContents()).toEqual(['id: 7']);
      await expect.poll(async () => (await stored()).session?.pinnedCookie).toBe('remember_token');

      await secretKey(page).fill('kept-in-memory');
      await expect.poll(async () => (await stored()).session?.secrets[0]?.value).toBe('kept-in-memory');
      expect((await stored()).local).toBeUndefined();
      await page.getByLabel('Remember on this device').check();
      await expect.poll(async () => (await stored()).local?.secrets[0]?.value).toBe('kept-in-memory');
      await page.getByLabel('Remember on this device').uncheck();
      await expect.poll(async () => (await stored()).local).toBeUndefined();

      await page.reload();
      await expect.poll(() => page.locator('#cookie-name').textContent()).toBe('remember_token');
      await expect.poll(() => secretKey(page).inputValue()).toBe('kept-in-memory');

      await page.getByLabel('Remember on this device').check();
      await expect.poll(async () => (await stored()).local).toBeDefined();
      await page.getByRole('button', { name: 'Forget' }).click();
      await expect.poll(stored).toEqual({ session: undefined, local: undefined });
      expect(await secretKey(page).inputValue()).toBe('');
      await expect.poll(candidates).toEqual(['session', 'remember_token']);
    } finally {
      await tab.close();
    }
  });

  it('fallback keys, hex keys and the advanced settings (lifetime, digest, salt) change the verdict', async () => {
    const expired = await panelWith([`session=${sign('{"a": 1}', { secret: 'k', timestamp: NOW - 40 * DAY })}`]);
    try {
      const { page } = expired;
      await expect.poll(() => status(page).textContent()).toMatch(/^Not verified — paste the app's SECRET_KEYAlready expired, whatever the key: signed 40d( \d+s)? ago/);
      await secretKey(page).fill('old');
      await page.getByRole('button', { name: 'Add fallback key' }).click();
      await page.getByLabel('Fallback key 1', { exact: true }).fill('k');
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature valid \(key 2 of 2\) — expired/);
      await advanced(page).click();
      await page.getByLabel('Lifetime (seconds)').fill(String(50 * DAY));
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature valid \(key 2 of 2\)Matched fallback key 1/);
      await page.getByRole('button', { name: 'Remove fallback key 1' }).click();
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature invalid for this key/);
    } finally {
      await expired.close();
    }

    const custom = await panelWith([`session=${sign('{"a": 1}', { hex: '00ff10', digest: 'sha256', salt: 'my-salt' })}`]);
    try {
      const { page } = custom;
      await secretKey(page).fill('00ff10');
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature invalid/);
      await page.getByLabel('Secret key encoding').selectOption('hex');
      await advanced(page).click();
      await page.getByLabel('Digest').selectOption('sha256');
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature invalid/);
      await page.getByLabel('Salt').fill('my-salt');
      await expect.poll(() => status(page).textContent()).toBe('Signature valid (key 1 of 1)');
      await secretKey(page).fill('00ff1');
      await expect.poll(() => status(page).textContent()).toMatch(/^A secret is not valid hex/);
    } finally {
      await custom.close();
    }
  });

  it('shows bad input as data with a clear message, never as markup, and never crashes', async () => {
    const hostile = '{"<img src=x onerror=alert(1)>": {"$type": "markup", "value": "<img src=x onerror=\\"document.title=1\\">"}}';
    const tab = await panelWith(
      [
        `session=${sign(hostile)}`,
        `notdict=${sign('[1, 2]')}`,
        `notjson=${signedRaw('bm90IGpzb24', NOW)}`,
        'garbage=.eJzLSM3JyVcozy_KSQEAGgQEXQ.!!.###',
        `huge=${'A'.repeat(5000)}.AAAA.${'B'.repeat(27)}`,
      ],
      {},
    );
    const { page } = tab;
    try {
      await page.getByLabel('Cookie name').waitFor({ state: 'attached' });
      await advanced(page).click();
      await page.getByLabel('Cookie name').fill('session, notdict, notjson, garbage, huge');
      await expect.poll(() => page.locator('.candidates li').count()).toBe(5);
      await expect.poll(() => treeItems(page).allTextContents()).toEqual([`'<img src=x onerror=alert(1)>': '<img src=x onerror="document.title=1">'`]);
      expect(await page.locator('#root img').count()).toBe(0);

      await secretKey(page).fill('k');
      await page.locator('.candidates li[data-cookie="notdict"] .candidate').click();
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature valid \(key 1 of 1\)the payload is a list, not an object.*HTTP 500/);
      expect(await status(page).getAttribute('class')).toContain('tone-warn');
      await page.locator('.candidates li[data-cookie="notjson"] .candidate').click();
      await expect.poll(() => status(page).textContent()).toMatch(/^Signature valid \(key 1 of 1\) — bad payload \(HTTP 500\)/);
      expect(await page.locator('#payload-error').textContent()).toMatch(/^The payload cannot be decoded/);
      await page.locator('.candidates li[data-cookie="garbage"] .candidate').click();
      await expect.poll(() => status(page).textContent()).toMatch(/^(Malformed cookie|Signature invalid|Unknown format)/);
      await page.locator('.candidates li[data-cookie="huge"] .candidate').click();
      await expect.poll(() => page.locator('#cookie-name').textContent()).toBe('huge');
      expect(await page.locator('dl.attributes').innerText()).toMatch(/Size\s+\d+ of 4093 bytes/);
      expect(await page.getByRole('alert').count()).toBe(0);
    } finally {
      await tab.close();
    }
  });

  it('shows a Flask-Session id and verifies its signature', async () => {
    const sid = 'hJ4-3k2lQd5vN8pXq1Wz7yRt0uBc6aMf9sLe2GiOoKw';
    const signed = signFlaskSessionId(sid, { secret: { text: 'fs' } });
    if (!signed.ok) throw new Error(signed.error.message);
    const tab = await panelWith([`session=${signed.value}; HttpOnly; Path=/`]);
    const { page } = tab;
    try {
      await expect.poll(() => page.locator('#format-badge').textContent()).toBe('Flask-Session id · signed');
      expect(await page.locator('dl.session-facts').innerText()).toContain(sid);
      await expect.poll(() => status(page).textContent()).toMatch(/^Not verified/);
      await secretKey(page).fill('fs');
      await expect.poll(() => status(page).textContent()).toBe('Signature valid (key 1 of 1)');
    } finally {
      await tab.close();
    }
  });

  it('asks for host access from the button click itself, for the host on any port', async () => {
    const tab = await panelWith([]);
    const { page } = tab;
    try {
      const button = page.getByRole('button', { name: `Allow reading cookies on ${tab.origin}` });
      await button.waitFor();
      // Chromium's dialog cannot be driven here: record the request instead of making it.
      await page.evaluate(() => {
        chrome.permissions.request = ((permissions: chrome.permissions.Permissions) => {
          (window as unknown as { requested: unknown }).requested = { origins: permissions.origins, inGesture: navigator.userActivation.isActive };
          return Promise.resolve(false);
        }) as typeof chrome.permissions.request;
      });
      await button.click();
      expect(await page.evaluate(() => (window as unknown as { requested: unknown }).requested)).toEqual({ origins: ['http://127.0.0.1/*'], inGesture: true });
      // Refused: the panel keeps working from traffic and keeps offering access.
      await expect.poll(() => button.isVisible()).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);
    } finally {
      await tab.close();
    }
  });

  it("follows DevTools' theme", async () => {
    for (const [themeName, theme] of [
      ['dark', 'dark'],
      ['default', 'light'],
    ] as const) {
      const tab = await panelWith([], { themeName });
      try {
        expect(await tab.page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        const background = await tab.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(theme === 'dark' ? 'rgb(32, 33, 36)' : 'rgb(255, 255, 255)');
        await expect.poll(() => tab.page.locator('#no-session').textContent()).toContain('No session cookie seen yet');
      } finally {
        await tab.close();
      }
    }
  });
});
