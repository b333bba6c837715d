/**
 * 2,000 requests while the Timeline tab is shown, inside real DevTools against the real demo app:
 * the panel keeps answering during the burst and loses no event (every request is a row, once, in
 * order); it prints its round trips, the time to show the last row and the filter's answer time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchBrowserWithExtension, openDevToolsOnly, type LaunchedBrowser } from './support';
import { GRID, rowCount, showTab, timelineRows, waitForRows } from './timeline-helpers';

const REQUESTS = 2_000;
const CONCURRENCY = 6;

let browser: LaunchedBrowser;
let flask: FlaskApp;

beforeAll(async () => {
  [browser, flask] = await Promise.all([launchBrowserWithExtension(), startFlaskApp({ stack: 'modern', secretKey: 'scale-secret' })]);
});

afterAll(async () => {
  await browser?.close();
  await flask?.stop();
});

describe('Timeline at 2,000 requests', () => {
  it('keeps answering and keeps every request', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
    try {
      await page.goto(`${flask.url}/`);
      const panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.text()));
      const before = await waitForRows(panel, 2);

      // Round trips into the panel while the burst runs: a busy main thread delays them.
      let bursting = true;
      const latencies: number[] = [];
      const sampler = (async () => {
        while (bursting) {
          const t0 = performance.now();
          await panel.evaluate('1');
          latencies.push(performance.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const burstStart = performance.now();
      await page.evaluate(
        async ([total, workers]) => {
          let next = 0;
          const worker = async () => {
            while (next < total) {
              const i = next++;
              await fetch(`/whoami?i=${i}`).then((r) => r.text());
            }
          };
          await Promise.all(Array.from({ length: workers }, worker));
        },
        [REQUESTS, CONCURRENCY] as const,
      );
      const requestsDone = performance.now();
      await waitForRows(panel, before + REQUESTS, { timeout: 30_000, interval: 50 });
      // Scrolled to the bottom, the newest row is on screen.
      await panel.waitFor(
        `(() => { const grid = document.querySelector('${GRID}'); const rows = grid.querySelectorAll('[role="row"][data-seq]');
           return rows.length > 0 && Number(rows[rows.length - 1].getAttribute('aria-rowindex')) === Number(grid.getAttribute('aria-rowcount')); })()`,
        { timeout: 10_000 },
      );
      const lastRowShown = performance.now();
      bursting = false;
      await sampler;

      // The filter answers quickly over all rows.
      const filterStart = performance.now();
      await panel.type('.tl-filter', 'i=1234');
      await panel.waitFor(
        `(() => { const rows = document.querySelectorAll('${GRID} [role="row"][data-seq]'); return rows.length === 1 && rows[0].textContent.includes('/whoami?i=1234'); })()`,
        { timeout: 10_000, interval: 10 },
      );
      const filterMs = performance.now() - filterStart;
      await panel.type('.tl-filter', '');
      await waitForRows(panel, before + REQUESTS);

      const timings = {
        burstMs: Math.round(requestsDone - burstStart),
        lastRowAfterBurstMs: Math.round(lastRowShown - requestsDone),
        maxPanelRoundTripMs: Math.round(Math.max(...latencies)),
        samples: latencies.length,
        filterMs: Math.round(filterMs),
      };
      // Printed, not asserted: how fast is for the bench; a 2-core CI machine under load once took
      // 2.5 s for a round trip that takes 0.2 s when quiet. Work that grew with the history would
      // still fail here, on the waits above.
      console.log('[timeline scale]', JSON.stringify(timings));
      expect(timings.samples, 'the panel answered again and again during the burst').toBeGreaterThan(10);

      // Every request is there once, in the order DevTools reported them.
      const rows = await timelineRows(panel);
      const burst = rows.filter((r) => r.path.startsWith('/whoami?i='));
      expect(burst).toHaveLength(REQUESTS);
      expect(new Set(burst.map((r) => r.path)).size).toBe(REQUESTS);
      expect(burst.every((r) => r.event === 'read' && r.text.includes('Read'))).toBe(true);
      const seqs = rows.filter((r) => r.kind === 'http').map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(await rowCount(panel)).toBe(rows.length);
      const received = await panel.evaluate<number>(`window.__sessionLens.state().exchanges.filter((e) => e.url.includes('/whoami?i=')).length`);
      expect(received).toBe(REQUESTS);
    } finally {
      await devtools.close();
      await page.close();
    }
  });
});
