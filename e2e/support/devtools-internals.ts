/**
 * Every DevTools internal the harness relies on lives here, and nowhere else. None of it is a
 * public, stable API; when a Chromium update breaks the e2e tests, start looking in this file.
 *
 * - `Target.openDevTools` (browser-level CDP) opens DevTools for a page and returns the
 *   front-end's target id.
 * - The extension's devtools_page shows up as an `iframe` target with a chrome-extension:// URL.
 * - The front-end exposes `DevToolsAPI.showPanel(panelId)`; the id of an extension panel is the
 *   extension origin followed by the panel title with whitespace removed. The panel page is
 *   created lazily, on first show, and appears as another `iframe` target.
 */
import type { CDPSession } from 'playwright-core';
import { evaluateIn, type TargetSession } from './target-session';
import { waitUntil } from './wait';

export interface TargetInfoLite {
  targetId: string;
  type: string;
  url: string;
  title: string;
  /** For iframe targets: the target that embeds them (here, the DevTools front-end). */
  parentId?: string;
}

export function extensionPanelId(extensionId: string, title: string): string {
  return `chrome-extension://${extensionId}${title.replace(/\s+/g, '')}`;
}

export async function listTargets(browser: CDPSession): Promise<TargetInfoLite[]> {
  const { targetInfos } = await browser.send('Target.getTargets');
  return targetInfos.map((info) => {
    // `parentId` is not in Playwright's protocol typings. `parentFrameId` held the same id in
    // Chromium 156 (the frames sit directly in the front-end's main frame, whose id is the target id).
    const { targetId, type, url, title, parentId, parentFrameId } = info as typeof info & { parentId?: string };
    return { targetId, type, url, title, parentId: parentId ?? parentFrameId };
  });
}

/** Extension frames inside one DevTools window (other DevTools windows have their own). */
async function framesIn(browser: CDPSession, frontendTargetId: string, urlPrefix: string): Promise<TargetInfoLite[]> {
  return (await listTargets(browser)).filter(
    (t) => t.type === 'iframe' && t.parentId === frontendTargetId && t.url.startsWith(urlPrefix),
  );
}

/** Opens DevTools for the page target `pageTargetId`; returns the front-end's target id. */
export async function openDevToolsFor(browser: CDPSession, pageTargetId: string): Promise<string> {
  // Not in Playwright's protocol typings: it is a Chromium-only browser command.
  const send = browser.send.bind(browser) as (method: string, params: object) => Promise<unknown>;
  const result = (await send('Target.openDevTools', { targetId: pageTargetId })) as { targetId?: string };
  if (!result.targetId) throw new Error('Target.openDevTools returned no targetId (has the command changed?)');
  return result.targetId;
}

/** Waits for the extension's devtools_page to be running inside the DevTools window `frontendTargetId`. */
export async function waitForDevtoolsPageTarget(
  browser: CDPSession,
  frontendTargetId: string,
  extensionId: string,
  devtoolsPagePath: string,
  timeout: number,
): Promise<TargetInfoLite> {
  const prefix = `chrome-extension://${extensionId}/`;
  return waitUntil(
    `the extension's devtools_page (${prefix}${devtoolsPagePath}) to load inside DevTools as an iframe target`,
    async () => (await framesIn(browser, frontendTargetId, prefix + devtoolsPagePath))[0],
    { timeout },
  );
}

/**
 * Shows the extension panel `panelTitle` in the DevTools front-end and waits for its page target.
 * `DevToolsAPI.showPanel` does nothing until the devtools page has called `panels.create`, so
 * it is repeated until the panel's page appears.
 */
export async function showExtensionPanel(
  browser: CDPSession,
  frontend: TargetSession,
  extensionId: string,
  panelTitle: string,
  panelPagePath: string,
  timeout: number,
): Promise<TargetInfoLite> {
  const panelId = extensionPanelId(extensionId, panelTitle);
  const panelUrl = `chrome-extension://${extensionId}/${panelPagePath}`;
  const expression = `(() => {
    if (typeof DevToolsAPI === 'undefined' || typeof DevToolsAPI.showPanel !== 'function') {
      throw new Error('DevToolsAPI.showPanel is not available in the DevTools front-end');
    }
    DevToolsAPI.showPanel(${JSON.stringify(panelId)});
    return true;
  })()`;
  let lastShowError: unknown;
  try {
    return await waitUntil(
      `the "${panelTitle}" panel (id ${panelId}) to be created with page ${panelUrl}`,
      async () => {
        const panel = (await framesIn(browser, frontend.targetId, panelUrl))[0];
        if (panel) return panel;
        try {
          await evaluateIn(frontend, expression, 5_000);
        } catch (error) {
          lastShowError = error;
        }
        return undefined;
      },
      { timeout, interval: 100 },
    );
  } catch (error) {
    if (lastShowError instanceof Error && error instanceof Error) {
      error.message += `; last DevToolsAPI.showPanel error: ${lastShowError.message}`;
    }
    throw error;
  }
}

/** Whether the panel page already exists in this DevTools window (DevTools creates it on first show). */
export async function panelPageExists(
  browser: CDPSession,
  frontendTargetId: string,
  extensionId: string,
  panelPagePath: string,
): Promise<boolean> {
  return (await framesIn(browser, frontendTargetId, `chrome-extension://${extensionId}/${panelPagePath}`)).length > 0;
}

/** Closes the DevTools window (the front-end target). */
export async function closeDevToolsFrontend(browser: CDPSession, frontendTargetId: string): Promise<void> {
  await browser.send('Target.closeTarget', { targetId: frontendTargetId }).catch(() => undefined);
  // Closing is asynchronous: until the target is gone, Target.openDevTools for the same page
  // may hand back this closing window, whose sessions then detach.
  await waitUntil(
    `the DevTools front-end ${frontendTargetId} to close`,
    async () => !(await listTargets(browser)).some((t) => t.targetId === frontendTargetId),
    { timeout: 10_000 },
  ).catch(() => undefined);
}

/**
 * Writes DevTools front-end preferences (the profile's `devtools.preferences`) through
 * `InspectorFrontendHost.setPreference`. DevTools reads them when a DevTools window opens, so they
 * apply to the next one. Seen working in Chromium 156: `ui-theme` (`"default"` light, `"dark"`,
 * `"systemPreferred"`), `currentDockState` (`"right"`, `"bottom"`, `"undocked"`) and
 * `inspector-view.split-view-state` (`{ vertical: { size: <DevTools width in px> } }` when docked right).
 */
export async function setFrontendPreferences(
  evaluateFrontend: (expression: string) => Promise<unknown>,
  preferences: Record<string, unknown>,
): Promise<void> {
  await evaluateFrontend(`(() => {
    if (typeof InspectorFrontendHost === 'undefined' || typeof InspectorFrontendHost.setPreference !== 'function') {
      throw new Error('InspectorFrontendHost.setPreference is not available in the DevTools front-end');
    }
    for (const [name, value] of Object.entries(${JSON.stringify(preferences)})) InspectorFrontendHost.setPreference(name, JSON.stringify(value));
    return true;
  })()`);
}
