/**
 * What the extension may ask the browser for, pinned. Changing any of it is a decision to be
 * made on purpose (and written down in SECURITY.md), never a side effect of a build or a
 * dependency: test/unit/manifest-permissions.test.ts checks the source manifest and the builds
 * (dist/, dist-firefox/) against it, e2e/privacy.test.ts what Chromium actually installed.
 */

/** Every permission-bearing manifest key and its only allowed value (`undefined`: absent). */
export const PINNED_PERMISSIONS = {
  permissions: ['cookies', 'storage'],
  optional_permissions: undefined,
  host_permissions: undefined,
  optional_host_permissions: ['http://*/*', 'https://*/*'],
  content_scripts: undefined,
  web_accessible_resources: undefined,
  // Manifest V3's default (`script-src 'self'; object-src 'self'`: no remote code, no eval) plus
  // 'wasm-unsafe-eval', which lets the extension's pages and workers compile WebAssembly and nothing
  // else: the weak-secret check's HMAC-SHA1 kernel is a WebAssembly module the extension assembles
  // from its own bundled code (src/core/audit/simd-sha1.ts) — no module is ever fetched, and
  // JavaScript eval / new Function stay forbidden. Without it the check runs on the plain-JS kernel,
  // several times slower. See SECURITY.md, "Permissions".
  content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
  externally_connectable: undefined,
  sandbox: undefined,
  declarative_net_request: undefined,
  oauth2: undefined,
  key: undefined,
  update_url: undefined,
} as const;

/** The top-level keys of each manifest, exactly: a new key (a page, an action, an override…) fails. */
export const MANIFEST_KEYS = {
  source: ['manifest_version', 'name', 'version', 'description', 'icons', 'devtools_page', 'background', 'permissions', 'optional_host_permissions', 'content_security_policy'],
  chromium: ['manifest_version', 'name', 'version', 'description', 'icons', 'devtools_page', 'background', 'permissions', 'optional_host_permissions', 'content_security_policy'],
  firefox: [
    'manifest_version',
    'name',
    'version',
    'description',
    'icons',
    'devtools_page',
    'background',
    'permissions',
    'optional_host_permissions',
    'content_security_policy',
    'browser_specific_settings',
  ],
} as const;

export type ManifestKind = keyof typeof MANIFEST_KEYS;

/** The background each manifest declares. */
export const PINNED_BACKGROUND = {
  source: { service_worker: 'src/extension/background.ts', type: 'module' },
  chromium: { service_worker: 'service-worker-loader.js', type: 'module' },
  firefox: { scripts: ['service-worker-loader.js'], type: 'module' },
} as const;

/** Differences from the pin, as readable lines; empty when the manifest matches. */
export function manifestDeviations(manifest: Record<string, unknown>, kind: ManifestKind): string[] {
  const problems: string[] = [];
  const keys = Object.keys(manifest).sort();
  const expected = [...MANIFEST_KEYS[kind]].sort();
  if (JSON.stringify(keys) !== JSON.stringify(expected)) {
    problems.push(`top-level keys are ${JSON.stringify(keys)}, expected ${JSON.stringify(expected)}`);
  }
  for (const [key, value] of Object.entries(PINNED_PERMISSIONS)) {
    if (JSON.stringify(manifest[key]) !== JSON.stringify(value)) {
      problems.push(`${key} is ${JSON.stringify(manifest[key])}, expected ${value === undefined ? 'absent' : JSON.stringify(value)}`);
    }
  }
  if (manifest.manifest_version !== 3) problems.push(`manifest_version is ${JSON.stringify(manifest.manifest_version)}, expected 3`);
  if (JSON.stringify(manifest.background) !== JSON.stringify(PINNED_BACKGROUND[kind])) {
    problems.push(`background is ${JSON.stringify(manifest.background)}, expected ${JSON.stringify(PINNED_BACKGROUND[kind])}`);
  }
  if (kind === 'firefox') {
    const gecko = (manifest.browser_specific_settings as { gecko?: { data_collection_permissions?: unknown } } | undefined)?.gecko;
    if (JSON.stringify(gecko?.data_collection_permissions) !== JSON.stringify({ required: ['none'] })) {
      problems.push(`browser_specific_settings.gecko.data_collection_permissions is ${JSON.stringify(gecko?.data_collection_permissions)}, expected {"required":["none"]}`);
    }
  }
  return problems;
}
