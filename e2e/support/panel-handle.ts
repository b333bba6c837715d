import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { evaluateIn, type TargetSession } from './target-session';
import { waitUntil, type WaitOptions } from './wait';

/** Remote control of a panel page running inside real DevTools. */
export interface PanelHandle {
  /** CDP target id of the panel page. */
  readonly targetId: string;
  /** Runs `expression` in the panel (promises awaited, result returned by value). */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Re-evaluates `expression` until it is truthy and returns that value. */
  waitFor<T = unknown>(expression: string, options?: WaitOptions): Promise<T>;
  /** textContent of the first element matching `selector`; throws if there is none. */
  text(selector: string): Promise<string>;
  /** textContent of every element matching `selector`. */
  texts(selector: string): Promise<string[]>;
  /** `element.click()` on the first match (a DOM click event, not OS-level input). */
  click(selector: string): Promise<void>;
  /** Focuses the input/textarea and sets its value the way React notices (native setter + `input`). */
  type(selector: string, text: string): Promise<void>;
  /**
   * Sends trusted keyDown/keyUp for `key` (`Enter`, `Escape`, `Tab`, arrows, `Backspace`, `Home`,
   * `End`, `Delete` or one character). With `selector`, that element is focused first (recommended:
   * DevTools can move focus right after showing a panel); without, the key goes to whatever has focus.
   */
  pressKey(key: string, selector?: string): Promise<void>;
  /** PNG of the whole DevTools window the panel is shown in. */
  screenshot(path: string): Promise<void>;
  /** Detaches; for handles from `openSessionPanel`, also closes DevTools. */
  close(): Promise<void>;
}

const KEYS: Record<string, { code: string; keyCode: number; text?: string }> = {
  Enter: { code: 'Enter', keyCode: 13, text: '\r' },
  Escape: { code: 'Escape', keyCode: 27 },
  Tab: { code: 'Tab', keyCode: 9 },
  Backspace: { code: 'Backspace', keyCode: 8 },
  Delete: { code: 'Delete', keyCode: 46 },
  ArrowUp: { code: 'ArrowUp', keyCode: 38 },
  ArrowDown: { code: 'ArrowDown', keyCode: 40 },
  ArrowLeft: { code: 'ArrowLeft', keyCode: 37 },
  ArrowRight: { code: 'ArrowRight', keyCode: 39 },
  Home: { code: 'Home', keyCode: 36 },
  End: { code: 'End', keyCode: 35 },
};

export function keyDescription(key: string): { key: string; code: string; keyCode: number; text?: string } {
  const known = KEYS[key];
  if (known) return { key, ...known };
  if ([...key].length === 1) {
    const upper = key.toUpperCase();
    const isLetter = /^[A-Z]$/.test(upper);
    const isDigit = /^[0-9]$/.test(key);
    return {
      key,
      code: isLetter ? `Key${upper}` : isDigit ? `Digit${key}` : '',
      keyCode: isLetter || isDigit ? upper.charCodeAt(0) : 0,
      text: key,
    };
  }
  throw new Error(`pressKey: unsupported key ${JSON.stringify(key)}`);
}

const js = (value: unknown) => JSON.stringify(value);

/** Writes a PNG of the page behind `session` (for the DevTools front-end: the whole DevTools window). */
export async function captureScreenshot(session: TargetSession, path: string): Promise<void> {
  const { data } = await session.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.from(data, 'base64'));
}

/**
 * Builds a PanelHandle. Keys are sent with `Input.dispatchKeyEvent` through the DevTools window
 * (`inputSession`), which routes them to the focused frame, i.e. the panel, as trusted events.
 * Clicks and typing are DOM-level (`element.click()`, value setter + `input` event).
 */
export function createPanelHandle(
  panel: TargetSession,
  inputSession: TargetSession,
  onClose: () => Promise<void>,
): PanelHandle {
  const evaluate = <T,>(expression: string) => evaluateIn<T>(panel, expression);
  const element = (selector: string, what: string) =>
    `(() => { const el = document.querySelector(${js(selector)}); if (!el) throw new Error(${js(`${what}: no element matches ${selector}`)}); return el; })()`;

  return {
    targetId: panel.targetId,
    evaluate,
    waitFor: <T,>(expression: string, options: WaitOptions = {}) =>
      waitUntil<T>(`panel expression to become truthy: ${expression}`, () => evaluate<T>(expression), options),
    text: (selector) => evaluate<string>(`${element(selector, 'text')}.textContent ?? ''`),
    texts: (selector) =>
      evaluate<string[]>(`Array.from(document.querySelectorAll(${js(selector)}), (el) => el.textContent ?? '')`),
    click: async (selector) => {
      await evaluate(`${element(selector, 'click')}.click()`);
    },
    type: async (selector, text) => {
      await evaluate(`(() => {
        const el = ${element(selector, 'type')};
        const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
          : el instanceof HTMLInputElement ? HTMLInputElement.prototype : null;
        if (!proto) throw new Error(${js(`type: ${selector} is not an input or textarea`)});
        el.focus();
        Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, ${js(text)});
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      })()`);
    },
    pressKey: async (key, selector) => {
      const k = keyDescription(key);
      // Keys go to whichever frame of the DevTools window has focus, and DevTools may move focus
      // (e.g. onto the panel's iframe element) shortly after showing a panel. So (re)focus the
      // target element and check that the panel really holds focus before each key.
      const focusCheck = selector
        ? `(() => {
            const el = ${element(selector, 'pressKey')};
            if (document.activeElement !== el) el.focus();
            return document.hasFocus() && document.activeElement === el;
          })()`
        : `(() => { if (!document.hasFocus()) window.focus(); return document.hasFocus(); })()`;
      await waitUntil(
        `the panel${selector ? `'s ${selector}` : ''} to have keyboard focus before pressing ${key}`,
        () => evaluate<boolean>(focusCheck),
        { timeout: 5_000, interval: 50 },
      );
      const base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode, nativeVirtualKeyCode: k.keyCode };
      await inputSession.send('Input.dispatchKeyEvent', {
        type: k.text ? 'keyDown' : 'rawKeyDown',
        ...base,
        ...(k.text ? { text: k.text, unmodifiedText: k.text } : {}),
      });
      await inputSession.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
    },
    screenshot: (path) => captureScreenshot(inputSession, path),
    close: async () => {
      await panel.detach();
      await onClose();
    },
  };
}
