import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import {
  closeDevToolsFrontend,
  openDevToolsFor,
  panelPageExists,
  showExtensionPanel,
  waitForDevtoolsPageTarget,
} from './devtools-internals';
import { captureScreenshot, createPanelHandle, type PanelHandle } from './panel-handle';
import { extensionDistDir, panelPagePath } from './paths';
import { evaluateIn, TargetSession } from './target-session';
import { waitUntil } from './wait';

export interface DevToolsOptions {
  /** Unpacked build the browser was started with (for the page paths); defaults to dist/. */
  distDir?: string;
  /** Milliseconds for each step (DevTools window, devtools_page). */
  timeout?: number;
}

export interface ShowPanelOptions {
  /** Panel title as passed to `devtools.panels.create`; default "Session". */
  title?: string;
  timeout?: number;
}

/** An open DevTools window for one page, with the extension's devtools_page running in it. */
export interface DevToolsHandle {
  readonly extensionId: string;
  /** Browser-level CDP session everything is tunnelled through. */
  readonly browserSession: CDPSession;
  readonly frontendTargetId: string;
  readonly devtoolsPageTargetId: string;
  /** Evaluates in the DevTools front-end itself (devtools://devtools). */
  evaluateFrontend<T = unknown>(expression: string): Promise<T>;
  /** Evaluates in the extension's devtools_page. */
  evaluateDevtoolsPage<T = unknown>(expression: string): Promise<T>;
  /** PNG of the DevTools window. */
  screenshot(path: string): Promise<void>;
  /** Whether DevTools has created the panel's page yet (it does so the first time the panel is shown). */
  panelPageExists(): Promise<boolean>;
  /** Shows an extension panel (created lazily by DevTools) and attaches to its page. */
  showPanel(options?: ShowPanelOptions): Promise<PanelHandle>;
  /** Detaches everything and closes the DevTools window. */
  close(): Promise<void>;
}

interface BuiltManifest {
  devtools_page?: string;
}

function devtoolsPagePath(distDir: string): string {
  const manifest = JSON.parse(readFileSync(join(distDir, 'manifest.json'), 'utf8')) as BuiltManifest;
  if (!manifest.devtools_page) throw new Error(`${distDir}/manifest.json has no devtools_page`);
  return manifest.devtools_page.replace(/^\//, '');
}

async function pageTargetId(context: BrowserContext, page: Page): Promise<string> {
  const session = await context.newCDPSession(page);
  try {
    const { targetInfo } = await session.send('Target.getTargetInfo');
    return targetInfo.targetId;
  } finally {
    await session.detach().catch(() => undefined);
  }
}

/**
 * Opens real DevTools for `page` and waits until the extension's devtools_page runs in it.
 * The panel is not shown: call `showPanel` when the test wants it.
 */
export async function openDevToolsOnly(
  context: BrowserContext,
  page: Page,
  extensionId: string,
  options: DevToolsOptions = {},
): Promise<DevToolsHandle> {
  const distDir = options.distDir ?? extensionDistDir();
  const timeout = options.timeout ?? 20_000;
  const browser = context.browser();
  if (!browser) throw new Error('openDevToolsOnly: the context has no Browser object to open a browser-level CDP session on');
  const browserSession = await browser.newBrowserCDPSession();
  const sessions: TargetSession[] = [];
  let frontendTargetId: string | undefined;
  try {
    frontendTargetId = await openDevToolsFor(browserSession, await pageTargetId(context, page));
    const devtoolsPage = await waitForDevtoolsPageTarget(
      browserSession,
      frontendTargetId,
      extensionId,
      devtoolsPagePath(distDir),
      timeout,
    );
    const frontend = await TargetSession.attach(browserSession, frontendTargetId, 'DevTools front-end');
    sessions.push(frontend);
    // The page's scripts have run once it is complete: from then on its collector hears every
    // request. (Before, a navigation could clear DevTools' log of requests it never heard of.)
    const devtoolsPageSession = await TargetSession.attach(browserSession, devtoolsPage.targetId, 'devtools_page');
    sessions.push(devtoolsPageSession);
    await waitUntil('the devtools_page to finish loading', () => evaluateIn<boolean>(devtoolsPageSession, `document.readyState === 'complete'`), { timeout });
    // And DevTools answers its network API (its network log is up).
    await evaluateIn(devtoolsPageSession, `new Promise((resolve) => chrome.devtools.network.getHAR(() => resolve(true)))`);
    const frontendId = frontendTargetId;

    const handle: DevToolsHandle = {
      extensionId,
      browserSession,
      frontendTargetId: frontendId,
      devtoolsPageTargetId: devtoolsPage.targetId,
      evaluateFrontend: (expression) => evaluateIn(frontend, expression),
      evaluateDevtoolsPage: (expression) => evaluateIn(devtoolsPageSession, expression),
      screenshot: (path) => captureScreenshot(frontend, path),
      panelPageExists: () => panelPageExists(browserSession, frontendId, extensionId, panelPagePath(distDir)),
      showPanel: (panelOptions = {}) => attachPanel(handle, panelOptions, distDir, sessions, frontend),
      close: async () => {
        for (const session of sessions.splice(0)) await session.detach();
        await closeDevToolsFrontend(browserSession, frontendId);
        await browserSession.detach().catch(() => undefined);
      },
    };
    return handle;
  } catch (error) {
    for (const session of sessions) await session.detach();
    if (frontendTargetId) await closeDevToolsFrontend(browserSession, frontendTargetId);
    await browserSession.detach().catch(() => undefined);
    throw error;
  }
}

async function attachPanel(
  devtools: DevToolsHandle,
  options: ShowPanelOptions,
  distDir: string,
  sessions: TargetSession[],
  frontend: TargetSession,
): Promise<PanelHandle> {
  const title = options.title ?? 'Session';
  const target = await showExtensionPanel(
    devtools.browserSession,
    frontend,
    devtools.extensionId,
    title,
    panelPagePath(distDir),
    options.timeout ?? 20_000,
  );
  const panel = await TargetSession.attach(devtools.browserSession, target.targetId, `"${title}" panel`);
  sessions.push(panel);
  await waitUntil(
    `the "${title}" panel page to finish loading`,
    () => evaluateIn<boolean>(panel, `document.readyState === 'complete'`),
    { timeout: options.timeout ?? 20_000 },
  );
  return createPanelHandle(panel, frontend, async () => undefined);
}

/** Shows the extension panel in an already open DevTools window (same as `devtools.showPanel`). */
export function showPanel(devtools: DevToolsHandle, options: ShowPanelOptions = {}): Promise<PanelHandle> {
  return devtools.showPanel(options);
}

/** Opens DevTools for `page` and shows the "Session" panel at once. `close()` closes DevTools too. */
export async function openSessionPanel(
  context: BrowserContext,
  page: Page,
  extensionId: string,
  options: DevToolsOptions & ShowPanelOptions = {},
): Promise<PanelHandle> {
  const devtools = await openDevToolsOnly(context, page, extensionId, options);
  try {
    const panel = await devtools.showPanel(options);
    return { ...panel, close: async () => { await panel.close(); await devtools.close(); } };
  } catch (error) {
    await devtools.close();
    throw error;
  }
}
