/** Driving "Edit & sign" in the Session view: the editor's markup in one place. */
import type { PanelHandle } from './panel-handle';

export const clickButton = (panel: PanelHandle, label: string) =>
  panel.evaluate(`(() => {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === ${JSON.stringify(label)});
    if (!button || button.disabled) throw new Error(${JSON.stringify(`no enabled button "${label}"`)});
    button.click();
  })()`);

export const pickKey = (panel: PanelHandle, keyIndex: number) =>
  panel.evaluate(`(() => {
    const select = document.querySelector('select[aria-label="Key that signs"]');
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(select, '${keyIndex}');
    select.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);

/** Puts `text` in the payload editor, picks the key, waits for the preview, and clicks Set cookie. */
export async function signAndSet(panel: PanelHandle, edit: (payload: string) => string, keyIndex: number): Promise<string> {
  const textarea = 'textarea[aria-label="Payload to sign"]';
  await panel.waitFor(`!!document.querySelector('${textarea}')`);
  const payload = await panel.evaluate<string>(`document.querySelector('${textarea}').value`);
  await panel.type(textarea, edit(payload));
  await pickKey(panel, keyIndex);
  return setForged(panel);
}

/** Waits for the preview of the forged cookie, clicks Set cookie and waits until it is written. */
export async function setForged(panel: PanelHandle): Promise<string> {
  const forged = await panel.waitFor<string>(`document.querySelector('#forge-value')?.textContent || false`);
  await panel.waitFor(`(() => { const b = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === 'Set cookie'); return b && !b.disabled; })()`);
  await clickButton(panel, 'Set cookie');
  await panel.waitFor(`document.querySelector('#forge-status')?.textContent.startsWith('Set.')`);
  return forged;
}

