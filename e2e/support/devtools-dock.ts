/**
 * Docking and undocking a DevTools window, as its ⋮ → "Dock side" menu does. A DevTools internal
 * (Chromium 156): the front-end's `DockController` singleton, reached by importing the bundled
 * `ui/legacy/legacy.js` module from the front-end page (the same module instance DevTools uses).
 * `setDockSide` asks the browser to move the front-end into its own window or back; the front-end
 * page and its extension frames stay the same documents.
 */
import type { DevToolsHandle } from './devtools';
import { waitUntil } from './wait';

export type DockSide = 'undocked' | 'bottom' | 'right' | 'left';

const DOCK_CONTROLLER = `(await import('./ui/legacy/legacy.js')).DockController.DockController.instance()`;

/** The dock side DevTools reports, and the size of the window the front-end is in. */
export async function dockState(devtools: DevToolsHandle): Promise<{ side: DockSide; width: number; height: number }> {
  return devtools.evaluateFrontend(`(async () => {
    const controller = ${DOCK_CONTROLLER};
    return { side: controller.dockSide(), width: window.outerWidth, height: window.outerHeight };
  })()`);
}

/**
 * Moves DevTools to `side` and waits until the front-end reports it and its window has changed
 * size (docked, it shares the tab's window; undocked, it gets a window of its own).
 */
export async function setDockSide(devtools: DevToolsHandle, side: DockSide, timeout = 10_000): Promise<void> {
  const before = await dockState(devtools);
  if (before.side === side) return;
  await devtools.evaluateFrontend(`(async () => {
    const controller = ${DOCK_CONTROLLER};
    if (!controller.canDock() && ${JSON.stringify(side)} !== 'undocked') throw new Error('this DevTools window cannot dock');
    controller.setDockSide(${JSON.stringify(side)});
    return true;
  })()`);
  const dockedBefore = before.side !== 'undocked';
  const dockedAfter = side !== 'undocked';
  await waitUntil(
    `DevTools to be ${side} (was ${before.side}, ${before.width}×${before.height})`,
    async () => {
      const now = await dockState(devtools);
      if (now.side !== side) return false;
      // Between docked sides the window stays the tab's; into or out of its own window, the size changes.
      return dockedBefore === dockedAfter || now.width !== before.width || now.height !== before.height;
    },
    { timeout },
  );
}
