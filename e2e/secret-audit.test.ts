/**
 * "Check for a known secret" inside real Chromium DevTools, against the real demo Flask app: the
 * built-in list, the public flask-unsign wordlist uploaded through the panel's file input, a strong
 * secret that is in neither, Cancel, and a signed Flask-Session id. The check runs in the panel's
 * Web Workers, which make no request and log nothing (CDP Network and Runtime on the panel and on
 * each worker, with a canary request to show the watch works); the wall time for the whole public
 * list is printed (and bounded loosely: this machine is shared). Needs the build in dist/ (or
 * SESSION_LENS_DIST).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowserWithExtension, openDevToolsOnly, waitUntil, type DevToolsHandle, type LaunchedBrowser, type PanelHandle } from './support';
import { TargetSession } from './support/target-session';
import { waitForVerdict } from './support/session-view';
import { REPO_ROOT, startFlaskApp, startRedis, type FlaskApp, type RedisServer } from '../test/support/services';

const PUBLIC_LIST = join(REPO_ROOT, '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
const HAVE_PUBLIC_LIST = existsSync(PUBLIC_LIST);
/** On line 50,005 of the public list, and not in the built-in one. */
const LISTED_SECRET = 'pratik1michael2omar3dimitar4uiuc5';
/** In the built-in list. */
const BUILT_IN_SECRET = 'you-will-never-guess';
const STRONG_SECRET = 'b7a1f0c2d9e84a35b6c7d8e9f0a1b2c3-not-in-any-list';

const STATE = `window.__sessionLens.state()`;
const AUDIT = `${STATE}.secretAudit`;

let browser: LaunchedBrowser;
let scratch: string;
const apps: FlaskApp[] = [];
let redis: RedisServer | undefined;
const open: { page: Page; devtools: DevToolsHandle; extra: TargetSession[] }[] = [];

beforeAll(async () => {
  browser = await launchBrowserWithExtension();
  scratch = mkdtempSync(join(tmpdir(), 'session-lens-audit-e2e-'));
});

afterEach(async () => {
  for (const { page, devtools, extra } of open.splice(0)) {
    for (const session of extra) await session.detach();
    await devtools.close();
    await page.close();
  }
  await browser.context.clearCookies();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(apps.map((app) => app.stop()));
  await redis?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function app(options: Parameters<typeof startFlaskApp>[0]): Promise<FlaskApp> {
  const started = await startFlaskApp(options);
  apps.push(started);
  return started;
}

interface Inspected {
  page: Page;
  devtools: DevToolsHandle;
  panel: PanelHandle;
  /** Sets the wordlist file input's file (CDP DOM.setFileInputFiles, what Playwright's setInputFiles sends). */
  setWordlist(path: string): Promise<void>;
  /** A second CDP session on the panel page. */
  files: TargetSession;
}

/** Logs in on `flask` with DevTools open, then shows the Session panel. */
async function loggedInPanel(flask: FlaskApp): Promise<Inspected> {
  const page = await browser.context.newPage();
  await page.goto(`${flask.url}/`);
  const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
  const entry = { page, devtools, extra: [] as TargetSession[] };
  open.push(entry);
  await page.evaluate(() => fetch('/login', { method: 'POST' }));
  const panel = await devtools.showPanel();
  await panel.waitFor(`${STATE}.knownSecret.target !== null`, { timeout: 20_000 });
  // A second CDP session on the panel page for the DOM domain (the harness's handle evaluates only).
  const files = await TargetSession.attach(devtools.browserSession, panel.targetId, 'panel (file input)');
  entry.extra.push(files);
  const setWordlist = async (path: string) => {
    const { result } = await files.send<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: `document.querySelector('#wordlist-file')` });
    if (!result.objectId) throw new Error('the panel has no #wordlist-file input');
    await files.send('DOM.setFileInputFiles', { files: [path], objectId: result.objectId });
    await panel.waitFor(`${AUDIT}.wordlist?.name === ${JSON.stringify(path.split('/').pop())}`);
  };
  return { page, devtools, panel, setWordlist, files };
}

/**
 * Records the network requests and console output of the panel page and of its dedicated workers
 * (auto-attached children of the panel's target, reached through it) from now on.
 */
async function watchPanelNetwork(panel: TargetSession): Promise<{ requests: string[]; console: string[]; workers(): number; canary(): Promise<void> }> {
  const requests: string[] = [];
  const consoleMessages: string[] = [];
  const children = new Set<string>();
  let id = 1_000_000;
  const record = (method: string, params: { request?: { url: string }; args?: unknown }, who: string) => {
    if (method === 'Network.requestWillBeSent') requests.push(`${who}: ${params.request!.url}`);
    if (method === 'Runtime.consoleAPICalled') consoleMessages.push(`${who}: ${JSON.stringify(params.args)}`);
  };
  panel.onEvent((method, params) => {
    if (method === 'Target.attachedToTarget') {
      const { sessionId, targetInfo } = params as { sessionId: string; targetInfo: { type: string } };
      if (targetInfo.type !== 'worker') return;
      children.add(sessionId);
      for (const command of ['Network.enable', 'Runtime.enable']) {
        void panel.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: id++, method: command }) }).catch(() => undefined);
      }
    } else if (method === 'Target.receivedMessageFromTarget') {
      const { sessionId, message } = params as { sessionId: string; message: string };
      const event = JSON.parse(message) as { method?: string; params?: object };
      if (event.method) record(event.method, event.params as never, `worker ${sessionId}`);
    } else {
      record(method, params as never, 'panel');
    }
  });
  await panel.send('Network.enable');
  await panel.send('Runtime.enable');
  await panel.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await waitUntil('the panel\'s audit workers to be attached', () => children.size > 0, { timeout: 10_000 });
  return {
    requests,
    console: consoleMessages,
    workers: () => children.size,
    // The watcher does see a worker's requests: one made from a worker by the test itself.
    canary: async () => {
      const [sessionId] = children;
      const message = { id: id++, method: 'Runtime.evaluate', params: { expression: `fetch(location.origin + '/manifest.json?canary').then((r) => r.status)` } };
      await panel.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify(message) });
      await waitUntil('the canary request from a worker to be seen', () => requests.some((r) => r.startsWith('worker') && r.endsWith('/manifest.json?canary')), { timeout: 10_000 });
    },
  };
}

interface AuditSnapshot {
  status: string;
  tried: number;
  total: number | null;
  elapsedMs: number;
  rate: number | null;
  threads: number;
  inline: boolean;
  kernel: 'simd' | 'js' | null;
  hit: { source: string; line: number; encoding: string } | null;
  error: string | null;
}

/**
 * Clicks "Check for a known secret" and waits for the result to be rendered; returns the audit state
 * and the wall time from the click to the result in the DOM, measured in the panel.
 */
async function runCheck(panel: PanelHandle): Promise<{ audit: AuditSnapshot; wallMs: number; result: string }> {
  const wallMs = await panel.evaluate<number>(`new Promise((resolve) => {
    const before = document.querySelector('#known-secret-result');
    const start = performance.now();
    const observer = new MutationObserver(() => {
      const result = document.querySelector('#known-secret-result');
      if (result && result !== before && ${AUDIT}.status !== 'running') {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(document.querySelector('#known-secret'), { childList: true, subtree: true, characterData: true });
    document.querySelector('#known-secret-check').click();
  })`);
  const audit = await panel.evaluate<AuditSnapshot>(AUDIT);
  const result = await panel.text('#known-secret-result');
  return { audit, wallMs, result };
}

const secretField = (panel: PanelHandle) => panel.evaluate<{ value: string; type: string }>(`(() => { const el = document.querySelector('#secret-0'); return { value: el.value, type: el.type }; })()`);

describe('Check for a known secret, real DevTools, demo Flask app', () => {
  it.skipIf(!HAVE_PUBLIC_LIST)('a SECRET_KEY from the public flask-unsign list, uploaded as a file: found on its line, filled in, the verdict becomes valid', async () => {
    const flask = await app({ stack: 'modern', secretKey: LISTED_SECRET });
    const { panel, setWordlist, files } = await loggedInPanel(flask);
    await waitForVerdict(panel, "Not verified — paste the app's SECRET_KEY");
    await setWordlist(PUBLIC_LIST);
    const network = await watchPanelNetwork(files);

    const { audit, wallMs, result } = await runCheck(panel);
    expect(audit).toMatchObject({ status: 'found', hit: { source: 'wordlist', line: 50_005, encoding: 'text' }, error: null });
    expect(result).toContain("Known secret found: the app's SECRET_KEY is public");
    expect(result).toContain('line 50,005 of flask-unsign-all.txt');
    expect(result).toContain('SECRET_KEY_FALLBACKS');
    expect(await secretField(panel)).toEqual({ value: LISTED_SECRET, type: 'password' });
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    // Neither the panel nor its workers made a request, and nothing was logged.
    expect(network.workers()).toBeGreaterThanOrEqual(1);
    expect(network.requests).toEqual([]);
    expect(network.console).toEqual([]);
    await network.canary();
    expect(network.requests).toHaveLength(1);
    console.log(`[secret-audit] found on line 50,005 of the public list: ${wallMs.toFixed(0)} ms wall (${audit.tried} tried, ${audit.threads} workers, ${audit.kernel} kernel)`);
  });

  it('a SECRET_KEY from the built-in list, no file needed', async () => {
    const flask = await app({ stack: 'debian', secretKey: BUILT_IN_SECRET });
    const { panel } = await loggedInPanel(flask);
    const { audit, result } = await runCheck(panel);
    expect(audit).toMatchObject({ status: 'found', hit: { source: 'built-in', encoding: 'text' } });
    expect(result).toMatch(/It is entry \d+ of the built-in list/);
    expect(await secretField(panel)).toMatchObject({ value: BUILT_IN_SECRET });
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    // The panel keeps fallback rows and only replaces SECRET_KEY; the key is kept like a typed one (storage.session).
    expect(await panel.evaluate(`${STATE}.settings.secrets.length`)).toBe(1);
  });

  it.skipIf(!HAVE_PUBLIC_LIST)('a strong secret: not found, says how many were tried; the whole public list in the workers, timed cold and warm', async () => {
    const flask = await app({ stack: 'modern', secretKey: STRONG_SECRET });
    const { panel, setWordlist } = await loggedInPanel(flask);
    await setWordlist(PUBLIC_LIST);
    const lines = readFileSync(PUBLIC_LIST, 'utf8').split('\n').length - (readFileSync(PUBLIC_LIST, 'utf8').endsWith('\n') ? 1 : 0);

    const runs: { audit: AuditSnapshot; wallMs: number; result: string }[] = [];
    for (let i = 0; i < 6; i++) runs.push(await runCheck(panel));
    const builtIn = await panel.evaluate<number>(`${AUDIT}.builtInCount`);
    for (const { audit, result } of runs) {
      expect(audit).toMatchObject({ status: 'not-found', tried: builtIn + lines, total: builtIn + lines, hit: null });
      expect(result).toContain(`No known secret: ${(builtIn + lines).toLocaleString('en-US')} candidates tried`);
      expect(result).toContain(`flask-unsign-all.txt (${lines.toLocaleString('en-US')} lines)`);
    }
    expect(await secretField(panel)).toMatchObject({ value: '' });
    await waitForVerdict(panel, "Not verified — paste the app's SECRET_KEY");
    const threads = runs[0]!.audit.threads;
    expect(threads).toBe(await panel.evaluate<number>('navigator.hardwareConcurrency'));
    expect(runs[0]!.audit.inline).toBe(false);
    expect(runs.at(-1)!.audit.kernel).toBe('simd');
    const warm = runs.slice(1).map((r) => r.wallMs).sort((a, b) => a - b);
    console.log(
      `[secret-audit] public list (${(builtIn + lines).toLocaleString('en-US')} candidates), ${threads} workers: ` +
        `first run ${runs[0]!.wallMs.toFixed(0)} ms wall, then ${warm.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} ms)`,
    );
  });

  it('Cancel stops a run (a long generated wordlist)', async () => {
    const flask = await app({ stack: 'modern', secretKey: STRONG_SECRET });
    const { panel, setWordlist } = await loggedInPanel(flask);
    // About 4 million lines (~100 MB): several seconds of work, streamed through the workers.
    const path = join(scratch, 'long-wordlist.txt');
    const block = Array.from({ length: 100_000 }, (_, i) => `candidate-${i.toString(36)}-padding-padding`).join('\n') + '\n';
    writeFileSync(path, block.repeat(40));
    await setWordlist(path);
    await panel.click('#known-secret-check');
    await panel.waitFor(`${AUDIT}.status === 'running' && ${AUDIT}.tried > 100000`, { timeout: 20_000 });
    await panel.pressKey('Enter', '#known-secret-cancel');
    const cancelled = await panel.waitFor<AuditSnapshot>(`${AUDIT}.status === 'cancelled' && ${AUDIT}`);
    expect(cancelled.tried).toBeGreaterThan(100_000);
    expect(cancelled.tried).toBeLessThan(4_000_000);
    // It stays stopped: no more progress arrives.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await panel.evaluate(`${AUDIT}.tried`)).toBe(cancelled.tried);
    // The file's lines are counted beside the run: a cancel can come before the count, and then no total is claimed.
    // State and text are read together, since the count may still land.
    const shown = await panel.evaluate<{ total: number | null; text: string }>(`({ total: ${AUDIT}.total, text: document.querySelector('#known-secret-result').textContent })`);
    const count = (n: number) => n.toLocaleString('en-US');
    const counted = shown.total === null ? '' : ` of ${count(shown.total)}`;
    expect(shown.text).toMatch(new RegExp(`^Cancelled after ${count(cancelled.tried)}${counted} candidates`));
    expect(await secretField(panel)).toMatchObject({ value: '' });
    // The workers are reused: the next run (built-in only, the file removed) works at once.
    await panel.click('button[aria-label="Remove the wordlist file"]');
    await panel.waitFor(`${AUDIT}.wordlist === null`);
    const { audit } = await runCheck(panel);
    expect(audit).toMatchObject({ status: 'not-found', tried: await panel.evaluate<number>(`${AUDIT}.builtInCount`) });
  });

  it('a signed Flask-Session id (redis): its SECRET_KEY is found in the built-in list', async () => {
    redis ??= await startRedis();
    const flask = await app({ stack: 'modern', backend: 'redis', redisUrl: redis.dbUrl(3), useSigner: true, secretKey: 'changeme' });
    const { panel } = await loggedInPanel(flask);
    expect(await panel.evaluate(`${STATE}.knownSecret.target.format`)).toBe('flask-session');
    const { audit, result } = await runCheck(panel);
    expect(audit).toMatchObject({ status: 'found', hit: { source: 'built-in' } });
    expect(result).toContain('Flask-Session signs its session ids with it');
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
  });
});
