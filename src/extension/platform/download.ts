/** Saving files from a panel, and the extension's own version (for exports). */

/**
 * Offers `text` as a file download through a blob link (no `downloads` permission needed).
 * The object URL is revoked a little later, once the browser has started the download.
 */
export function downloadText(fileName: string, text: string, mimeType: string, doc: Document = document): void {
  const view = doc.defaultView ?? window;
  const url = view.URL.createObjectURL(new view.Blob([text], { type: mimeType }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  doc.body.append(link);
  link.click();
  link.remove();
  view.setTimeout(() => view.URL.revokeObjectURL(url), 60_000);
}

interface RuntimeGlobals {
  chrome?: { runtime?: { getManifest?: () => { version?: string } } };
  browser?: { runtime?: { getManifest?: () => { version?: string } } };
}

/** The `version` of manifest.json, or '' outside an extension page. */
export function extensionVersion(scope: object = globalThis): string {
  const g = scope as RuntimeGlobals;
  try {
    const runtime = g.chrome?.runtime?.getManifest ? g.chrome.runtime : g.browser?.runtime;
    return runtime?.getManifest?.().version ?? '';
  } catch {
    return '';
  }
}
