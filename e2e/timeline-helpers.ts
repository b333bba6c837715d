/**
 * What the timeline e2e tests read from and do in the panel's Timeline tab. It relies on the
 * accessibility contract (a grid named "Session timeline" whose rows read "… event … path …")
 * plus the rows' data-seq / data-event attributes and the details pane.
 */
import type { Page } from 'playwright-core';
import { openDevToolsOnly, type DevToolsHandle, type LaunchedBrowser, type PanelHandle, type WaitOptions } from './support';

const js = (value: unknown) => JSON.stringify(value);

export const GRID = '[role="grid"][aria-label="Session timeline"]';

export interface TimelineRow {
  kind: 'http' | 'jar';
  seq: number;
  event: string;
  path: string;
  text: string;
}

export interface TimelineDetailsView {
  text: string;
  changes: string[];
  diagnostics: string[];
}

/** Clicks the tab named `name` in the panel's tab list. */
export async function showTab(panel: PanelHandle, name: 'Session' | 'Timeline'): Promise<void> {
  await panel.waitFor(`Array.from(document.querySelectorAll('[role="tab"]')).some((t) => t.textContent.trim() === ${js(name)})`);
  await panel.evaluate(`Array.from(document.querySelectorAll('[role="tab"]')).find((t) => t.textContent.trim() === ${js(name)}).click()`);
  if (name === 'Timeline') await panel.waitFor(`!!document.querySelector(${js(GRID)})`);
}

/** Number of data rows the grid says it has (aria-rowcount counts the header row too). */
export function rowCount(panel: PanelHandle): Promise<number> {
  return panel.evaluate<number>(`Number(document.querySelector(${js(GRID)})?.getAttribute('aria-rowcount') ?? 1) - 1`);
}

/**
 * In-page: `walkRows(grid, visit)` calls `visit(row)` for each data row of the virtualized grid in
 * order, from the top, scrolling each next row into view and waiting until the virtualizer has
 * rendered it (it does so on a later frame: a fixed pause misses rows on a busy machine). Stops
 * when `visit` returns true (and returns true) or after the last row. A row that never renders
 * fails with its index.
 */
const WALK_ROWS = `
  const walkRows = async (grid, visit) => {
    const rowAt = (index) => grid.querySelector('[role="row"][aria-rowindex="' + index + '"]');
    const total = () => Number(grid.getAttribute('aria-rowcount'));
    const rendered = async (index) => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const row = rowAt(index);
        if (row || index > total()) return row;
        if (Date.now() > deadline) throw new Error('timeline row ' + index + ' of ' + total() + ' was not rendered at scrollTop ' + grid.scrollTop);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    grid.scrollTop = 0;
    const header = grid.querySelector('[role="row"][aria-rowindex="1"]').getBoundingClientRect().height;
    for (let index = 2; index <= total(); index++) {
      if (!rowAt(index) && index > 2) {
        // Put the bottom of the row just visited under the sticky header: the next one is then on screen.
        const previous = rowAt(index - 1);
        if (!previous) throw new Error('timeline row ' + (index - 1) + ' vanished while walking the grid');
        grid.scrollTop += previous.getBoundingClientRect().bottom - grid.getBoundingClientRect().top - header;
      }
      const row = await rendered(index);
      if (!row) break;
      if (visit(row)) return true;
    }
    return false;
  };
`;

/** Every row of the (virtualized) grid, in order (see WALK_ROWS); leaves the grid scrolled to the bottom. */
export function timelineRows(panel: PanelHandle): Promise<TimelineRow[]> {
  return panel.evaluate<TimelineRow[]>(`(async () => {
    ${WALK_ROWS}
    const grid = document.querySelector(${js(GRID)});
    if (!grid) throw new Error('no Session timeline grid');
    const rows = [];
    await walkRows(grid, (row) => {
      rows.push({
        kind: row.dataset.kind,
        seq: Number(row.dataset.seq),
        event: row.dataset.event,
        path: row.querySelector('[role="gridcell"]:nth-child(3)').textContent,
        text: row.textContent,
      });
      return false;
    });
    grid.scrollTop = grid.scrollHeight;
    return rows;
  })()`);
}

/** Waits until the grid has at least `count` rows. */
export function waitForRows(panel: PanelHandle, count: number, options: WaitOptions = {}): Promise<number> {
  return panel.waitFor<number>(
    `(() => { const n = Number(document.querySelector(${js(GRID)})?.getAttribute('aria-rowcount') ?? 1) - 1; return n >= ${count} && n; })()`,
    { timeout: 15_000, ...options },
  );
}

/** Scrolls the row of exchange `seq` into view, clicks it and returns the details pane. */
export async function openDetails(panel: PanelHandle, seq: number, kind: 'http' | 'jar' = 'http'): Promise<TimelineDetailsView> {
  await panel.evaluate(`(async () => {
    ${WALK_ROWS}
    const grid = document.querySelector(${js(GRID)});
    let found = null;
    await walkRows(grid, (row) => (found = row.dataset.kind === ${js(kind)} && row.dataset.seq === '${seq}' ? row : null));
    if (!found) throw new Error('no timeline row ${kind} ${seq}');
    found.click();
  })()`);
  await panel.waitFor(`!!document.querySelector('.tl-details[data-kind=${js(kind)}][data-seq="${seq}"]')`);
  return detailsView(panel);
}

export function detailsView(panel: PanelHandle): Promise<TimelineDetailsView> {
  return panel.evaluate<TimelineDetailsView>(`(() => {
    const pane = document.querySelector('.tl-details');
    if (!pane) return null;
    return {
      text: pane.innerText,
      changes: Array.from(pane.querySelectorAll('[aria-label="Payload changes"] li'), (li) => li.textContent.replace(/\\s+/g, ' ').trim()),
      diagnostics: Array.from(pane.querySelectorAll('[aria-label="Diagnostics"] li'), (li) => li.dataset.code),
    };
  })()`);
}

/** The row whose path is exactly `path` (the last one when the path repeats). */
export function rowOf(rows: readonly TimelineRow[], path: string, nth = -1): TimelineRow {
  const matching = rows.filter((r) => r.path === path);
  const row = matching.at(nth);
  if (!row) throw new Error(`no timeline row for ${path}; rows: ${rows.map((r) => `${r.event} ${r.path}`).join(', ')}`);
  return row;
}

/** Types the app's SECRET_KEY in the Session view (its input is named "Secret key"). */
export async function typeSecretKey(panel: PanelHandle, secret: string): Promise<void> {
  await showTab(panel, 'Session');
  const find = `(() => {
    const byLabel = Array.from(document.querySelectorAll('label')).find((l) => l.textContent.trim() === 'Secret key')?.control;
    return byLabel ?? document.querySelector('input[aria-label="Secret key"]');
  })()`;
  await panel.waitFor(`(() => { const el = ${find}; return el && !el.disabled; })()`, { timeout: 10_000 });
  const id = await panel.evaluate<string>(`(() => { const el = ${find}; if (!el.id) el.id = 'e2e-secret-key'; return el.id; })()`);
  await panel.type(`#${id}`, secret);
}

/** Replaces URL.createObjectURL in the panel so the next exported blob's text can be read back. */
export async function captureDownloads(panel: PanelHandle): Promise<void> {
  await panel.evaluate(`(() => {
    if (window.__downloads) return;
    window.__downloads = [];
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob) => { window.__downloads.push(blob); return original(blob); };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (this.download) { window.__downloadNames = [...(window.__downloadNames ?? []), this.download]; return; }
      return click.call(this);
    };
  })()`);
}

/** Clicks the toolbar button `label` and returns the downloaded file's name and text. */
export async function exportTimeline(panel: PanelHandle, label: 'Export JSON' | 'Export HAR'): Promise<{ name: string; text: string }> {
  const before = await panel.evaluate<number>('window.__downloads.length');
  await panel.evaluate(`Array.from(document.querySelectorAll('.tl-toolbar button')).find((b) => b.textContent === ${js(label)}).click()`);
  await panel.waitFor(`window.__downloads.length > ${before}`);
  return panel.evaluate(`(async () => ({ name: window.__downloadNames.at(-1), text: await window.__downloads.at(-1).text() }))()`);
}

/** Sets a toolbar checkbox by its label text. */
export async function setCheckbox(panel: PanelHandle, label: string, checked: boolean): Promise<void> {
  await panel.evaluate(`(() => {
    const box = Array.from(document.querySelectorAll('.tl-toolbar label')).find((l) => l.textContent.trim() === ${js(label)}).querySelector('input');
    if (box.checked !== ${checked}) box.click();
  })()`);
}

export interface InspectedTimeline {
  page: Page;
  devtools: DevToolsHandle;
  panel: PanelHandle;
  close(): Promise<void>;
}

/** A new page on `site` (no cookies) with DevTools open and the Timeline tab shown. */
export async function timelineFor(browser: LaunchedBrowser, site: { url: string }): Promise<InspectedTimeline> {
  // Every app listens on 127.0.0.1, and cookies ignore ports: start each test without cookies.
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
  await page.goto(`${site.url}/`);
  const panel = await devtools.showPanel();
  await showTab(panel, 'Timeline');
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

/**
 * One request from the page (fetch), as the demo's buttons make them. The body is read: DevTools
 * reports a request only once it has finished loading, and a navigation right after would cancel it.
 */
export function call(page: Page, method: string, path: string): Promise<number> {
  return page.evaluate(([m, p]) => fetch(p, { method: m, credentials: 'same-origin' }).then(async (r) => (await r.text(), r.status)), [method, path] as const);
}

/** Waits until the grid lists `path` `count` times and returns all rows (except the browser's favicon requests). */
export async function rowsWith(panel: PanelHandle, path: string, count = 1): Promise<TimelineRow[]> {
  await panel.waitFor(
    `Array.from(document.querySelectorAll('${GRID} [role="row"][data-seq] [role="gridcell"]:nth-child(3)')).filter((c) => c.textContent === ${js(path)}).length >= ${count}`,
    { timeout: 10_000 },
  );
  return (await timelineRows(panel)).filter((r) => r.path !== '/favicon.ico');
}

/** The exchanges the devtools page has saved in storage.session (each history chunk is one JSON string), by seq. */
export function savedExchanges(devtools: DevToolsHandle): Promise<{ seq: number; url: string }[]> {
  return devtools.evaluateDevtoolsPage(
    `chrome.storage.session.get(null).then((all) => Object.entries(all)
       .filter(([key, value]) => /^sessionLens[.]history[.]\\d+[.]\\d+$/.test(key) && typeof value === 'string')
       .flatMap(([, value]) => JSON.parse(value).map((e) => ({ seq: e.seq, url: e.url })))
       .sort((a, b) => a.seq - b.seq))`,
  );
}
