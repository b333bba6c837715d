import { describe, expect, it, vi } from 'vitest';
import type { CapturedExchange } from '../../src/core/exchange';
import type { DevtoolsLike, DevtoolsPanelLike } from '../../src/extension/platform/devtools-api';
import {
  registerSessionPanel,
  SESSION_PANEL_PAGE,
  SESSION_PANEL_TITLE,
  startExchangeCollector,
} from '../../src/extension/platform/devtools-side';
import type { HarEntryLike } from '../../src/extension/platform/har-to-exchange';
import { exchangeSourceKind, subscribeExchanges } from '../../src/extension/platform/panel-side';

const har = (path: string, started = '2026-01-01T00:00:00.000Z'): HarEntryLike => ({
  startedDateTime: started,
  request: { method: 'GET', url: `http://127.0.0.1:5000${path}`, headers: [] },
  response: { status: 200, headers: [{ name: 'Set-Cookie', value: 'a=1; HttpOnly\nb=2' }] },
});

/** A fake devtools namespace whose getHAR answers only when `answerHar()` is called. */
function fakeDevtools(existing: HarEntryLike[] = []) {
  const finished = new Set<(e: HarEntryLike) => void>();
  const shown = new Set<(w?: Window) => void>();
  let harCallback: ((log: { entries: HarEntryLike[] }) => void) | undefined;
  const created: string[][] = [];
  const panel: DevtoolsPanelLike = {
    onShown: { addListener: (l) => void shown.add(l), removeListener: (l) => void shown.delete(l) },
    onHidden: { addListener() {}, removeListener() {} },
  };
  const devtools: DevtoolsLike = {
    inspectedWindow: { tabId: 9, eval: () => undefined },
    network: {
      onRequestFinished: { addListener: (l) => void finished.add(l), removeListener: (l) => void finished.delete(l) },
      getHAR: (cb) => {
        harCallback = cb as typeof harCallback;
      },
    },
    panels: {
      create: (title, icon, page, cb) => {
        created.push([title, icon, page]);
        cb?.(panel);
      },
    },
  };
  return {
    devtools,
    created,
    finish: (entry: HarEntryLike) => finished.forEach((l) => l(entry)),
    /** Answers the pending getHAR and lets its promise chain run. */
    answerHar: async () => {
      harCallback?.({ entries: existing });
      await settle();
    },
    show: (win?: Window) => shown.forEach((l) => l(win)),
  };
}

/** Enough of a panel `window` for the bridge: an EventTarget that is a frame (top !== self). */
function fakePanelWindow(protocol = 'chrome-extension:'): Window {
  const win = new EventTarget() as EventTarget & Record<string, unknown>;
  Object.assign(win, { top: {}, location: { protocol }, Event });
  return win as unknown as Window;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function collect() {
  const urls: string[] = [];
  const batches: CapturedExchange[][] = [];
  const infos: { dropped: number }[] = [];
  return {
    urls,
    batches,
    infos,
    listener: (batch: CapturedExchange[], info: { dropped: number }) => {
      batches.push(batch);
      infos.push(info);
      urls.push(...batch.map((e) => new URL(e.url).pathname));
    },
  };
}

describe('devtools page → panel bridge', () => {
  it('registers the "Session" panel with the built panel page', async () => {
    const fake = fakeDevtools();
    await registerSessionPanel(startExchangeCollector({ devtools: fake.devtools }), fake.devtools);
    expect(fake.created).toEqual([[SESSION_PANEL_TITLE, '/icons/icon-32.png', SESSION_PANEL_PAGE]]);
    expect(SESSION_PANEL_TITLE).toBe('Session');
  });

  it('delivers what was recorded before the panel existed, then live exchanges (panel subscribes first)', async () => {
    const fake = fakeDevtools([har('/from-har')]);
    const stream = startExchangeCollector({ devtools: fake.devtools });
    fake.finish(har('/while-har-pending', '2026-01-01T00:00:01.000Z'));
    await fake.answerHar();
    fake.finish(har('/before-panel', '2026-01-01T00:00:02.000Z'));
    await registerSessionPanel(stream, fake.devtools);

    const win = fakePanelWindow();
    expect(exchangeSourceKind(win)).toBe('bridge');
    const got = collect();
    subscribeExchanges(got.listener, { window: win });
    expect(got.urls).toEqual([]); // nothing until DevTools shows the panel

    fake.show(win);
    expect(got.urls).toEqual(['/from-har', '/while-har-pending', '/before-panel']);
    expect(got.batches[0]!.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(got.batches[0]![0]!.responseHeaders).toEqual([
      { name: 'Set-Cookie', value: 'a=1; HttpOnly' },
      { name: 'Set-Cookie', value: 'b=2' },
    ]);

    fake.finish(har('/live'));
    await settle();
    expect(got.urls).toEqual(['/from-har', '/while-har-pending', '/before-panel', '/live']);
    expect(got.infos.at(-1)).toEqual({ dropped: 0 });

    fake.show(win); // shown again after being hidden: no second backlog
    expect(got.batches).toHaveLength(2);
  });

  it('works when the bridge is offered before the panel subscribes, and stops on pagehide', async () => {
    const fake = fakeDevtools();
    const stream = startExchangeCollector({ devtools: fake.devtools });
    await fake.answerHar();
    fake.finish(har('/early'));
    await registerSessionPanel(stream, fake.devtools);
    const win = fakePanelWindow();
    fake.show(win);

    const got = collect();
    subscribeExchanges(got.listener, { window: win });
    expect(got.urls).toEqual(['/early']);

    win.dispatchEvent(new Event('pagehide'));
    fake.finish(har('/after-unload'));
    await settle();
    expect(got.urls).toEqual(['/early']);
  });

  it('records each request once when getHAR and the event stream both report it', async () => {
    const early = har('/early', '2026-01-01T00:00:01.000Z');
    const late = har('/late', '2026-01-01T00:00:02.000Z');
    const fake = fakeDevtools([early, late]);
    const stream = startExchangeCollector({ devtools: fake.devtools });
    fake.finish(early); // while getHAR is pending
    await fake.answerHar();
    fake.finish(late); // DevTools may dispatch the event after the entry is already in the HAR
    fake.finish(har('/new', '2026-01-01T00:00:03.000Z'));
    await settle();
    const got = collect();
    stream.subscribe(got.listener);
    expect(got.urls).toEqual(['/early', '/late', '/new']);
  });

  it('leaves in-flight getHAR entries to their onRequestFinished event', async () => {
    const inFlight: HarEntryLike = {
      startedDateTime: '2026-01-01T00:00:01.000Z',
      request: { method: 'GET', url: 'http://127.0.0.1:5000/slow', headers: [] },
      response: { status: 0, headers: [] },
    };
    const headersOnly: HarEntryLike = { ...har('/body-loading', '2026-01-01T00:00:02.000Z'), response: { status: 200, headers: [] } };
    const fake = fakeDevtools([inFlight, headersOnly]);
    const stream = startExchangeCollector({ devtools: fake.devtools });
    await fake.answerHar();
    fake.finish(har('/body-loading', '2026-01-01T00:00:02.000Z'));
    fake.finish(har('/slow', '2026-01-01T00:00:01.000Z'));
    await settle();
    const got = collect();
    stream.subscribe(got.listener);
    expect(got.urls).toEqual(['/body-loading', '/slow']);
    expect(got.batches[0]!.every((e) => e.status === 200)).toBe(true);
  });

  it('records the initial set in start-time order', async () => {
    const fake = fakeDevtools([har('/in-har', '2026-01-01T00:00:05.000Z')]);
    const stream = startExchangeCollector({ devtools: fake.devtools });
    fake.finish(har('/held-back', '2026-01-01T00:00:01.000Z'));
    await fake.answerHar();
    const got = collect();
    stream.subscribe(got.listener);
    expect(got.urls).toEqual(['/held-back', '/in-har']);
  });

  it('copies batches into the panel (mutating them does not reach the collector)', async () => {
    const fake = fakeDevtools();
    const stream = startExchangeCollector({ devtools: fake.devtools });
    await fake.answerHar();
    fake.finish(har('/a'));
    await registerSessionPanel(stream, fake.devtools);
    const win = fakePanelWindow();
    fake.show(win);
    const first = collect();
    subscribeExchanges(first.listener, { window: win });
    first.batches[0]![0]!.url = 'mutated';
    const second = collect();
    subscribeExchanges(second.listener, { window: win });
    expect(second.urls).toEqual(['/a']);
  });

  it('uses its own collector when opened as a tab or in Firefox', () => {
    const tab = fakePanelWindow();
    (tab as unknown as { top: unknown }).top = tab;
    expect(exchangeSourceKind(tab)).toBe('standalone');
    expect(exchangeSourceKind(fakePanelWindow('moz-extension:'))).toBe('standalone');
  });

  it("standalone: reads getHAR, then events, from the page's own devtools API", async () => {
    const fake = fakeDevtools([har('/in-har')]);
    const tab = fakePanelWindow() as unknown as Record<string, unknown>;
    tab.top = tab;
    tab.chrome = { devtools: fake.devtools };
    const got = collect();
    const stop = subscribeExchanges(got.listener, { window: tab as unknown as Window });
    await fake.answerHar();
    fake.finish(har('/event'));
    await vi.waitFor(() => expect(got.urls).toEqual(['/in-har', '/event']));
    stop();
  });
});
