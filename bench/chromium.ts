/**
 * The Chromium part of `npm run bench` (bench/run.ts calls `benchChromium`; `node --import tsx
 * bench/chromium.ts` runs it alone and prints its rows). It drives the extension as it ships
 * (dist/, built by `npm run build`) in Debian's Chromium through the e2e harness (e2e/support),
 * against the demo Flask app. Issue 8 §3, items 3–6:
 *
 * 3. the panel's "Check for a known secret" in its Web Workers, on ../shared's flask-unsign list,
 *    against a cookie whose secret is not in it: wall time from the click to the result rendered;
 * 4. the Timeline with 10,000 entries (requests to /modify: each row its own cookies) re-analysed
 *    when the secret key is pasted in the Session view (the Timeline stays mounted behind it):
 *    time until the Timeline says it is done ("Updating…" gone: TimelineSnapshot.rebuilding), and
 *    the longest gap between animation frames of the panel meanwhile;
 * 5. "panel shown" (DevToolsAPI.showPanel in a fresh DevTools window) to the panel's first
 *    contentful paint;
 * 6. page load time with the extension installed and DevTools closed, against a profile without it.
 *
 * Every figure is measured inside the browser (performance.now, paint and navigation timing), so
 * the CDP round trips of the harness are not in it.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  chromiumExecutable,
  extensionDistDir,
  launchBrowserWithExtension,
  openDevToolsOnly,
  startStaticServer,
  waitUntil,
  type DevToolsHandle,
  type LaunchedBrowser,
  type PanelHandle,
} from '../e2e/support';
import { extensionPanelId, listTargets } from '../e2e/support/devtools-internals';
import { evaluateIn, TargetSession } from '../e2e/support/target-session';
import { temporaryProfile } from '../e2e/support/temp-profile';
import { waitForVerdict } from '../e2e/support/session-view';
import { GRID, rowCount, showTab, waitForRows } from '../e2e/timeline-helpers';
import { REPO_ROOT, startFlaskApp, type FlaskApp, type FlaskStack } from '../test/support/services';

export interface BenchRow {
  work: string;
  ours: string;
  reference: string;
  /** Against the reference; null where there is none to compare with. */
  ratio: number | null;
  goal: string;
}

export interface ChromiumBench {
  rows: BenchRow[];
  /** Keys for bench/results.json. */
  results: Record<string, unknown>;
}

/** The app's SECRET_KEY: in neither the built-in list nor the public one, so the check tries every candidate. */
const SECRET = 'session-lens bench: b7a1f0c2d9e84a35b6c7d8e9f0a1b2c3';
const STATE = 'window.__sessionLens.state()';
const AUDIT = `${STATE}.secretAudit`;
const SECRET_INPUT = `Array.from(document.querySelectorAll('label')).find((l) => l.textContent.trim() === 'Secret key')?.control`;
const TIMELINE_ENTRIES = 10_000;
/** The Timeline's cap (TimelineFeed): the page load and the login before the burst fall out of it. */
const TIMELINE_CAPACITY = 10_000;
const UPDATING = 'Updating…';
/** The Timeline's status bar, where "Updating…" shows while a rebuild runs (the grid's Status cells share its class). */
const STATUS_BAR = '.statusbar.tl-status';

/** Progress on stderr: the Chromium part takes minutes. */
const step = (what: string) => console.error(`  chromium: ${what}`);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A CDP session of our own on the panel page, for evaluations that take longer than the harness's 15 s default. */
async function longEvaluator(devtools: DevToolsHandle, panel: PanelHandle, label: string) {
  const session = await TargetSession.attach(devtools.browserSession, panel.targetId, label);
  return { session, evaluate: <T>(expression: string, timeout = 180_000) => evaluateIn<T>(session, expression, timeout) };
}

interface Inspected {
  page: Page;
  devtools: DevToolsHandle;
  panel: PanelHandle;
  close(): Promise<void>;
}

/** The demo page with DevTools open, logged in, and the Session panel shown on its cookie. */
async function inspectedDemo(browser: LaunchedBrowser, flask: FlaskApp): Promise<Inspected> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
  await page.goto(`${flask.url}/`);
  await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.text()));
  const panel = await devtools.showPanel();
  await waitForVerdict(panel, "Not verified — paste the app's SECRET_KEY", { timeout: 20_000 });
  return {
    page,
    devtools,
    panel,
    close: async () => {
      await devtools.close();
      await page.close();
    },
  };
}

// ------------------------------------------------------------------ 3. the panel's weak-secret check

interface CheckRun {
  wallMs: number;
  status: string;
  tried: number;
  threads: number;
  kernel: string | null;
}

/** Clicks "Check for a known secret" and resolves, in the panel, once the result is rendered (as e2e/secret-audit.test.ts). */
const RUN_CHECK = `new Promise((resolve) => {
  const before = document.querySelector('#known-secret-result');
  const start = performance.now();
  const observer = new MutationObserver(() => {
    const result = document.querySelector('#known-secret-result');
    const audit = ${AUDIT};
    if (result && result !== before && audit.status !== 'running') {
      observer.disconnect();
      resolve({ wallMs: performance.now() - start, status: audit.status, tried: audit.tried, threads: audit.threads, kernel: audit.kernel });
    }
  });
  observer.observe(document.querySelector('#known-secret'), { childList: true, subtree: true, characterData: true });
  document.querySelector('#known-secret-check').click();
})`;

async function benchSecretCheck(browser: LaunchedBrowser, flask: FlaskApp, wordlist: string, runs: number) {
  const inspected = await inspectedDemo(browser, flask);
  try {
    const { panel, devtools } = inspected;
    await panel.waitFor(`${STATE}.knownSecret.target !== null`, { timeout: 20_000 });
    const { session, evaluate } = await longEvaluator(devtools, panel, 'panel (bench: secret check)');
    try {
      // The file input is set the way Playwright's setInputFiles does it (CDP DOM.setFileInputFiles).
      const { result } = await session.send<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: `document.querySelector('#wordlist-file')` });
      if (!result.objectId) throw new Error('the panel has no #wordlist-file input');
      await session.send('DOM.setFileInputFiles', { files: [wordlist], objectId: result.objectId });
      await panel.waitFor(`${AUDIT}.wordlist?.name === ${JSON.stringify(wordlist.split('/').pop())}`);
      // The first run starts right after the file is chosen, while the workers still warm up on it (as a user would).
      const all: CheckRun[] = [];
      for (let i = 0; i < runs; i++) all.push(await evaluate<CheckRun>(RUN_CHECK));
      const bad = all.find((r) => r.status !== 'not-found' || r.tried !== all[0]!.tried);
      if (bad) throw new Error(`the check did not try the whole list: ${JSON.stringify(bad)}`);
      const warm = all.slice(1).map((r) => r.wallMs);
      const medianMs = median(warm);
      return {
        candidates: all[0]!.tried,
        workers: all[0]!.threads,
        kernel: all.at(-1)!.kernel,
        first_run_ms: round(all[0]!.wallMs),
        warm_runs_ms: warm.map((v) => round(v)),
        median_ms: round(medianMs),
        rate_per_second: Math.round(all[0]!.tried / (medianMs / 1000)),
      };
    } finally {
      await session.detach();
    }
  } finally {
    await inspected.close();
  }
}

// ------------------------------------------------------------------ 4. Timeline re-analysis

interface Reanalysis {
  /** From the input event to the Timeline starting its rebuild ("Updating…" rendered). */
  startedMs: number;
  /** From the input event to the last "Updating…" gone: every row re-analysed and rendered into the DOM. */
  doneMs: number;
  /** The longest gap between two animation frames of the panel, from the input event to the frame after done. */
  maxFrameGapMs: number;
  frames: number;
  longTasksMs: number[];
}

/**
 * In the panel: sets the Secret key field to `value` (one input event, as a paste) and watches
 * the Timeline's status bar until its rebuild is over; a requestAnimationFrame loop records the
 * gaps between frames meanwhile, a PerformanceObserver the long tasks.
 */
const reanalyse = (value: string) => `new Promise((resolve, reject) => {
  const status = () => document.querySelector(${JSON.stringify(STATUS_BAR)})?.textContent ?? '';
  if (status().includes(${JSON.stringify(UPDATING)})) return reject(new Error('the Timeline is still updating'));
  const input = ${SECRET_INPUT};
  if (!input) return reject(new Error('no Secret key input'));
  const longTasks = [];
  const tasks = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e); });
  tasks.observe({ type: 'longtask' });
  let t0 = 0, last = 0, maxGap = 0, frames = 0, startedMs = null, doneMs = null, seen = false;
  const finish = () => {
    for (const e of tasks.takeRecords()) longTasks.push(e);
    tasks.disconnect();
    resolve({ startedMs, doneMs, maxFrameGapMs: maxGap, frames, longTasksMs: longTasks.filter((e) => e.startTime + e.duration >= t0).map((e) => Math.round(e.duration)) });
  };
  const frame = (now) => {
    if (t0 > 0) { maxGap = Math.max(maxGap, now - last); frames++; }
    last = now;
    if (doneMs !== null) return finish();
    requestAnimationFrame(frame);
  };
  const observer = new MutationObserver(() => {
    const updating = status().includes(${JSON.stringify(UPDATING)});
    if (updating && !seen) { seen = true; startedMs = performance.now() - t0; }
    if (!updating && seen) { observer.disconnect(); doneMs = performance.now() - t0; }
  });
  // The whole Timeline tab: a status bar rendered anew is still seen.
  observer.observe(document.querySelector('#tabpanel-timeline'), { childList: true, subtree: true, characterData: true });
  // Two frames first, so the loop is in step before the input event.
  requestAnimationFrame(() => requestAnimationFrame((now) => {
    last = now;
    t0 = performance.now();
    input.focus();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(value)});
    input.dispatchEvent(new Event('input', { bubbles: true }));
    requestAnimationFrame(frame);
    setTimeout(() => seen || reject(new Error('the Timeline did not start updating within 10 s of the new key; its status bar reads ' + JSON.stringify(status()) + ', the tab ' + JSON.stringify(document.querySelector('#tabpanel-timeline').textContent.slice(0, 200)))), 10_000);
  }));
})`;

/** The same frame loop on the idle panel for `durationMs`: the noise floor of this machine. */
const idleFrames = (durationMs: number) => `new Promise((resolve) => {
  let first = null, last = 0, maxGap = 0, frames = 0;
  const frame = (now) => {
    if (first === null) first = now; else { maxGap = Math.max(maxGap, now - last); frames++; }
    last = now;
    if (now - first < ${durationMs}) requestAnimationFrame(frame); else resolve({ maxFrameGapMs: maxGap, frames });
  };
  requestAnimationFrame(frame);
})`;

/**
 * `count` requests to `path` from the page, `parallel` at a time, each body read. A string, not a
 * function: under tsx a function's inner closures would call esbuild's `__name`, which the page lacks.
 */
function burst(page: Page, path: string, count: number, parallel: number): Promise<void> {
  return page.evaluate(`(async () => {
    let next = 0;
    const worker = async () => {
      while (next < ${count}) await fetch(${JSON.stringify(path)} + '?i=' + next++).then((r) => r.text());
    };
    await Promise.all(Array.from({ length: ${parallel} }, worker));
  })()`);
}

async function benchReanalysis(browser: LaunchedBrowser, flask: FlaskApp, path: string, cycles: number) {
  const inspected = await inspectedDemo(browser, flask);
  try {
    const { page, panel, devtools } = inspected;
    await showTab(panel, 'Timeline'); // mounted on first show, then kept while the Session view is shown
    const before = await waitForRows(panel, 2);
    step(`${TIMELINE_ENTRIES.toLocaleString('en-US')} requests to ${path}`);
    const burstStart = performance.now();
    await burst(page, path, TIMELINE_ENTRIES, 8);
    const burstMs = performance.now() - burstStart;
    const total = before + TIMELINE_ENTRIES;
    await panel.waitFor(`${STATE}.exchanges.at(-1)?.seq >= ${total}`, { timeout: 120_000, interval: 250 });
    await waitUntil(
      `the Timeline to hold ${Math.min(TIMELINE_ENTRIES + before, TIMELINE_CAPACITY)} rows, not updating`,
      async () => (await rowCount(panel)) === Math.min(TIMELINE_ENTRIES + before, TIMELINE_CAPACITY) && !(await panel.text(STATUS_BAR)).includes(UPDATING),
      { timeout: 120_000, interval: 250 },
    );
    await showTab(panel, 'Session');
    step(`the Timeline holds them (${Math.round((performance.now() - burstStart) / 1000)} s); pasting the key ${cycles} times`);
    const { session, evaluate } = await longEvaluator(devtools, panel, 'panel (bench: re-analysis)');
    try {
      const idle = await evaluate<{ maxFrameGapMs: number; frames: number }>(idleFrames(2_000));
      const typed: Reanalysis[] = [];
      const cleared: Reanalysis[] = [];
      for (let i = 0; i < cycles; i++) {
        typed.push(await evaluate<Reanalysis>(reanalyse(SECRET)));
        await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
        cleared.push(await evaluate<Reanalysis>(reanalyse('')));
      }
      // The rows really were re-read with the key: the newest row's details verify its cookie.
      await evaluate(reanalyse(SECRET));
      await showTab(panel, 'Timeline');
      const seq = await panel.waitFor<string>(
        `(() => {
          const grid = document.querySelector(${JSON.stringify(GRID)});
          grid.scrollTop = grid.scrollHeight;
          const last = grid.getAttribute('aria-rowcount');
          const row = grid.querySelector('[role="row"][data-seq][aria-rowindex="' + last + '"]');
          if (!row) return false;
          row.click();
          return row.dataset.seq;
        })()`,
        { timeout: 10_000 },
      );
      const details = await panel.waitFor<string>(`document.querySelector('.tl-details[data-seq="${seq}"]')?.textContent`, { timeout: 10_000 });
      if (!/valid/i.test(details)) throw new Error(`after the re-analysis the newest row's details show no valid signature: ${details.slice(0, 300)}`);
      // Settings are kept per origin (storage.session): leave none behind for the next measurement on this app.
      await showTab(panel, 'Session');
      await evaluate(reanalyse(''));
      const summary = (runs: Reanalysis[]) => ({
        runs: runs.map((r) => ({ started_ms: round(r.startedMs), done_ms: round(r.doneMs), max_frame_gap_ms: round(r.maxFrameGapMs), frames: r.frames, long_tasks_ms: r.longTasksMs })),
        first_done_ms: round(runs[0]!.doneMs),
        median_done_ms: round(median(runs.map((r) => r.doneMs))),
        median_started_ms: round(median(runs.map((r) => r.startedMs))),
        max_frame_gap_ms: round(Math.max(...runs.map((r) => r.maxFrameGapMs))),
        longest_task_ms: Math.max(0, ...runs.flatMap((r) => r.longTasksMs)),
      });
      return { requests: `${TIMELINE_ENTRIES} × ${path}, 8 at a time`, rows: await rowCount(panel), burst_ms: Math.round(burstMs), idle_max_frame_gap_ms: round(idle.maxFrameGapMs), idle_frames_per_2s: idle.frames, secret_typed: summary(typed), secret_cleared: summary(cleared) };
    } finally {
      await session.detach();
    }
  } finally {
    await inspected.close();
  }
}

// ------------------------------------------------------------------ 5. panel shown → first render

/**
 * In a page: a `performance.now()` time as Unix ms. The DevTools front-end and the panel run in
 * different processes; the wall clock (Date.now) is the one both read alike.
 */
const EPOCH = `((t) => Date.now() - performance.now() + t)`;

async function benchFirstRender(browser: LaunchedBrowser, flask: FlaskApp, repetitions: number) {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  try {
    await page.goto(`${flask.url}/`);
    await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.text()));
    const panelUrl = `chrome-extension://${browser.extensionId}/`;
    const runs: { frameMs: number; fcpMs: number }[] = [];
    for (let i = 0; i < repetitions; i++) {
      const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      try {
        // panels.create has answered by now (the devtools page loaded and getHAR answered); a short pause lets DevTools settle.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const shownAt = await devtools.evaluateFrontend<number>(`(() => { DevToolsAPI.showPanel(${JSON.stringify(extensionPanelId(browser.extensionId, 'Session'))}); return ${EPOCH}(performance.now()); })()`);
        const target = await waitUntil(
          'the Session panel page to be created',
          async () => (await listTargets(devtools.browserSession)).find((t) => t.type === 'iframe' && t.parentId === devtools.frontendTargetId && t.url.startsWith(panelUrl) && t.url.includes('panel.html')),
          { timeout: 20_000, interval: 20 },
        );
        const panel = await TargetSession.attach(devtools.browserSession, target.targetId, 'panel (bench: first render)');
        try {
          const paint = await waitUntil(
            'the panel to report its first contentful paint',
            () =>
              evaluateIn<{ origin: number; fcp: number } | null>(
                panel,
                `(() => { const fcp = performance.getEntriesByName('first-contentful-paint')[0]; return fcp ? { origin: ${EPOCH}(0), fcp: ${EPOCH}(fcp.startTime) } : null; })()`,
              ),
            { timeout: 20_000, interval: 50 },
          );
          runs.push({ frameMs: paint.origin - shownAt, fcpMs: paint.fcp - shownAt });
        } finally {
          await panel.detach();
        }
      } finally {
        await devtools.close();
      }
    }
    return {
      repetitions,
      runs_ms: runs.map((r) => round(r.fcpMs)),
      median_ms: round(median(runs.map((r) => r.fcpMs))),
      first_ms: round(runs[0]!.fcpMs),
      median_page_created_ms: round(median(runs.map((r) => r.frameMs))),
    };
  } finally {
    await page.close();
  }
}

// ------------------------------------------------------------------ 6. page overhead

/** A profile without the extension, otherwise started as the harness starts one. */
async function launchPlainBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await temporaryProfile('session-lens-bench-plain-');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: chromiumExecutable(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await profile.remove();
    },
  };
}

/**
 * A 95% interval for median(a) / median(b), by resampling both (bootstrap, fixed seed): on a busy
 * machine it says whether a ratio near the 1.01 goal is a difference or noise.
 */
function bootstrapRatio(a: readonly number[], b: readonly number[], rounds = 2_000): [number, number] {
  let seed = 0x5e55;
  const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const resample = (xs: readonly number[]) => xs.map(() => xs[Math.floor(random() * xs.length)]!);
  const ratios = Array.from({ length: rounds }, () => median(resample(a)) / median(resample(b))).sort((x, y) => x - y);
  return [ratios[Math.floor(rounds * 0.025)]!, ratios[Math.floor(rounds * 0.975)]!];
}

async function benchPageOverhead(repetitions: number) {
  const server = await startStaticServer();
  const withExtension = await launchBrowserWithExtension();
  const without = await launchPlainBrowser();
  try {
    const pages = { with: await withExtension.context.newPage(), without: await without.context.newPage() };
    const times: { with: number[]; without: number[] } = { with: [], without: [] };
    const load = async (which: 'with' | 'without', i: number) => {
      const page = pages[which];
      await page.goto(server.url(`/?load=${i}`), { waitUntil: 'load' });
      // Navigation start to the end of the load event, as the page itself measured it.
      const duration = await page.evaluate(() => {
        const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        return entry!.loadEventEnd - entry!.startTime;
      });
      if (i >= 0) times[which].push(duration);
    };
    // Warm-up, then alternating (ABBA), so drift in the machine's load falls on both sides.
    for (let i = 0; i < 5; i++) for (const which of ['with', 'without'] as const) await load(which, -1);
    for (let i = 0; i < repetitions; i++) {
      const order = i % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      for (const which of order) await load(which, i);
    }
    const withMs = median(times.with);
    const withoutMs = median(times.without);
    return {
      repetitions,
      with_extension_median_ms: round(withMs, 2),
      without_extension_median_ms: round(withoutMs, 2),
      ratio: withMs / withoutMs,
      ratio_95: bootstrapRatio(times.with, times.without),
    };
  } finally {
    await withExtension.close();
    await without.close();
    await server.close();
  }
}

// ------------------------------------------------------------------ the part bench/run.ts calls

function flaskStack(): FlaskStack {
  return existsSync(join(REPO_ROOT, '.venv-modern', 'bin', 'python')) ? 'modern' : 'debian';
}

export const PARTS = ['secret-check', 'reanalysis', 'first-render', 'page-overhead'] as const;
export type Part = (typeof PARTS)[number];

/** Measures what `parts` names (all by default); prints a line for each part it has to skip, and why. */
export async function benchChromium({ wordlist, parts = PARTS }: { wordlist: string; parts?: readonly Part[] }): Promise<ChromiumBench> {
  const rows: BenchRow[] = [];
  const results: Record<string, unknown> = {};
  // The machine's load while the browser part ran (it is the noisiest part).
  const loadAtStart = loadavg();
  const executable = chromiumExecutable();
  if (!existsSync(executable)) {
    console.log(`(no Chromium at ${executable}; set CHROMIUM_PATH: the Chromium part is skipped)`);
    return { rows, results };
  }
  if (!existsSync(join(extensionDistDir(), 'manifest.json'))) {
    console.log(`(no extension build in ${extensionDistDir()}; run npm run build: the Chromium part is skipped)`);
    return { rows, results };
  }
  const inPanel = parts.filter((p) => p !== 'page-overhead');
  let flask: FlaskApp | undefined;
  if (inPanel.length > 0) {
    try {
      flask = await startFlaskApp({ stack: flaskStack(), secretKey: SECRET });
    } catch (error) {
      console.log(`(the demo Flask app did not start, so ${inPanel.join(', ')} in Chromium is skipped: ${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (flask) {
    const browser = await launchBrowserWithExtension();
    try {
      results.chromium = { version: browser.context.browser()?.version() ?? 'unknown', flask: flask.info.flask, flask_stack: flask.stack };

      if (parts.includes('secret-check') && !existsSync(wordlist)) console.log(`(no ${wordlist}: the panel's weak-secret check in Chromium is skipped)`);
      else if (parts.includes('secret-check')) {
        step('weak-secret check in the panel');
        const check = await benchSecretCheck(browser, flask, wordlist, 8);
        results.panel_secret_check = check;
        rows.push({
          work: `weak-secret check in the panel, whole public list (${check.candidates.toLocaleString('en-US')} candidates, ${check.workers} workers)`,
          ours: `${ms(check.median_ms)} (${perSecond(check.rate_per_second)}; first, while the workers warm up: ${ms(check.first_run_ms)})`,
          reference: '150 ms goal',
          ratio: check.median_ms / 150,
          goal: '≤ 1× (< 150 ms wall)',
        });
      }

      if (parts.includes('reanalysis')) {
        step('Timeline re-analysis');
        const re = await benchReanalysis(browser, flask, '/modify', 5);
        results.timeline_reanalysis = re;
        const typed = re.secret_typed;
        rows.push({
          work: `Timeline re-analysis, ${TIMELINE_ENTRIES.toLocaleString('en-US')} rows (every request changes the cookie): key pasted → all rows re-analysed`,
          ours: `${ms(typed.median_done_ms)} (rebuild under way after ${ms(typed.median_started_ms)}; first paste ${ms(typed.first_done_ms)})`,
          reference: '200 ms goal',
          ratio: typed.median_done_ms / 200,
          goal: '≤ 1× (< 200 ms)',
        });
        rows.push({
          work: 'longest frame gap meanwhile (longest task of the panel)',
          ours: `${ms(typed.max_frame_gap_ms)} (${ms(typed.longest_task_ms)})`,
          reference: `50 ms goal (idle panel, 2 s: ${ms(re.idle_max_frame_gap_ms)})`,
          ratio: typed.max_frame_gap_ms / 50,
          goal: '≤ 1× (no gap > 50 ms)',
        });
      }

      if (parts.includes('first-render')) {
        step('panel shown → first render');
        const render = await benchFirstRender(browser, flask, 7);
        results.panel_first_render = render;
        rows.push({
          work: 'panel shown → first render of the Session panel (first contentful paint)',
          ours: `${ms(render.median_ms)} (first show in this browser: ${ms(render.first_ms)})`,
          reference: `none (DevTools' share, showPanel → page created: ${ms(render.median_page_created_ms)})`,
          ratio: null,
          goal: '—',
        });
      }
    } finally {
      await browser.close();
      await flask.stop();
    }
  }

  if (parts.includes('page-overhead')) {
    step('page load with and without the extension');
    const overhead = await benchPageOverhead(150);
    results.page_overhead = overhead;
    rows.push({
      work: `page load, extension installed and DevTools closed vs no extension (median of ${overhead.repetitions} each)`,
      ours: `${overhead.with_extension_median_ms} ms`,
      reference: `${overhead.without_extension_median_ms} ms (profile without it, same run; ratio 95% interval ${overhead.ratio_95.map((r) => r.toFixed(3)).join('–')})`,
      ratio: overhead.ratio,
      goal: '≤ 1.01×',
    });
  }
  results.chromium_load_average = { start: loadAtStart, end: loadavg() };
  return { rows, results };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  // Alone: node --import tsx bench/chromium.ts [--only secret-check,reanalysis,first-render,page-overhead]
  const only = process.argv.indexOf('--only');
  const parts = only > 0 ? (process.argv[only + 1] ?? '').split(',').filter((p): p is Part => (PARTS as readonly string[]).includes(p)) : PARTS;
  const { rows, results } = await benchChromium({ wordlist: join(REPO_ROOT, '..', 'shared', 'wordlists', 'flask-unsign-all.txt'), parts });
  console.log(JSON.stringify(results, null, 2));
  for (const r of rows) console.log(`| ${r.work} | ${r.ours} | ${r.reference} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.goal} |`);
}
