/**
 * What the e2e tests (and `npm start --headless`) read from and do in the panel's Session view.
 * Its markup knowledge lives here; the accessibility contract (secret input named "Secret key",
 * role="status" verdict, role="tree" payload) is what most of it relies on.
 */
import type { PanelHandle } from './panel-handle';
import type { WaitOptions } from './wait';

const js = (value: unknown) => JSON.stringify(value);

/** The element labelled exactly `label` (by its <label>). */
const labelled = (label: string) =>
  `Array.from(document.querySelectorAll('label')).find((l) => l.textContent.trim() === ${js(label)})?.control`;

export const SESSION_VIEW = {
  verdict: `(document.querySelector('[role="status"]')?.textContent ?? '')`,
  treeItems: `Array.from(document.querySelectorAll('[role="tree"] [role="treeitem"]'), (e) => e.textContent)`,
  candidates: `Array.from(document.querySelectorAll('.candidates li[data-cookie]'), (e) => e.dataset.cookie)`,
  formatBadge: `(document.querySelector('#format-badge')?.textContent ?? '')`,
  /** label → value of one fact list: 'attributes' (cookie attributes) or 'session-facts' (signing times / id). */
  facts: (list: 'attributes' | 'session-facts') =>
    `Object.fromEntries(Array.from(document.querySelectorAll('dl.${list} > div'), (d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]))`,
  hostAccessButton: `(document.querySelector('#host-access button')?.textContent ?? null)`,
};

export function secretLabel(index: number): string {
  return index === 0 ? 'Secret key' : `Fallback key ${index}`;
}

/** Sets secret `index` (0: SECRET_KEY) as typed text; adds fallback rows as needed. */
export async function typeSecret(panel: PanelHandle, index: number, value: string): Promise<void> {
  await panel.waitFor(`document.querySelector('#secret-0') && !document.querySelector('#secret-0').disabled`);
  for (;;) {
    const rows = await panel.evaluate<number>(`document.querySelectorAll('.secrets .secret').length`);
    if (rows > index) break;
    await panel.evaluate(`Array.from(document.querySelectorAll('.secrets button')).find((b) => b.textContent === 'Add fallback key').click()`);
    await panel.waitFor(`document.querySelectorAll('.secrets .secret').length > ${rows}`);
  }
  const id = await panel.evaluate<string>(`${labelled(secretLabel(index))}.id`);
  await panel.type(`#${id}`, value);
}

/** Waits until the verdict reads `expected` (a prefix, or a pattern) and returns the whole text. */
export function waitForVerdict(panel: PanelHandle, expected: string | RegExp, options: WaitOptions = {}): Promise<string> {
  const test = typeof expected === 'string' ? `text.startsWith(${js(expected)})` : `${expected.toString()}.test(text)`;
  return panel.waitFor<string>(`(() => { const text = ${SESSION_VIEW.verdict}; return ${test} && text; })()`, { timeout: 10_000, ...options });
}

/** Waits until the payload tree lists every one of `items` ("key: value") and returns all items. */
export function waitForTreeItems(panel: PanelHandle, items: readonly string[], options: WaitOptions = {}): Promise<string[]> {
  return panel.waitFor<string[]>(
    `(() => { const items = ${SESSION_VIEW.treeItems}; return ${js(items)}.every((i) => items.includes(i)) && items; })()`,
    { timeout: 10_000, ...options },
  );
}
