import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import baseManifest from './manifest.json' with { type: 'json' };
import { GRANT_PAGE } from './src/extension/platform/jar-relay';

/**
 * Extension build.
 *
 *   vite build                  -> dist/          (Chromium, MV3 service worker)
 *   vite build --mode firefox   -> dist-firefox/  (Firefox, MV3 background scripts)
 *
 * manifest.json is the single source; the Firefox variant is derived from it here.
 */

/** Pages named only at run time (`devtools.panels.create`, the jar relay's grant window): explicit build inputs. */
const PANEL_PAGE = 'src/extension/panel/panel.html';

const FIREFOX_ADDON_ID = 'session-lens@example.org';

function firefoxManifest(): ManifestV3Export {
  const { background, ...rest } = baseManifest;
  return {
    ...rest,
    background: { scripts: [background.service_worker], type: 'module' },
    browser_specific_settings: {
      gecko: {
        id: FIREFOX_ADDON_ID,
        // Firefox's built-in data consent: the extension sends nothing anywhere.
        data_collection_permissions: { required: ['none'] },
      },
    },
  } as ManifestV3Export;
}

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      react(),
      crx({
        manifest: firefox ? firefoxManifest() : (baseManifest as ManifestV3Export),
        browser: firefox ? 'firefox' : 'chrome',
      }),
    ],
    // The weak-secret check's workers (panel/audit-worker.ts) as ES modules: no importScripts.
    worker: { format: 'es' as const },
    build: {
      outDir: firefox ? 'dist-firefox' : 'dist',
      emptyOutDir: true,
      rolldownOptions: {
        input: { panel: PANEL_PAGE, grant: GRANT_PAGE },
      },
    },
  };
});
