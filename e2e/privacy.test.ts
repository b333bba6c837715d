/**
 * Privacy, proven in real Chromium DevTools against the real demo Flask app, during one realistic
 * session (DevTools on the app, browsing, a secret typed and verified, host access, Timeline
 * exports, Remember / Forget):
 *
 * - the extension makes no network request of its own: nothing on any of its targets (service
 *   worker, devtools page, panel — CDP Network on each) and nothing started by its origin in
 *   Chromium's net log, which sees every request of the browser from its first moment;
 * - the inspected page makes only the requests the test makes (the extension does not use it to
 *   make requests either);
 * - the secrets are in storage.session only, never in storage.local or storage.sync unless
 *   "Remember on this device" is ticked, never on disk before that, gone from both after Forget;
 * - never in an export (JSON or HAR, with or without cookie values), never in a console message
 *   or exception of any extension target, of DevTools or of the inspected page.
 *
 * Every observer is shown to work: a fetch made in each extension target is recorded (CDP and net
 * log), a console message logged in each is collected, the storage read finds the secret once
 * Remember is ticked, and the disk search finds it once it is written to storage.local.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchBrowserWithExtension, openDevToolsOnly, waitUntil, type LaunchedBrowser, type PanelHandle } from './support';
import {
  evaluateInServiceWorker,
  filesContaining,
  keysContaining,
  observeTargets,
  profileDirectory,
  readNetLog,
  STORAGE_DUMP_EXPRESSION,
  type ExtensionStorageDump,
  type TargetObserver,
} from './support/extension-targets';
import { grantHostAccess } from './support/host-access';
import { typeSecret, waitForTreeItems, waitForVerdict } from './support/session-view';
import { captureDownloads, exportTimeline, setCheckbox, showTab } from './timeline-helpers';
import { manifestDeviations } from '../test/support/manifest-pin';

const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
/** The app's SECRET_KEY, typed as text. */
const SECRET = `sl-privacy-key-${nonce}`;
/** An old key, typed as hex (SECRET_KEY_FALLBACKS). */
const FALLBACK_HEX = Buffer.from(`sl-privacy-old-${nonce}`, 'utf8').toString('hex');
/** Every form a secret could leak in: as typed, the text key's hex and base64, the hex key's bytes. */
const NEEDLES = [
  SECRET,
  Buffer.from(SECRET).toString('hex'),
  Buffer.from(SECRET).toString('base64').replace(/=+$/, ''),
  FALLBACK_HEX,
  FALLBACK_HEX.toUpperCase(),
  Buffer.from(FALLBACK_HEX, 'hex').toString('utf8'),
];
const CANARY = `sl-canary-${nonce}`;

const leaks = (text: string) => NEEDLES.filter((needle) => text.includes(needle));

let flask: FlaskApp;
let browser: LaunchedBrowser | undefined;
let netLogDir: string;

beforeAll(async () => {
  netLogDir = await mkdtemp(join(tmpdir(), 'session-lens-netlog-'));
  // The fallback key is the first key the app ever used: a cookie it signed is valid under it.
  flask = await startFlaskApp({ stack: 'modern', secretKey: SECRET });
});

afterAll(async () => {
  await browser?.close();
  await flask?.stop();
  if (netLogDir) await rm(netLogDir, { recursive: true, force: true });
});

const clickLabelled = (panel: PanelHandle, label: string) =>
  panel.evaluate(`(() => {
    const input = Array.from(document.querySelectorAll('label')).find((l) => l.textContent.trim() === ${JSON.stringify(label)})?.querySelector('input');
    if (!input) throw new Error('no checkbox labelled ' + ${JSON.stringify(label)});
    input.click();
    return input.checked;
  })()`);

const clickButton = (panel: PanelHandle, text: string) =>
  panel.evaluate(`(() => {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === ${JSON.stringify(text)});
    if (!button) throw new Error('no button ' + ${JSON.stringify(text)});
    button.click();
    return true;
  })()`);

describe('privacy in a realistic session', () => {
  it('no network request of its own, secrets only in storage.session unless remembered, never exported or logged', async () => {
    const netLog = join(netLogDir, 'netlog.json');
    browser = await launchBrowserWithExtension({ extraArgs: [`--log-net-log=${netLog}`] });
    const { context, extensionId } = browser;
    const extensionOrigin = `chrome-extension://${extensionId}`;
    // Every extension target, every page (the inspected one, DevTools' front-end, chrome:// pages).
    const observer: TargetObserver = await observeTargets(context, extensionId, (t) => t.type === 'page');
    const browserSession = await context.browser()!.newBrowserCDPSession();
    const storage = () => evaluateInServiceWorker<ExtensionStorageDump>(browserSession, extensionId, STORAGE_DUMP_EXPRESSION);
    const settingsKey = `sessionLens.settings.${flask.url}`;
    const profile = await profileDirectory(context);

    // --- the session: DevTools on the app, browsing, the panel, a secret, host access, exports.
    const page = await context.newPage();
    await page.goto(`${flask.url}/`);
    const devtools = await openDevToolsOnly(context, page, extensionId);
    const post = (path: string) => page.evaluate((p) => fetch(p, { method: 'POST' }).then((r) => r.text()), path);
    await post('/login');
    await page.goto(`${flask.url}/whoami`);
    await page.goto(`${flask.url}/`);
    await post('/modify');
    await post('/rich');
    const panel = await devtools.showPanel();
    await waitForTreeItems(panel, ["user: 'alice'", 'count: 1']);
    await typeSecret(panel, 0, SECRET);
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    await typeSecret(panel, 1, FALLBACK_HEX);
    await panel.evaluate(`(() => {
      const select = document.querySelector('select[aria-label="Fallback key 1 encoding"]');
      if (!select) throw new Error('no encoding select on the fallback key row');
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(select, 'hex');
      select.dispatchEvent(new Event('change', { bubbles: true }));
    })()`);
    await waitForVerdict(panel, 'Signature valid (key 1 of 2)');
    await waitUntil('both secrets, the fallback as hex, to be saved in storage.session', async () => {
      const saved = (await storage()).session[settingsKey] as { secrets?: { value: string; encoding: string }[] } | undefined;
      return saved?.secrets?.[0]?.value === SECRET && saved.secrets[1]?.value === FALLBACK_HEX && saved.secrets[1].encoding === 'hex';
    });

    await grantHostAccess(context, extensionId, 'http://127.0.0.1/*');
    await panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted' && window.__sessionLens.state().jar.length > 0`, { timeout: 10_000 });

    await showTab(panel, 'Timeline');
    await panel.waitFor(`document.querySelectorAll('[role="grid"] [role="row"][data-seq]').length >= 5`, { timeout: 10_000 });
    await captureDownloads(panel);
    const exports = [await exportTimeline(panel, 'Export JSON'), await exportTimeline(panel, 'Export HAR')];
    await setCheckbox(panel, 'Include cookie values', true);
    exports.push(await exportTimeline(panel, 'Export JSON'), await exportTimeline(panel, 'Export HAR'));
    const cookie = (await context.cookies(flask.url)).find((c) => c.name === 'session')!.value;
    // The exports are real: the last two carry the cookie value, all four the requests.
    expect(exports.map((e) => e.text.includes(cookie))).toEqual([false, false, true, true]);
    for (const file of exports) {
      expect(file.text).toContain('/modify');
      expect({ file: file.name, leaks: leaks(file.text) }).toEqual({ file: file.name, leaks: [] });
    }
    await showTab(panel, 'Session');

    // --- storage: in storage.session, under this origin's settings only; nowhere else yet.
    let dump = await storage();
    expect(keysContaining(dump.session, SECRET)).toEqual([settingsKey]);
    expect(keysContaining(dump.session, FALLBACK_HEX)).toEqual([settingsKey]);
    expect(leaks(JSON.stringify(dump.local))).toEqual([]);
    expect(leaks(JSON.stringify(dump.sync))).toEqual([]);
    // The pages' own web storage (the Timeline keeps "Preserve log" in localStorage) holds none either.
    const webStorage = `JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])`;
    expect(leaks(await panel.evaluate<string>(webStorage))).toEqual([]);
    expect(leaks(await devtools.evaluateDevtoolsPage<string>(webStorage))).toEqual([]);
    // storage.session is memory: nothing in the profile folder has the secret.
    expect(filesContaining(profile, NEEDLES)).toEqual([]);

    // --- Remember on this device: now in storage.local (the storage read can see it), and on disk.
    expect(await clickLabelled(panel, 'Remember on this device')).toBe(true);
    await waitUntil('the secrets to be in storage.local once Remember is ticked', async () => {
      const local = (await storage()).local;
      return keysContaining(local, SECRET).length === 1 && keysContaining(local, FALLBACK_HEX).length === 1;
    });
    dump = await storage();
    expect(keysContaining(dump.local, SECRET)).toEqual([settingsKey]);
    expect(leaks(JSON.stringify(dump.sync))).toEqual([]);
    const onDisk = await waitUntil(
      'the remembered secret to reach the profile folder (storage.local is on disk)',
      () => {
        const files = filesContaining(profile, [SECRET]);
        return files.length > 0 && files;
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(onDisk.every((f) => f.file.includes(`${extensionId}`))).toBe(true);

    // Unticked: the storage.local copy goes, the session one stays.
    expect(await clickLabelled(panel, 'Remember on this device')).toBe(false);
    await waitUntil('storage.local to lose the secrets once Remember is unticked', async () => leaks(JSON.stringify((await storage()).local)).length === 0);
    expect(keysContaining((await storage()).session, SECRET)).toEqual([settingsKey]);
    await waitForVerdict(panel, 'Signature valid (key 1 of 2)');

    // Ticked again, then Forget: gone from both areas and from the form.
    await clickLabelled(panel, 'Remember on this device');
    await waitUntil('the secrets to be remembered again', async () => keysContaining((await storage()).local, SECRET).length === 1);
    await clickButton(panel, 'Forget');
    await waitUntil('Forget to wipe storage.local and storage.session', async () => {
      const after = await storage();
      return leaks(JSON.stringify(after)).length === 0;
    });
    await waitForVerdict(panel, "Not verified — paste the app's SECRET_KEY");
    expect(await panel.evaluate(`document.querySelector('#secret-0').value`)).toBe('');
    expect((await storage()).local[settingsKey]).toBeUndefined();

    // --- the observers work: a fetch and a console message in each extension target are seen.
    const canaryUrl = (where: string) => `${flask.url}/whoami?${CANARY}=${where}`;
    const swTarget = `service_worker ${extensionOrigin}/`;
    const devtoolsPageTarget = `iframe ${extensionOrigin}/src/extension/devtools/devtools.html`;
    const panelTarget = `iframe ${extensionOrigin}/src/extension/panel/panel.html`;
    expect(observer.observedTargets()).toEqual(expect.arrayContaining([expect.stringMatching(/^service_worker /), devtoolsPageTarget, panelTarget]));
    await panel.evaluate(`fetch(${JSON.stringify(canaryUrl('panel'))}).then((r) => r.status)`);
    await devtools.evaluateDevtoolsPage(`fetch(${JSON.stringify(canaryUrl('devtools-page'))}).then((r) => r.status)`);
    await evaluateInServiceWorker(browserSession, extensionId, `fetch(${JSON.stringify(canaryUrl('service-worker'))}, { mode: 'no-cors' }).then((r) => r.type)`);
    // Nested deeper than a console preview shows: the observer reads logged objects whole.
    await panel.evaluate(`console.log('state', { nested: { deeper: [${JSON.stringify(`${CANARY} panel`)}] } })`);
    await devtools.evaluateDevtoolsPage(`console.warn(${JSON.stringify(`${CANARY} devtools-page`)})`);
    await evaluateInServiceWorker(browserSession, extensionId, `console.error(${JSON.stringify(`${CANARY} service-worker`)})`);
    await page.evaluate((text) => console.log(text), `${CANARY} page`);
    await waitUntil('the observer to record the three canary fetches and four canary messages', () =>
      observer.requests.filter((r) => r.url.includes(CANARY)).length === 3 && observer.messages.filter((m) => m.text.includes(CANARY)).length === 4,
    );

    // --- network: every request any extension target made is a canary, one per target.
    const fromExtension = observer.requests
      .filter((r) => r.target.includes(`${extensionOrigin}/`))
      .filter((r) => !r.url.startsWith(`${extensionOrigin}/`)); // its own packaged files are not network
    const byTarget = (label: string) => (r: { target: string }) => r.target.startsWith(label);
    expect(fromExtension.map((r) => `${r.kind} ${r.method} ${r.url}`).sort()).toEqual(
      [`request GET ${canaryUrl('devtools-page')}`, `request GET ${canaryUrl('panel')}`, `request GET ${canaryUrl('service-worker')}`].sort(),
    );
    expect(fromExtension.filter(byTarget(swTarget)).map((r) => r.url)).toEqual([canaryUrl('service-worker')]);
    expect(fromExtension.filter(byTarget(panelTarget)).map((r) => r.url)).toEqual([canaryUrl('panel')]);
    expect(fromExtension.filter(byTarget(devtoolsPageTarget)).map((r) => r.url)).toEqual([canaryUrl('devtools-page')]);
    // The inspected page made only what the test made, plus what Chromium asks for by itself: the
    // favicon of the JSON page /whoami (the demo's HTML declares one inline) and DevTools' workspace file.
    const pagePaths = new Set(
      observer.requests
        .filter((r) => r.target.startsWith('page ') && r.url.startsWith(`${flask.url}/`))
        .map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`),
    );
    const expectedPagePaths = ['GET /', 'POST /login', 'GET /whoami', 'POST /modify', 'POST /rich', 'GET /favicon.ico', 'GET /.well-known/appspecific/com.chrome.devtools.json'];
    expect([...pagePaths].filter((p) => !expectedPagePaths.includes(p))).toEqual([]);

    // --- console: no message, warning or exception of any observed target carries a secret.
    for (const [label, where] of [[swTarget, 'service-worker'], [devtoolsPageTarget, 'devtools-page'], [panelTarget, 'panel'], [`page ${flask.url}/`, 'page']]) {
      expect(observer.messages.filter((m) => m.text.includes(`${CANARY} ${where}`)).map((m) => m.target)).toEqual([expect.stringMatching(`^${label}`)]);
    }
    await observer.settled();
    const leaked = observer.messages.filter((m) => leaks(m.text).length > 0);
    expect(leaked.map((m) => `${m.target}: ${m.text.slice(0, 200)}`)).toEqual([]);

    await observer.stop();
    await browserSession.detach().catch(() => undefined);
    await devtools.close();
    await browser.close();

    // --- the net log, from the browser's start to its end: the extension's origin started only the canaries.
    const requests = readNetLog(netLog);
    expect(requests.some((r) => r.url === `${flask.url}/whoami`)).toBe(true);
    const byExtension = requests.filter((r) => r.initiator === extensionOrigin);
    expect(byExtension.map((r) => r.url).sort()).toEqual([canaryUrl('devtools-page'), canaryUrl('panel'), canaryUrl('service-worker')].sort());
    expect(requests.filter((r) => r.url.includes(CANARY)).every((r) => r.initiator === extensionOrigin)).toBe(true);
    // Anything not on the loopback app is the browser's own (no page, no extension started it).
    const outside = requests.filter((r) => !r.url.startsWith('http://127.0.0.1:'));
    expect(outside.filter((r) => r.initiator.startsWith('chrome-extension://') || r.initiator.startsWith('http'))).toEqual([]);
  });
});

describe('least privilege, as Chromium installed it', () => {
  it('the loaded manifest matches the pin; the extension holds cookies, storage and devtools, no host', async () => {
    const installed = await launchBrowserWithExtension();
    try {
      const session = await installed.context.browser()!.newBrowserCDPSession();
      const seen = await evaluateInServiceWorker<{ manifest: Record<string, unknown>; granted: { permissions: string[]; origins: string[] } }>(
        session,
        installed.extensionId,
        `(async () => ({ manifest: chrome.runtime.getManifest(), granted: await chrome.permissions.getAll() }))()`,
      );
      await session.detach();
      expect(manifestDeviations(seen.manifest, 'chromium')).toEqual([]);
      // Chromium counts the devtools_page key as the "devtools" API permission (chrome.devtools.*).
      expect({ permissions: [...seen.granted.permissions].sort(), origins: seen.granted.origins }).toEqual({
        permissions: ['cookies', 'devtools', 'storage'],
        origins: [],
      });
    } finally {
      await installed.close();
    }
  });
});
