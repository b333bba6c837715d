/**
 * Watching what the extension's own targets do, for the privacy and lifecycle tests: every
 * network request, WebSocket and console message of the service worker, the devtools page, the
 * panel (and any other chrome-extension:// target), plus chosen page targets; reading the
 * extension's storage areas; stopping its MV3 service worker.
 *
 * Chromium facts relied on here (Debian Chromium 156):
 * - `Target.setDiscoverTargets` on a browser-level session reports every target, the
 *   extension's iframes inside DevTools and its service worker included; a non-flattened
 *   `Target.attachToTarget` on each gives `Network`, `Runtime` and `Log` for it (the service
 *   worker's `Network` events carry its fetches).
 * - `Runtime.enable` replays the console messages a target logged before it was enabled;
 *   `Network.enable` does not replay requests (a net log covers those: `readNetLog`).
 * - `ServiceWorker.stopAllWorkers`, sent to a CDP session of one of the extension's own pages,
 *   stops the extension's service worker; `ServiceWorker.workerVersionUpdated` then reports it
 *   `stopped` and its target goes away.
 * - With `--log-net-log=FILE` Chromium writes every URL request it starts; a request's
 *   `URL_REQUEST_START_JOB` params hold `url`, `method` and `initiator` (the origin of the page
 *   or extension that started it, or "not an origin" for the browser's own requests).
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { listTargets, type TargetInfoLite } from './devtools-internals';
import { evaluateIn, TargetSession } from './target-session';
import { waitUntil, withTimeout } from './wait';

export interface ObservedRequest {
  /** Label of the target that made it (e.g. `service_worker chrome-extension://…/service-worker-loader.js`). */
  target: string;
  url: string;
  method: string;
  /** `request` (Network.requestWillBeSent) or `websocket` (Network.webSocketCreated). */
  kind: 'request' | 'websocket';
}

export interface ObservedMessage {
  target: string;
  /** `console` (Runtime.consoleAPICalled), `exception` (Runtime.exceptionThrown), `log` (Log.entryAdded). */
  kind: 'console' | 'exception' | 'log';
  /** Everything the message carries as text: values, descriptions, object previews, URLs. */
  text: string;
}

export interface TargetObserver {
  readonly requests: readonly ObservedRequest[];
  /** Console output; call `settled()` first so logged objects have been read whole. */
  readonly messages: readonly ObservedMessage[];
  /** Waits until every logged object has been read (their JSON is appended to the message text). */
  settled(): Promise<void>;
  /** Every target observed so far: `type url` (one entry per target). */
  observedTargets(): string[];
  /** Waits until a target matching `predicate` is observed (Network, Runtime and Log enabled). */
  waitForTarget(description: string, predicate: (target: TargetInfoLite) => boolean, timeout?: number): Promise<TargetInfoLite>;
  stop(): Promise<void>;
}

function remoteObjectText(value: unknown): string {
  // Values, descriptions, previews (property values of logged objects), nested: all of it.
  return JSON.stringify(value);
}

/**
 * Attaches to every chrome-extension:// target of `extensionId` that exists or appears, and to
 * every other target for which `alsoObserve` answers true (e.g. the inspected page), and records
 * their requests and console output from then on.
 */
export async function observeTargets(
  context: BrowserContext,
  extensionId: string,
  alsoObserve: (target: TargetInfoLite) => boolean = () => false,
): Promise<TargetObserver> {
  const browser = context.browser();
  if (!browser) throw new Error('observeTargets: the context has no Browser object');
  const session: CDPSession = await browser.newBrowserCDPSession();
  const prefix = `chrome-extension://${extensionId}/`;
  const requests: ObservedRequest[] = [];
  const messages: ObservedMessage[] = [];
  /** Whole-object reads of logged objects still under way. */
  const pending: Promise<void>[] = [];
  const attached = new Map<string, { info: TargetInfoLite; session?: TargetSession; ready: Promise<void> }>();
  let stopped = false;

  const wanted = (t: TargetInfoLite) => (t.url.startsWith(prefix) && t.type !== 'browser') || alsoObserve(t);

  const attach = (info: TargetInfoLite): void => {
    const known = attached.get(info.targetId);
    if (known) {
      known.info = { ...known.info, url: info.url, title: info.title }; // navigated: label what follows by the new URL
      return;
    }
    if (stopped || !wanted(info)) return;
    const entry: { info: TargetInfoLite; session?: TargetSession; ready: Promise<void> } = { info, ready: Promise.resolve() };
    attached.set(info.targetId, entry);
    entry.ready = (async () => {
      const target = await TargetSession.attach(session, info.targetId, `${info.type} ${info.url}`);
      entry.session = target;
      target.onEvent((method, params) => {
        const label = `${entry.info.type} ${entry.info.url}`;
        // The few fields read here, of the CDP events named.
        const p = params as {
          request: { url: string; method: string };
          url: string;
          type: string;
          args: { objectId?: string }[];
          exceptionDetails: unknown;
          entry: unknown;
        };
        if (method === 'Network.requestWillBeSent') {
          requests.push({ target: label, url: p.request.url, method: p.request.method, kind: 'request' });
        } else if (method === 'Network.webSocketCreated') {
          requests.push({ target: label, url: p.url, method: 'GET', kind: 'websocket' });
        } else if (method === 'Runtime.consoleAPICalled') {
          const message: ObservedMessage = { target: label, kind: 'console', text: `${p.type}: ${remoteObjectText(p.args)}` };
          messages.push(message);
          // A preview stops at the first level: read each logged object whole, as JSON.
          for (const arg of p.args) {
            if (!arg.objectId) continue;
            pending.push(
              target
                .send<{ result: { value?: unknown } }>('Runtime.callFunctionOn', {
                  objectId: arg.objectId,
                  functionDeclaration: `function () { try { return JSON.stringify(this, (k, v) => typeof v === 'bigint' ? String(v) : v); } catch (e) { return String(this); } }`,
                  returnByValue: true,
                })
                .then(
                  (answer) => void (message.text += ` ${String(answer.result.value)}`),
                  (error: unknown) => void (message.text += ` [object not readable: ${error instanceof Error ? error.message : String(error)}]`),
                ),
            );
          }
        } else if (method === 'Runtime.exceptionThrown') {
          messages.push({ target: label, kind: 'exception', text: remoteObjectText(p.exceptionDetails) });
        } else if (method === 'Log.entryAdded') {
          messages.push({ target: label, kind: 'log', text: remoteObjectText(p.entry) });
        }
      });
      // Runtime first: it replays what was logged before, and only then do we call it observed.
      await target.send('Runtime.enable');
      await target.send('Log.enable');
      await target.send('Network.enable');
      // A service worker started by the attach waits for the debugger only when asked; resume
      // anyway, harmless when it is already running.
      await target.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    })().catch((error: unknown) => {
      // A target that closed while attaching (a short-lived page) is not an error; anything else is.
      if (!(error instanceof Error && /detached|No target|not found|closed/i.test(error.message))) throw error;
    });
  };

  const onCreated = (event: { targetInfo: { targetId: string; type: string; url: string; title: string } }) =>
    attach({ targetId: event.targetInfo.targetId, type: event.targetInfo.type, url: event.targetInfo.url, title: event.targetInfo.title });
  session.on('Target.targetCreated', onCreated);
  session.on('Target.targetInfoChanged', onCreated);
  await session.send('Target.setDiscoverTargets', { discover: true });
  for (const target of await listTargets(session)) attach(target);
  await Promise.all([...attached.values()].map((e) => e.ready));

  return {
    requests,
    messages,
    settled: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
    observedTargets: () => [...attached.values()].filter((e) => e.session).map((e) => `${e.info.type} ${e.info.url}`),
    waitForTarget: async (description, predicate, timeout = 10_000) => {
      const entry = await waitUntil(
        `the observer to attach to ${description}`,
        async () => {
          for (const target of await listTargets(session)) attach(target);
          const found = [...attached.values()].find((e) => predicate(e.info));
          if (!found) return undefined;
          await found.ready;
          return found.session ? found : undefined;
        },
        { timeout },
      );
      return entry.info;
    },
    stop: async () => {
      stopped = true;
      session.off('Target.targetCreated', onCreated);
      session.off('Target.targetInfoChanged', onCreated);
      for (const entry of attached.values()) await entry.session?.detach();
      await session.detach().catch(() => undefined);
    },
  };
}

/** The extension's running service worker target, or undefined when it is stopped. */
export async function serviceWorkerTarget(browserSession: CDPSession, extensionId: string): Promise<TargetInfoLite | undefined> {
  return (await listTargets(browserSession)).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
}

/**
 * Evaluates `expression` in the extension's service worker (which must be running), through a
 * short-lived CDP session of its own.
 */
export async function evaluateInServiceWorker<T>(browserSession: CDPSession, extensionId: string, expression: string): Promise<T> {
  const target = await serviceWorkerTarget(browserSession, extensionId);
  if (!target) throw new Error(`evaluateInServiceWorker: the service worker of ${extensionId} is not running`);
  const worker = await TargetSession.attach(browserSession, target.targetId, 'service worker');
  try {
    // Just after the worker starts, an evaluation may run before the extension APIs are bound.
    await waitUntil('the service worker to have the extension APIs (chrome.runtime.id)', () =>
      evaluateIn<boolean>(worker, `typeof chrome === 'object' && typeof chrome.runtime?.id === 'string'`),
    );
    return await evaluateIn<T>(worker, expression);
  } finally {
    await worker.detach();
  }
}

/** The three storage areas as JSON texts, read with `chrome.storage.<area>.get(null)` in an extension context. */
export interface ExtensionStorageDump {
  local: Record<string, unknown>;
  sync: Record<string, unknown>;
  session: Record<string, unknown>;
}

/** Expression for `evaluate*`: every item of storage.local, storage.sync and storage.session. */
export const STORAGE_DUMP_EXPRESSION = `(async () => ({
  local: await chrome.storage.local.get(null),
  sync: await chrome.storage.sync.get(null),
  session: await chrome.storage.session.get(null),
}))()`;

/** Keys of `items` whose stored value, as JSON, contains `needle`. */
export function keysContaining(items: Record<string, unknown>, needle: string): string[] {
  return Object.entries(items)
    .filter(([key, value]) => key.includes(needle) || JSON.stringify(value).includes(needle))
    .map(([key]) => key);
}

/**
 * Stops the extension's MV3 service worker the way Chromium does when it goes idle, and waits
 * until Chromium reports it stopped and its target is gone.
 */
export async function stopServiceWorker(context: BrowserContext, extensionId: string, timeout = 10_000): Promise<void> {
  const browser = context.browser();
  if (!browser) throw new Error('stopServiceWorker: the context has no Browser object');
  const browserSession = await browser.newBrowserCDPSession();
  // manifest.json: one of the extension's own URLs that runs none of its code.
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${extensionId}/manifest.json`);
    const cdp = await context.newCDPSession(page);
    const scriptPrefix = `chrome-extension://${extensionId}/`;
    let status = 'unknown';
    cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
      for (const version of event.versions) if (version.scriptURL.startsWith(scriptPrefix)) status = version.runningStatus;
    });
    await cdp.send('ServiceWorker.enable');
    await withTimeout('ServiceWorker.stopAllWorkers', cdp.send('ServiceWorker.stopAllWorkers'), timeout);
    await waitUntil(
      `the service worker of ${extensionId} to be stopped (last runningStatus: ${status}) and its target gone`,
      async () => status === 'stopped' && !(await serviceWorkerTarget(browserSession, extensionId)),
      { timeout },
    );
    await cdp.detach().catch(() => undefined);
  } finally {
    await page.close().catch(() => undefined);
    await browserSession.detach().catch(() => undefined);
  }
}

export interface NetLogRequest {
  url: string;
  method: string;
  /** Origin that started the request; "not an origin" (or empty) for the browser's own. */
  initiator: string;
}

/**
 * Every URL request in a Chromium net log (`--log-net-log=FILE`, read after the browser has
 * closed). A log cut short (a crash) is read up to its last complete event.
 */
export function readNetLog(file: string): NetLogRequest[] {
  const text = readFileSync(file, 'utf8');
  let log: { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: Record<string, unknown> }[] };
  try {
    log = JSON.parse(text);
  } catch {
    // Unterminated: drop the partial last event and close the array and object.
    const cut = text.slice(0, text.lastIndexOf('},') + 1);
    log = JSON.parse(`${cut}]}`);
  }
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  if (startJob === undefined) throw new Error(`${file}: no URL_REQUEST_START_JOB event type in the net log's constants`);
  return log.events
    .filter((e) => e.type === startJob && typeof e.params?.url === 'string')
    .map((e) => ({
      url: e.params!.url as string,
      method: String(e.params!.method ?? ''),
      initiator: typeof e.params!.initiator === 'string' ? (e.params!.initiator as string) : '',
    }));
}

/** The browser's profile folder, as chrome://version shows it (a Chromium internal page). */
export async function profileDirectory(context: BrowserContext): Promise<string> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://version/');
    const path = (await page.locator('#profile_path').textContent({ timeout: 10_000 }))?.trim();
    if (!path) throw new Error('profileDirectory: chrome://version shows no #profile_path');
    // The profile path is <user data dir>/<profile name>; the whole user data dir is what a disk search wants.
    return path.replace(/\/[^/]+$/, '');
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** Files under `dir` whose bytes contain any of `needles` (UTF-8), with which ones. */
export function filesContaining(dir: string, needles: readonly string[]): { file: string; needles: string[] }[] {
  const found: { file: string; needles: string[] }[] = [];
  const buffers = needles.map((n) => Buffer.from(n, 'utf8'));
  const walk = (folder: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // removed meanwhile
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch {
          continue; // removed or locked meanwhile
        }
        const hits = needles.filter((_, i) => bytes.includes(buffers[i]!));
        if (hits.length > 0) found.push({ file: path, needles: hits });
      }
    }
  };
  walk(dir);
  return found;
}
