import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The unpacked Chromium build; `SESSION_LENS_DIST` overrides it. */
export function extensionDistDir(): string {
  return resolve(process.env.SESSION_LENS_DIST ?? join(repoRoot, 'dist'));
}

/** The unpacked Firefox build; `SESSION_LENS_FIREFOX_DIST` overrides it. */
export function firefoxDistDir(): string {
  return resolve(process.env.SESSION_LENS_FIREFOX_DIST ?? join(repoRoot, 'dist-firefox'));
}

export function chromiumExecutable(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export function firefoxExecutable(): string {
  return process.env.FIREFOX_PATH ?? ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((path) => existsSync(path)) ?? '/usr/bin/firefox-esr';
}

/** Throws a message that says what to run when the extension has not been built. */
export function assertExtensionBuilt(distDir: string, buildCommand = 'npm run build:extension'): void {
  if (!existsSync(join(distDir, 'manifest.json'))) {
    throw new Error(`No extension build at ${distDir} (manifest.json is missing). Run \`${buildCommand}\` first.`);
  }
}

function findFile(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFile(full, name));
    else if (entry.name === name) found.push(full);
  }
  return found;
}

/** Path of the panel page inside the build, as a URL path without leading slash. */
export function panelPagePath(distDir: string = extensionDistDir()): string {
  assertExtensionBuilt(distDir);
  const expected = join(distDir, 'src', 'extension', 'panel', 'panel.html');
  const file = existsSync(expected) ? expected : findFile(distDir, 'panel.html')[0];
  if (!file) throw new Error(`The build at ${distDir} has no panel.html; was the panel page listed as a build input?`);
  return relative(distDir, file).split(sep).join('/');
}
