/**
 * "Edit & sign" in real DevTools against the real demo app on both Flask stacks: a payload edited
 * and signed with the app's key is set in the browser and accepted by Flask (the view sees the
 * edit); one signed with another key is ignored by Flask and shown Rejected once that key is no
 * longer among the panel's secrets; Undo puts the original cookie back.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASK_STACKS, startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchBrowserWithExtension, type LaunchedBrowser, type PanelHandle } from './support';
import { grantHostAccess } from './support/host-access';
import { secretLabel, typeSecret, waitForVerdict } from './support/session-view';
import { GRID, call, openDetails, rowOf, rowsWith, showTab, timelineFor, typeSecretKey } from './timeline-helpers';

const SECRET = 'sign-and-set-e2e-secret';

let browser: LaunchedBrowser;
const started: FlaskApp[] = [];

beforeAll(async () => {
  browser = await launchBrowserWithExtension();
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});

const whoami = (page: Page, tag: string) => page.evaluate((path) => fetch(path).then((r) => r.json() as Promise<{ user: string | null }>), `/whoami?${tag}`);

const clickButton = (panel: PanelHandle, label: string) =>
  panel.evaluate(`(() => {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === ${JSON.stringify(label)});
    if (!button || button.disabled) throw new Error(${JSON.stringify(`no enabled button "${label}"`)});
    button.click();
  })()`);

/** Puts `text` in the payload editor, picks the key, waits for the preview, and clicks Set cookie. */
async function signAndSet(panel: PanelHandle, edit: (payload: string) => string, keyIndex: number): Promise<string> {
  const textarea = 'textarea[aria-label="Payload to sign"]';
  await panel.waitFor(`!!document.querySelector('${textarea}')`);
  const payload = await panel.evaluate<string>(`document.querySelector('${textarea}').value`);
  await panel.type(textarea, edit(payload));
  await panel.evaluate(`(() => {
    const select = document.querySelector('select[aria-label="Key that signs"]');
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(select, '${keyIndex}');
    select.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);
  const forged = await panel.waitFor<string>(`document.querySelector('#forge-value')?.textContent || false`);
  await panel.waitFor(`(() => { const b = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === 'Set cookie'); return b && !b.disabled; })()`);
  await clickButton(panel, 'Set cookie');
  await panel.waitFor(`document.querySelector('#forge-status')?.textContent.startsWith('Set.')`);
  return forged;
}

describe.each(FLASK_STACKS)('Edit & sign on the %s stack', (stack) => {
  it('a payload signed with the app key is accepted, one signed with another key is Rejected, Undo restores the original', async () => {
    const flask = await startFlaskApp({ stack, secretKey: SECRET });
    started.push(flask);
    const t = await timelineFor(browser, flask);
    try {
      const { page, panel } = t;
      await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
      await panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted'`, { timeout: 10_000 });
      await call(page, 'POST', '/login');
      const original = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!;
      await typeSecretKey(panel, SECRET);
      await waitForVerdict(panel, /^Signature valid/);
      await panel.waitFor(`window.__sessionLens.state().jar.some((c) => c.name === 'session')`, { timeout: 10_000 });

      // Verifying wrote nothing; the editor only opens on request.
      expect((await browser.context.cookies(flask.url)).find((c) => c.name === 'session')?.value).toBe(original.value);
      await clickButton(panel, 'Edit & sign…');
      const forged = await signAndSet(panel, (p) => p.replace('"alice"', '"mallory"'), 0);
      const set = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!;
      expect(set.value).toBe(forged);
      expect({ httpOnly: set.httpOnly, path: set.path, secure: set.secure, sameSite: set.sameSite, expires: set.expires }).toEqual({
        httpOnly: original.httpOnly,
        path: original.path,
        secure: original.secure,
        sameSite: original.sameSite,
        expires: original.expires,
      });
      expect(await whoami(page, 'forged')).toEqual({ user: 'mallory' }); // Flask accepts it
      await showTab(panel, 'Timeline');
      const rows = await rowsWith(panel, '/whoami?forged');
      expect(rowOf(rows, '/whoami?forged').event).toBe('read');
      expect((await openDetails(panel, rowOf(rows, '/whoami?forged').seq)).text).toMatch(/Before: the request sent[\s\S]*Signature valid[\s\S]*'user': 'mallory'/);

      // Another key: Flask ignores the cookie; once the panel no longer knows that key, Rejected.
      await showTab(panel, 'Session');
      await typeSecret(panel, 1, 'not-the-app-key');
      await signAndSet(panel, (p) => p.replace('"mallory"', '"eve"'), 1);
      expect(await whoami(page, 'wrong-key')).toEqual({ user: null });
      await panel.evaluate(`document.querySelector('[aria-label="Remove ${secretLabel(1).toLowerCase()}"]').click()`);
      await showTab(panel, 'Timeline');
      await panel.waitFor(
        `Array.from(document.querySelectorAll('${GRID} [role="row"][data-seq]')).some((r) => r.dataset.event === 'rejected' && r.textContent.includes('/whoami?wrong-key'))`,
        { timeout: 10_000 },
      );
      const rejected = await openDetails(panel, rowOf(await rowsWith(panel, '/whoami?wrong-key'), '/whoami?wrong-key').seq);
      expect(rejected.text).toContain('Bad signature');

      // Undo: the cookie from before the first Set cookie.
      await showTab(panel, 'Session');
      await clickButton(panel, 'Undo');
      await panel.waitFor(`document.querySelector('#forge-status')?.textContent.startsWith('Restored')`);
      expect((await browser.context.cookies(flask.url)).find((c) => c.name === 'session')?.value).toBe(original.value);
      expect(await whoami(page, 'undone')).toEqual({ user: 'alice' });
    } finally {
      await t.close();
    }
  });
});
