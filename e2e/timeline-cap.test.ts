/**
 * 10,000 requests through a real page, inside real DevTools against the real demo app, with the
 * Timeline shown: more than the 10,000 entries the Timeline holds (the page load and the login
 * came first). Nothing is lost silently: what came in is what is shown plus what the note above
 * the list says was dropped, exactly, and the export says the same. After DevTools is closed and
 * reopened, the restored history plus its note again account for every request.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchBrowserWithExtension, openDevToolsOnly, waitUntil, type DevToolsHandle, type LaunchedBrowser, type PanelHandle } from './support';
import { GRID, captureDownloads, exportTimeline, rowCount, savedExchanges, showTab, waitForRows } from './timeline-helpers';

const REQUESTS = 10_000;
const CAPACITY = 10_000;
const CONCURRENCY = 8;

let browser: LaunchedBrowser;
let flask: FlaskApp;

beforeAll(async () => {
  [browser, flask] = await Promise.all([launchBrowserWithExtension(), startFlaskApp({ stack: 'modern', secretKey: 'cap-secret' })]);
});

afterAll(async () => {
  await browser?.close();
  await flask?.stop();
});

/** `count` GET /whoami?i=… from the page, `workers` at a time, each body read. */
function burst(page: Page, count: number, workers: number): Promise<void> {
  return page.evaluate(
    async ([total, parallel]) => {
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          await fetch(`/whoami?i=${i}`).then((r) => r.text());
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
    },
    [count, workers] as const,
  );
}

interface Shown {
  rows: number;
  firstSeq: number;
  lastSeq: number;
  note: string | null;
  /** Every number the note states, in order. */
  noteNumbers: number[];
}

/** What the Timeline shows: its row count, the first and last row (scrolled to each end), the note. */
async function shown(panel: PanelHandle): Promise<Shown> {
  const edge = (where: 'top' | 'bottom') =>
    panel.waitFor<number>(
      `(() => {
        const grid = document.querySelector('${GRID}');
        grid.scrollTop = ${where === 'top' ? '0' : 'grid.scrollHeight'};
        const rows = Array.from(grid.querySelectorAll('[role="row"][data-seq]'));
        const row = rows.find((r) => Number(r.getAttribute('aria-rowindex')) === ${where === 'top' ? '2' : "Number(grid.getAttribute('aria-rowcount'))"});
        return row ? Number(row.dataset.seq) : false;
      })()`,
      { timeout: 10_000 },
    );
  const firstSeq = await edge('top');
  const lastSeq = await edge('bottom');
  const note = await panel.evaluate<string | null>(`document.querySelector('.tl-dropped')?.textContent ?? null`);
  return {
    rows: await rowCount(panel),
    firstSeq,
    lastSeq,
    note,
    noteNumbers: [...(note ?? '').matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replace(/,/g, ''))),
  };
}

/**
 * `shown()` once the Timeline has caught up with every exchange the panel received (it feeds them
 * in slices): its last row is the last exchange and the row count held still while both ends were read.
 */
async function settled(panel: PanelHandle, what: string): Promise<Shown> {
  return waitUntil(
    `${what} to settle (row count min(received, ${CAPACITY}), the last row the last exchange received)`,
    async () => {
      const rowsBefore = await rowCount(panel);
      const s = await shown(panel);
      const [received, lastReceived] = await panel.evaluate<[number, number]>(
        '(() => { const e = window.__sessionLens.state().exchanges; return [e.length, e.at(-1)?.seq ?? 0]; })()',
      );
      return rowsBefore === s.rows && s.rows === Math.min(received, CAPACITY) && s.lastSeq === lastReceived && s;
    },
    { timeout: 30_000, interval: 250 },
  );
}

describe('Timeline at 10,000 requests, over its cap', () => {
  it('every request is shown or counted in the note, exactly; the export and a DevTools reopen agree', { timeout: 420_000 }, async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    let devtools: DevToolsHandle = await openDevToolsOnly(browser.context, page, browser.extensionId);
    try {
      await page.goto(`${flask.url}/`);
      let panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.text()));
      // The demo page declares an inline icon: exactly two exchanges before the burst.
      expect(await waitForRows(panel, 2)).toBe(2);
      const before = 2;
      const total = before + REQUESTS;

      const t0 = performance.now();
      await burst(page, REQUESTS, CONCURRENCY);
      const burstMs = performance.now() - t0;
      // In: every request reached the panel (the collector numbers them 1…total).
      await panel.waitFor(`window.__sessionLens.state().exchanges.at(-1)?.seq === ${total}`, { timeout: 60_000, interval: 250 });
      await waitUntil('the Timeline to hold its full 10,000 rows', async () => (await rowCount(panel)) === CAPACITY, { timeout: 60_000, interval: 250 });
      const live = await settled(panel, 'the live Timeline');
      const shownMs = performance.now() - t0;

      // Shown: the newest 10,000, contiguous; the note names the two older ones dropped.
      expect({ rows: live.rows, firstSeq: live.firstSeq, lastSeq: live.lastSeq }).toEqual({ rows: CAPACITY, firstSeq: total - CAPACITY + 1, lastSeq: total });
      expect(live.note, 'the Timeline must say that it dropped older entries').not.toBeNull();
      const droppedLive = total - CAPACITY;
      // "Older entries were dropped to bound memory: N …": the numbers it gives (besides the limit) add up to what was dropped.
      expect({ note: live.note, dropped: live.noteNumbers.filter((n) => n !== CAPACITY).reduce((a, b) => a + b, 0) }).toEqual({ note: live.note, dropped: droppedLive });
      // All 10,000 of the burst are among them, once each.
      const burstKept = await panel.evaluate<number>(
        `new Set(window.__sessionLens.state().exchanges.filter((e) => /[?]i=\\d+$/.test(e.url)).map((e) => e.url)).size`,
      );
      expect(burstKept).toBe(REQUESTS);

      // The export holds the same: 10,000 entries, and says how many were dropped.
      await captureDownloads(panel);
      const exported = JSON.parse((await exportTimeline(panel, 'Export JSON')).text) as { droppedEntries: number; entries: unknown[] };
      expect({ entries: exported.entries.length, dropped: exported.droppedEntries }).toEqual({ entries: CAPACITY, dropped: droppedLive });

      // DevTools closed and reopened: the restored history (4 MB per tab) plus its note account for every request.
      await waitUntil('the last request of the burst to be saved in storage.session', async () => (await savedExchanges(devtools)).at(-1)?.seq === total, {
        timeout: 15_000,
        interval: 250,
      }).catch(async (error: unknown) => {
        // Say what storage holds: its use against the quota, and the saved seq range and gaps.
        const seqs = (await savedExchanges(devtools)).map((e) => e.seq);
        const gaps = seqs.slice(1).flatMap((seq, i) => (seq === seqs[i]! + 1 ? [] : [`${seqs[i]}→${seq}`]));
        const usage = await devtools.evaluateDevtoolsPage<unknown>(
          `chrome.storage.session.getBytesInUse(null).then((bytesInUse) => ({ bytesInUse, quota: chrome.storage.session.QUOTA_BYTES }))`,
        );
        throw new Error(`${(error as Error).message}; storage.session: ${JSON.stringify({ usage, saved: seqs.length, first: seqs[0], last: seqs.at(-1), gaps: gaps.slice(0, 20) })}`);
      });
      await devtools.close();
      devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
      panel = await devtools.showPanel();
      await showTab(panel, 'Timeline');
      await panel.waitFor(`window.__sessionLens.state().exchanges.at(-1)?.seq === ${total}`, { timeout: 30_000, interval: 250 });
      const restored = await settled(panel, 'the restored Timeline');
      expect(restored.lastSeq).toBe(total);
      // Contiguous: a gap would be a silent loss (the message names the missing ranges).
      const gaps = await panel.evaluate<string[]>(`(() => {
        const seqs = window.__sessionLens.state().exchanges.map((e) => e.seq);
        const gaps = [];
        for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1] + 1) gaps.push(seqs[i - 1] + '→' + seqs[i]);
        return gaps;
      })()`);
      expect(gaps, `restored ${restored.rows} rows from seq ${restored.firstSeq} to ${restored.lastSeq}`).toEqual([]);
      expect(restored.lastSeq - restored.firstSeq + 1).toBe(restored.rows);
      const droppedRestored = total - restored.rows;
      expect(restored.note, `${restored.rows} rows restored of ${total}: the note must say how many are missing`).not.toBeNull();
      expect({ note: restored.note, dropped: restored.noteNumbers.filter((n) => n !== CAPACITY).reduce((a, b) => a + b, 0) }).toEqual({
        note: restored.note,
        dropped: droppedRestored,
      });

      console.log('[timeline cap]', JSON.stringify({ burstMs: Math.round(burstMs), shownMs: Math.round(shownMs), restoredRows: restored.rows, note: restored.note }));
    } finally {
      await devtools.close();
      await page.close();
    }
  });
});
