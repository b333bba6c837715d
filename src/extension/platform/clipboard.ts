/**
 * Copies text to the clipboard. DevTools panels are frames that may lack the `clipboard-write`
 * permission policy, so when the async Clipboard API refuses, the old `execCommand('copy')` on a
 * hidden textarea is used.
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    await doc.defaultView?.navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = doc.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    const previous = doc.activeElement as HTMLElement | null;
    doc.body.append(area);
    area.select();
    try {
      return doc.execCommand('copy');
    } finally {
      area.remove();
      previous?.focus?.();
    }
  }
}
