import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeHarEntry,
  launchBrowserWithExtension,
  openDevToolsOnly,
  openPanelAsTab,
  repoRoot,
  SESSION_COOKIE,
  startStaticServer,
  type LaunchedBrowser,
  type StaticServer,
} from './support';

const js = (value: unknown) => JSON.stringify(value);
/** The panel's exchanges as `METHOD URL STATUS` lines, read from its state (window.__sessionLens). */
const SUMMARIES = `window.__sessionLens.state().exchanges.map((e) => e.method + ' ' + e.url + ' ' + e.status)`;
/** The Set-Cookie values of the exchange whose summary line is `line`. */
const setCookiesOf = (line: string) => `(() => {
  const e = window.__sessionLens.state().exchanges.find((e) => e.method + ' ' + e.url + ' ' + e.status === ${js(line)});
  return e.responseHeaders.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
})()`;

let browser: LaunchedBrowser | undefined;
let server: StaticServer | undefined;

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchBrowserWithExtension();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Session panel in real DevTools', () => {
  it('lists exchanges made before it was first shown, then new ones live', async () => {
    const { context, extensionId } = browser!;
    const srv = server!;
    const page = await context.newPage();
    // Before DevTools opens: DevTools never reports this one.
    await page.goto(srv.url('/?phase=before-devtools'));

    const devtools = await openDevToolsOnly(context, page, extensionId);
    try {
      // DevTools is open, the panel has never been shown (so its page does not exist yet).
      await page.goto(srv.url('/?phase=hidden'));
      await page.evaluate(() => fetch('/api/ping?phase=hidden').then((r) => r.json()));
      await page.goto(srv.url('/redirect'));

      expect(await devtools.panelPageExists()).toBe(false);
      const panel = await devtools.showPanel();
      const expectedBacklog = [
        `GET ${srv.url('/?phase=hidden')} 200`,
        `GET ${srv.url('/api/ping?phase=hidden')} 200`,
        `GET ${srv.url('/redirect')} 302`,
        `GET ${srv.url('/')} 200`,
      ];
      await panel
        .waitFor(`(() => { const lines = ${SUMMARIES}; return ${js(expectedBacklog)}.every((line) => lines.includes(line)); })()`, { timeout: 10_000 })
        .catch(async (error: Error) => {
          error.message += `; the panel had: ${js(await panel.evaluate(SUMMARIES))}`;
          throw error;
        });
      const backlog = await panel.evaluate<string[]>(SUMMARIES);
      expect(backlog.filter((line) => line.includes('before-devtools'))).toEqual([]);
      // Once each, in the order they were made.
      expect(backlog.filter((line) => expectedBacklog.includes(line))).toEqual(expectedBacklog);
      expect(await panel.texts('[role=tab]')).toEqual(['Session', 'Timeline']);
      // inspectedOrigin() through the real devtools.inspectedWindow.
      await panel.waitFor(`document.querySelector('#inspected').textContent.startsWith(${js(srv.origin)})`);

      // Both Set-Cookie headers of the page response arrive as separate entries, HttpOnly included.
      const cookies = await panel.evaluate<string[]>(setCookiesOf(`GET ${srv.url('/?phase=hidden')} 200`));
      expect(cookies).toHaveLength(2);
      expect(cookies[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=e2e-\\d+; Path=/; HttpOnly; SameSite=Lax$`));
      expect(cookies[1]).toBe('sl_theme=dark; Path=/; SameSite=Lax');

      // While the panel is shown, new exchanges stream in.
      await page.evaluate(() => fetch('/api/ping?phase=shown').then((r) => r.json()));
      const pingLine = `GET ${srv.url('/api/ping?phase=shown')} 200`;
      await panel.waitFor(`${SUMMARIES}.includes(${js(pingLine)})`, { timeout: 10_000 });
      const pingCookies = await panel.evaluate<string[]>(setCookiesOf(pingLine));
      expect(pingCookies).toEqual([expect.stringMatching(/^sl_ping=\d+; Path=\/; HttpOnly; SameSite=Lax$/)]);

      await panel.screenshot(join(repoRoot, 'test-results', 'e2e', 'session-panel.png'));
    } finally {
      await devtools.close();
      await page.close();
    }
  });

  it('drives inputs and keys inside the panel (harness self-check)', async () => {
    const { context, extensionId } = browser!;
    const page = await context.newPage();
    await page.goto(server!.url('/'));
    const devtools = await openDevToolsOnly(context, page, extensionId);
    try {
      const panel = await devtools.showPanel();
      await panel.evaluate(`(() => {
        const input = document.createElement('input');
        input.id = 'harness-probe';
        window.__harnessKeys = [];
        input.addEventListener('keydown', (e) => window.__harnessKeys.push(e.key + (e.isTrusted ? '' : ' (synthetic)')));
        document.body.append(input);
      })()`);
      await panel.type('#harness-probe', 'hello');
      expect(await panel.evaluate('document.querySelector("#harness-probe").value')).toBe('hello');
      await panel.pressKey('Enter', '#harness-probe');
      await panel.pressKey('x', '#harness-probe');
      await panel.waitFor('window.__harnessKeys.length >= 2', { timeout: 5_000 });
      expect(await panel.evaluate('window.__harnessKeys')).toEqual(['Enter', 'x']);
      expect(await panel.evaluate('document.querySelector("#harness-probe").value')).toBe('hellox');
      await expect(panel.text('#does-not-exist')).rejects.toThrow(/no element matches #does-not-exist/);
    } finally {
      await devtools.close();
      await page.close();
    }
  });
});

describe('Panel page as a plain tab with a fake devtools object', () => {
  it('shows the fake getHAR backlog and injected events, splitting folded Set-Cookie values', async () => {
    const { context, extensionId } = browser!;
    const tab = await openPanelAsTab(context, extensionId, {
      har: [
        fakeHarEntry('GET', 'http://127.0.0.1:5000/', 200, {
          resourceType: 'document',
          responseHeaders: [['Set-Cookie', 'session=abc; HttpOnly; Path=/\nremember=1; Path=/']],
        }),
      ],
    });
    try {
      const summaries = () => tab.page.evaluate<string[]>(SUMMARIES);
      await expect.poll(summaries).toEqual(['GET http://127.0.0.1:5000/ 200']);
      await tab.emitRequestFinished(fakeHarEntry('POST', 'http://127.0.0.1:5000/login', 302));
      await expect.poll(summaries).toEqual(['GET http://127.0.0.1:5000/ 200', 'POST http://127.0.0.1:5000/login 302']);
      expect(await tab.page.evaluate<string[]>(setCookiesOf('GET http://127.0.0.1:5000/ 200'))).toEqual([
        'session=abc; HttpOnly; Path=/',
        'remember=1; Path=/',
      ]);
      expect(await tab.page.getByRole('tab').allTextContents()).toEqual(['Session', 'Timeline']);
      await expect.poll(() => tab.page.locator('#inspected').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:5000/);
      expect(await tab.evalCalls()).toContain('location.origin');
    } finally {
      await tab.close();
    }
  });
});
