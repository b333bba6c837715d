/**
 * "Edit & sign" in real DevTools against the real demo app on both Flask stacks: a payload edited
 * and signed with the app's key is set in the browser and accepted by Flask (the view sees the
 * edit); one signed with another key is ignored by Flask and shown Rejected once that key is no
 * longer among the panel's secrets; Undo puts the original cookie back. For Flask-Session (the
 * filesystem backend), the cookie set to another session's id is served that session's data,
 * signed with the app's key when SESSION_USE_SIGNER is on (and Rejected with another key).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASK_STACKS, startFlaskApp, type FlaskApp, type FlaskAppOptions } from '../test/support/services';
import { launchBrowserWithExtension, type LaunchedBrowser, type PanelHandle } from './support';
import { grantHostAccess } from './support/host-access';
import { clickButton, pickKey, setForged, signAndSet } from './support/forge';
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

/** The demo app with its Timeline open in real DevTools, and host access granted (Set cookie needs it). */
async function openWithHostAccess(options: FlaskAppOptions): Promise<{ flask: FlaskApp; t: Awaited<ReturnType<typeof timelineFor>> }> {
  const flask = await startFlaskApp(options);
  started.push(flask);
  const t = await timelineFor(browser, flask);
  await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
  await t.panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted'`, { timeout: 10_000 });
  return { flask, t };
}

/** With a second, wrong key pasted, `setWithIt` sets a cookie signed with it; the app ignores it, and once that key is removed the row is Rejected. */
async function expectRejectedWithWrongKey(panel: PanelHandle, page: Page, setWithIt: () => Promise<unknown>): Promise<void> {
  await showTab(panel, 'Session');
  await typeSecret(panel, 1, 'not-the-app-key');
  await setWithIt();
  expect(await whoami(page, 'wrong-key')).toEqual({ user: null });
  await panel.evaluate(`document.querySelector('[aria-label="Remove ${secretLabel(1).toLowerCase()}"]').click()`);
  await showTab(panel, 'Timeline');
  await panel.waitFor(
    `Array.from(document.querySelectorAll('${GRID} [role="row"][data-seq]')).some((r) => r.dataset.event === 'rejected' && r.textContent.includes('/whoami?wrong-key'))`,
    { timeout: 10_000 },
  );
}

describe.each(FLASK_STACKS)('Edit & sign on the %s stack', (stack) => {
  it('a payload signed with the app key is accepted, one signed with another key is Rejected, Undo restores the original', async () => {
    const { flask, t } = await openWithHostAccess({ stack, secretKey: SECRET });
    try {
      const { page, panel } = t;
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
      await expectRejectedWithWrongKey(panel, page, () => signAndSet(panel, (p) => p.replace('"mallory"', '"eve"'), 1));
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

/** A session made outside the browser under test (another user's): its cookie value, after POST /login. */
async function otherSession(flask: FlaskApp): Promise<string> {
  const response = await fetch(`${flask.url}/login`, { method: 'POST' });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('session='));
  if (!cookie) throw new Error('POST /login set no session cookie');
  return cookie.slice('session='.length).split(';')[0]!;
}

/** Puts `sid` in the id editor, picks the key (-1: unsigned) and sets the cookie. */
async function setSessionId(panel: PanelHandle, sid: string, keyIndex: number): Promise<string> {
  const input = 'input[aria-label="Session id to send"]';
  await panel.waitFor(`!!document.querySelector('${input}')`);
  await panel.type(input, sid);
  await pickKey(panel, keyIndex);
  return setForged(panel);
}

describe.each(FLASK_STACKS.map((stack, i) => ({ stack, useSigner: i % 2 === 1, signer: i % 2 === 1 ? 'on' : 'off' })))(
  'Edit & sign a Flask-Session id on the $stack stack (signer $signer)',
  ({ stack, useSigner }) => {
    it("the cookie set to another session's id gets that session's data; Undo restores the original", async () => {
      const { flask, t } = await openWithHostAccess({ stack, secretKey: SECRET, backend: 'filesystem', useSigner });
      try {
        const { page, panel } = t;
        // This browser's session holds a cart and no user; the other session is logged in.
        expect(await call(page, 'POST', '/cart-init')).toBe(200);
        const other = await otherSession(flask);
        const otherSid = useSigner ? other.slice(0, other.lastIndexOf('.')) : other;
        expect(await whoami(page, 'mine')).toEqual({ user: null });
        if (useSigner) {
          await typeSecretKey(panel, SECRET);
          await waitForVerdict(panel, /^Signature valid/);
        }
        await panel.waitFor(`window.__sessionLens.state().jar.some((c) => c.name === 'session')`, { timeout: 10_000 });
        // Read after the last response: Flask-Session sends the cookie again, with a later expiry, on every request.
        const original = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!;
        await showTab(panel, 'Session');
        await clickButton(panel, 'Edit & sign…');
        const forged = await setSessionId(panel, otherSid, useSigner ? 0 : -1);
        expect(forged).toBe(other); // the same id, signed as the server signs it
        const set = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!;
        expect({ value: set.value, httpOnly: set.httpOnly, path: set.path, expires: set.expires }).toEqual({ value: other, httpOnly: original.httpOnly, path: original.path, expires: original.expires });
        expect(await whoami(page, 'switched')).toEqual({ user: 'alice' }); // the server serves the other session
        await showTab(panel, 'Timeline');
        expect((await openDetails(panel, rowOf(await rowsWith(panel, '/whoami?switched'), '/whoami?switched').seq)).text).toContain(otherSid);

        if (useSigner) {
          // The same id signed with another key: the server does not trust it and starts afresh.
          await expectRejectedWithWrongKey(panel, page, async () => {
            await pickKey(panel, 1);
            await setForged(panel);
          });
        }

        // A fresh id of the client's choosing, then a login: Flask-Session 0.3.2 adopts the unknown id
        // (session fixation), 0.8.0 replaces it with one of its own (seen with both: see the README).
        await showTab(panel, 'Session');
        await clickButton(panel, 'New random id');
        const chosen = await setForged(panel);
        expect(await call(page, 'POST', '/login')).toBe(200);
        const afterLogin = (await browser.context.cookies(flask.url)).find((c) => c.name === 'session')!.value;
        await showTab(panel, 'Timeline');
        const login = rowOf(await rowsWith(panel, '/login'), '/login');
        if (stack === 'debian') {
          expect(afterLogin).toBe(chosen);
          expect(login.event).not.toBe('rejected');
        } else {
          expect(afterLogin).not.toBe(chosen);
          expect(login.event).toBe('rejected');
        }

        await showTab(panel, 'Session');
        await clickButton(panel, 'Undo');
        await panel.waitFor(`document.querySelector('#forge-status')?.textContent.startsWith('Restored')`);
        expect((await browser.context.cookies(flask.url)).find((c) => c.name === 'session')?.value).toBe(original.value);
        expect(await call(page, 'GET', '/mutate-nested')).toBe(200); // this browser's own session, cart and all
      } finally {
        await t.close();
      }
    });
  },
);
