import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The CLI is one self-contained ESM file for Node: the core and its small dependencies are bundled in.
export default defineConfig({
  define: { __SESSION_LENS_VERSION__: JSON.stringify(version) },
  ssr: { noExternal: true },
  publicDir: false,
  build: {
    ssr: 'src/cli/session-lens.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rolldownOptions: {
      output: { entryFileNames: 'session-lens.js', banner: '#!/usr/bin/env node' },
    },
  },
});
