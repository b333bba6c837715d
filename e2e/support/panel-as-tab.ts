import type { BrowserContext, Page } from 'playwright-core';
import { panelPagePath } from './paths';

/** A HAR entry as the fake hands it to the panel (any HAR 1.2 fields may be added). */
export interface FakeHarEntry {
  startedDateTime: string;
  request: { method: string; url: string; headers: { name: string; value: string }[]; [key: string]: unknown };
  response: { status: number; headers: { name: string; value: string }[]; redirectURL?: string; [key: string]: unknown };
  _resourceType?: string;
  [key: string]: unknown;
}

export interface FakeDevtools {
  /** `devtools.inspectedWindow.tabId`; default 1. */
  tabId?: number;
  /** What `inspectedWindow.eval('location.origin')` answers; default http://127.0.0.1:5000. */
  inspectedOrigin?: string;
  /** Answers for other `inspectedWindow.eval` expressions, by exact expression text. */
  evalResults?: Record<string, unknown>;
  /** What `network.getHAR()` holds when the panel starts. */
  har?: FakeHarEntry[];
  /** `panels.themeName`; default "default". */
  themeName?: string;
}

export interface PanelTab {
  page: Page;
  /** chrome-extension://<id>/<panel page> */
  url: string;
  /** Fires `network.onRequestFinished` in the panel once per entry. */
  emitRequestFinished(entries: FakeHarEntry | FakeHarEntry[]): Promise<void>;
  /** Expressions the panel passed to `inspectedWindow.eval`, in order. */
  evalCalls(): Promise<string[]>;
  close(): Promise<void>;
}

/** Name of the test hook the init script leaves on the panel's window. */
const FAKE_HOOK = '__sessionLensFakeDevtools';

interface FakeConfig extends Required<Omit<FakeDevtools, 'evalResults'>> {
  evalResults: Record<string, unknown>;
  hook: string;
}

/** Runs in the page before any of its scripts (serialized by Playwright; keep it self-contained). */
function installFakeDevtools(config: FakeConfig): void {
  if (location.protocol !== 'chrome-extension:') return;
  type Listener = (entry: unknown) => void;
  const listeners = new Set<Listener>();
  const evalCalls: string[] = [];
  const answers: Record<string, unknown> = { 'location.origin': config.inspectedOrigin, ...config.evalResults };
  const devtools = {
    inspectedWindow: {
      tabId: config.tabId,
      eval(expression: string, _options?: unknown, callback?: (result: unknown, exceptionInfo?: unknown) => void) {
        evalCalls.push(expression);
        const known = Object.prototype.hasOwnProperty.call(answers, expression);
        const result = known ? answers[expression] : undefined;
        const exceptionInfo = known ? undefined : { isException: true, value: `fake devtools has no answer for ${expression}` };
        if (callback) {
          setTimeout(() => callback(result, exceptionInfo), 0);
          return undefined;
        }
        return Promise.resolve([result, exceptionInfo]);
      },
      reload() {},
    },
    network: {
      onRequestFinished: {
        addListener: (listener: Listener) => void listeners.add(listener),
        removeListener: (listener: Listener) => void listeners.delete(listener),
        hasListener: (listener: Listener) => listeners.has(listener),
      },
      onNavigated: { addListener() {}, removeListener() {}, hasListener: () => false },
      getHAR(callback?: (harLog: unknown) => void) {
        const harLog = { version: '1.2', creator: { name: 'session-lens fake', version: '0' }, entries: config.har.slice() };
        if (callback) {
          setTimeout(() => callback(harLog), 0);
          return undefined;
        }
        return Promise.resolve(harLog);
      },
    },
    panels: {
      themeName: config.themeName,
      create() {
        throw new Error('fake devtools: panels.create is not available in a panel');
      },
      onThemeChanged: { addListener() {}, removeListener() {}, hasListener: () => false },
    },
  };
  const scopes = [(globalThis as { chrome?: object }).chrome, (globalThis as { browser?: object }).browser];
  for (const scope of scopes) {
    if (scope) Object.defineProperty(scope, 'devtools', { value: devtools, configurable: true });
  }
  Object.defineProperty(globalThis, config.hook, {
    value: {
      emit(entries: unknown[]) {
        for (const entry of entries) for (const listener of [...listeners]) listener(entry);
      },
      evalCalls: () => evalCalls.slice(),
      listenerCount: () => listeners.size,
    },
  });
}

/**
 * Opens the panel page as an ordinary tab with a fake `devtools` object (on both `chrome` and
 * `browser`), so the UI and real extension APIs such as `chrome.cookies` can be tested with
 * injected HAR entries. Proves nothing about panel registration or real HAR delivery.
 */
export async function openPanelAsTab(
  context: BrowserContext,
  extensionId: string,
  fake: FakeDevtools = {},
): Promise<PanelTab> {
  const url = `chrome-extension://${extensionId}/${panelPagePath()}`;
  const config: FakeConfig = {
    tabId: fake.tabId ?? 1,
    inspectedOrigin: fake.inspectedOrigin ?? 'http://127.0.0.1:5000',
    evalResults: fake.evalResults ?? {},
    har: fake.har ?? [],
    themeName: fake.themeName ?? 'default',
    hook: FAKE_HOOK,
  };
  const page = await context.newPage();
  try {
    await page.addInitScript(installFakeDevtools, config);
    await page.goto(url);
  } catch (error) {
    await page.close();
    throw error;
  }
  return {
    page,
    url,
    emitRequestFinished: async (entries) => {
      const list = Array.isArray(entries) ? entries : [entries];
      await page.evaluate(
        ({ hook, list }) => (globalThis as unknown as Record<string, { emit(e: unknown[]): void }>)[hook]!.emit(list),
        { hook: FAKE_HOOK, list },
      );
    },
    evalCalls: () =>
      page.evaluate((hook) => (globalThis as unknown as Record<string, { evalCalls(): string[] }>)[hook]!.evalCalls(), FAKE_HOOK),
    close: () => page.close(),
  };
}

/** A plausible HAR entry for tests; override any part. */
export function fakeHarEntry(
  method: string,
  url: string,
  status: number,
  extra: { requestHeaders?: [string, string][]; responseHeaders?: [string, string][]; resourceType?: string; startedAt?: Date } = {},
): FakeHarEntry {
  return {
    startedDateTime: (extra.startedAt ?? new Date()).toISOString(),
    request: { method, url, headers: (extra.requestHeaders ?? []).map(([name, value]) => ({ name, value })) },
    response: { status, headers: (extra.responseHeaders ?? []).map(([name, value]) => ({ name, value })), redirectURL: '' },
    _resourceType: extra.resourceType ?? 'fetch',
  };
}
