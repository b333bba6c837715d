import type { HarEntryLike } from './har-to-exchange';

/**
 * The slice of the `devtools.*` namespace the platform layer uses. Declared here (instead of
 * using `typeof chrome.devtools`) so that the real Chromium API, Firefox's `browser.devtools`
 * and the fake installed by the panel-as-tab tests all fit it.
 */
export interface DevtoolsEventLike<L> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
}

export interface DevtoolsNetworkLike {
  onRequestFinished: DevtoolsEventLike<(entry: HarEntryLike) => void>;
  /** Chromium: callback. Firefox `browser.devtools`: returns a promise. */
  getHAR(callback?: (harLog: { entries?: HarEntryLike[] }) => void): unknown;
}

export interface EvalExceptionInfo {
  isError?: boolean;
  isException?: boolean;
  code?: string;
  description?: string;
  value?: string;
}

export interface DevtoolsInspectedWindowLike {
  readonly tabId: number;
  eval(
    expression: string,
    options?: object,
    callback?: (result: unknown, exceptionInfo?: EvalExceptionInfo) => void,
  ): unknown;
}

export interface DevtoolsPanelLike {
  onShown: DevtoolsEventLike<(panelWindow?: Window) => void>;
  onHidden: DevtoolsEventLike<() => void>;
}

export interface DevtoolsPanelsLike {
  readonly themeName?: string;
  create(
    title: string,
    iconPath: string,
    pagePath: string,
    callback?: (panel: DevtoolsPanelLike) => void,
  ): unknown;
}

export interface DevtoolsLike {
  inspectedWindow: DevtoolsInspectedWindowLike;
  network: DevtoolsNetworkLike;
  panels: DevtoolsPanelsLike;
}

interface ExtensionGlobals {
  chrome?: { devtools?: DevtoolsLike };
  browser?: { devtools?: DevtoolsLike };
}

/**
 * `chrome.devtools`, or `browser.devtools` where only that exists. Both are only defined in
 * the devtools page and in panels. Used directly rather than through webextension-polyfill,
 * whose devtools coverage is partial (and which Chromium 156 bypasses: it has a native
 * `browser` namespace, so the polyfill hands that back unwrapped).
 */
export function devtoolsApi(scope: object = globalThis): DevtoolsLike {
  const g = scope as ExtensionGlobals;
  const api = g.chrome?.devtools ?? g.browser?.devtools;
  if (!api) {
    throw new Error(
      'Session Lens: the devtools API is not available in this page. ' +
        'It exists only in the devtools page and in DevTools panels (or behind a test fake).',
    );
  }
  return api;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** All HAR entries DevTools currently holds, for callback- and promise-style `getHAR` alike. */
export function readHar(network: DevtoolsNetworkLike): Promise<HarEntryLike[]> {
  return new Promise((resolve, reject) => {
    const done = (harLog: { entries?: HarEntryLike[] } | undefined) =>
      resolve(Array.isArray(harLog?.entries) ? harLog.entries : []);
    try {
      const returned = network.getHAR(done);
      if (isThenable(returned)) {
        returned.then((harLog) => done(harLog as { entries?: HarEntryLike[] }), reject);
      }
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * Evaluates `expression` in the inspected page and resolves with its (JSON-able) result.
 * Works with callback-style (Chromium) and promise-style (`browser.devtools`, which resolves
 * to `[result, exceptionInfo]`) implementations.
 */
export function evalInInspectedWindow<T>(inspectedWindow: DevtoolsInspectedWindowLike, expression: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (result: unknown, exceptionInfo?: EvalExceptionInfo) => {
      if (settled) return;
      settled = true;
      if (exceptionInfo && (exceptionInfo.isError || exceptionInfo.isException)) {
        const detail = exceptionInfo.value ?? exceptionInfo.description ?? exceptionInfo.code ?? 'unknown error';
        reject(new Error(`inspectedWindow.eval(${JSON.stringify(expression)}) failed: ${detail}`));
      } else {
        resolve(result as T);
      }
    };
    try {
      const returned = inspectedWindow.eval(expression, {}, finish);
      if (isThenable(returned)) {
        returned.then((pair) => {
          const [result, exceptionInfo] = Array.isArray(pair) ? pair : [pair, undefined];
          finish(result, exceptionInfo as EvalExceptionInfo | undefined);
        }, reject);
      }
    } catch (error) {
      reject(error);
    }
  });
}
