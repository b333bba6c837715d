import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { assertExtensionBuilt, chromiumExecutable, extensionDistDir } from './paths';
import { withTimeout } from './wait';

export interface LaunchOptions {
  /** Chromium's new headless mode (default). With `false`, run under `xvfb-run -a`. */
  headless?: boolean;
  /** Unpacked extension folder; defaults to dist/ (or `SESSION_LENS_DIST`). */
  distDir?: string;
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
export function chromiumArgs(distDir: string): string[] {
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
  const profileDir = await mkdtemp(join(tmpdir(), 'session-lens-e2e-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumExecutable(),
      headless: options.headless ?? true,
      args: chromiumArgs(distDir),
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
          await rm(profileDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}
