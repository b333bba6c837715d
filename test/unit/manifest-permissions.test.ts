/**
 * The extension's permissions cannot grow silently: the source manifest and the built ones
 * (dist/, dist-firefox/ — `npm test` builds both before the unit tests; alone, this file checks
 * what is there and says what it skipped) match test/support/manifest-pin.ts exactly. The builds
 * also load no remote code and hold no network API beyond Vite's module-preload polyfill (which
 * only loads the extension's own script files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestDeviations, type ManifestKind } from '../support/manifest-pin';
import { REPO_ROOT } from '../support/services';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Network APIs no code of the extension has a use for. */
const NETWORK_APIS = ['XMLHttpRequest', 'WebSocket', 'EventSource', 'sendBeacon', 'RTCPeerConnection', 'WebTransport', 'importScripts'];

describe('manifest permissions, pinned', () => {
  it('the source manifest.json asks for exactly the pinned permissions', () => {
    expect(manifestDeviations(readJson(join(REPO_ROOT, 'manifest.json')), 'source')).toEqual([]);
  });

  it('the pin check catches a permission, a host permission, a content script or a new key', () => {
    const source = readJson(join(REPO_ROOT, 'manifest.json'));
    const variants: Record<string, unknown>[] = [
      { ...source, permissions: ['cookies', 'storage', 'tabs'] },
      { ...source, host_permissions: ['<all_urls>'] },
      { ...source, optional_host_permissions: ['<all_urls>'] },
      { ...source, optional_permissions: ['downloads'] },
      { ...source, content_scripts: [{ matches: ['<all_urls>'], js: ['x.js'] }] },
      { ...source, web_accessible_resources: [{ resources: ['*'], matches: ['<all_urls>'] }] },
      { ...source, content_security_policy: { extension_pages: "script-src 'self' 'unsafe-eval'" } },
      // 'wasm-unsafe-eval' (the weak-secret kernel) is pinned; anything more is not.
      { ...source, content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; object-src 'self'" } },
      { ...source, content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval' https://cdn.example; object-src 'self'" } },
      { ...source, content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'", sandbox: "sandbox allow-scripts; script-src 'unsafe-eval'" } },
      (({ content_security_policy: _, ...rest }) => rest)(source),
      { ...source, action: { default_popup: 'popup.html' } },
    ];
    for (const variant of variants) expect(manifestDeviations(variant, 'source')).not.toEqual([]);
  });

  for (const [kind, folder] of [
    ['chromium', 'dist'],
    ['firefox', 'dist-firefox'],
  ] as [ManifestKind, string][]) {
    const dir = join(REPO_ROOT, folder);
    const built = existsSync(join(dir, 'manifest.json'));
    describe(`${folder}/ (${kind} build${built ? '' : ' — not built here, run `npm run build` / `npm run build:firefox`'})`, () => {
      it.skipIf(!built)(`${folder}/manifest.json asks for exactly the pinned permissions`, () => {
        const manifest = readJson(join(dir, 'manifest.json'));
        expect(manifestDeviations(manifest, kind)).toEqual([]);
        // What it names exists in the build.
        const background = manifest.background as { service_worker?: string; scripts?: string[] };
        for (const file of [manifest.devtools_page as string, background.service_worker ?? background.scripts![0]!]) {
          expect(existsSync(join(dir, file)), `${folder}/${file}`).toBe(true);
        }
      });

      it.skipIf(!built)(`${folder}/ loads no remote code and has no network API but the module-preload polyfill's fetch`, () => {
        const files = filesUnder(dir);
        for (const file of files.filter((f) => f.endsWith('.html'))) {
          const html = readFileSync(file, 'utf8');
          const remote = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi)].map((m) => m[1]);
          expect({ file: relative(dir, file), remote }).toEqual({ file: relative(dir, file), remote: [] });
        }
        const scripts = files.filter((f) => f.endsWith('.js'));
        expect(scripts.length).toBeGreaterThan(0);
        for (const file of scripts) {
          const code = readFileSync(file, 'utf8');
          const name = relative(dir, file);
          expect({ name, apis: NETWORK_APIS.filter((api) => code.includes(api)) }).toEqual({ name, apis: [] });
          // Vite's polyfill fetches <link rel="modulepreload"> targets: the extension's own files.
          if (!/(^|\/)modulepreload-polyfill-[\w-]+\.js$/.test(name)) {
            expect({ name, fetch: /\bfetch\s*\(/.test(code) }).toEqual({ name, fetch: false });
          }
        }
      });
    });
  }
});
