import { chromium, type BrowserContext } from 'playwright-core';
import { assertExtensionBuilt, chromiumExecutable, extensionDistDir } from './paths';
import { temporaryProfile } from './temp-profile';
import { withTimeout } from './wait';

export interface LaunchOptions {
  /**
   * Chromium's new headless mode (default). With `false`, a normal window that a person can use:
   * pages take the window's size and there is no "controlled by automated test software" bar.
   * It needs a display (`xvfb-run -a` in CI).
   */
  headless?: boolean;
  /** Unpacked extension folder; defaults to dist/ (or `SESSION_LENS_DIST`). */
  distDir?: string;
  /** More Chromium flags, e.g. `--window-size=1400,900`. */
  extraArgs?: string[];
  /** Milliseconds to wait for the extension's service worker. */
  timeout?: number;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** Id Chromium gave the unpacked extension (it depends on the folder's absolute path). */
  extensionId: string;
  /** Closes the browser and deletes its temporary profile. */
  close(): Promise<void>;
}

/** Flags that load the extension and keep Chromium from reaching for outside hosts. */
function chromiumArgs(distDir: string): string[] {
  return [
    `--disable-extensions-except=${distDir}`,
    `--load-extension=${distDir}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
}

/**
 * Starts Chromium with the built extension in a throwaway profile. Does not build anything:
 * dist/ must exist (`npm run build:extension`).
 */
export async function launchBrowserWithExtension(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const distDir = options.distDir ?? extensionDistDir();
  assertExtensionBuilt(distDir);
  const profile = await temporaryProfile('session-lens-e2e-');
  let context: BrowserContext | undefined;
  try {
    const headless = options.headless ?? true;
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: chromiumExecutable(),
      headless,
      args: [...chromiumArgs(distDir), ...(options.extraArgs ?? [])],
      ...(headless ? {} : { viewport: null, ignoreDefaultArgs: ['--enable-automation'] }),
    });
    const launched = context;
    const worker =
      launched.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
      (await withTimeout(
        "the extension's service worker (is background.service_worker in dist/manifest.json, and did the extension load?)",
        launched.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith('chrome-extension://') }),
        options.timeout ?? 15_000,
      ));
    const extensionId = new URL(worker.url()).host;
    let closed = false;
    return {
      context: launched,
      extensionId,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await launched.close();
        } finally {
          await profile.remove();
        }
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await profile.remove();
    throw error;
  }
}
