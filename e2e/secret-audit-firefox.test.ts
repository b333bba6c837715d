/**
 * "Check for a known secret" in real Firefox DevTools (the Firefox build, dist-firefox/), against the
 * real demo Flask app: the panel starts its workers there too (module workers, WebAssembly allowed by
 * the extension's content security policy), finds a built-in SECRET_KEY, and the verdict turns valid.
 * Read through Firefox's accessibility tree, like e2e/firefox.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { launchFirefoxWithExtension, navigate, openToolbox, panelClick, showSessionPanel, treeItems, verdictText, waitForPanel, type LaunchedFirefox } from './support/firefox/firefox';

let firefox: LaunchedFirefox;
let flask: FlaskApp;

beforeAll(async () => {
  flask = await startFlaskApp({ stack: 'modern', secretKey: 'changeme' });
  firefox = await launchFirefoxWithExtension();
});

afterAll(async () => {
  await firefox?.close();
  await flask?.stop();
});

describe('Firefox DevTools: Check for a known secret', () => {
  it('runs in the panel\'s workers with the WebAssembly kernel, fills in the SECRET_KEY, and the verdict becomes valid', async () => {
    const m = firefox.marionette;
    await navigate(m, `${flask.url}/`);
    await openToolbox(m);
    await m.run('content', `await (await fetch('/login', { method: 'POST' })).text();`, []);
    await showSessionPanel(m);
    // The button is enabled once the session is shown (until then the section says why it cannot check).
    await waitForPanel(
      m,
      'the session shown and the check button ready',
      (t) => treeItems(t).includes("user: 'alice'") && t.some((n) => n.role === 'pushbutton' && n.name === 'Check for a known secret') && !t.some((n) => n.name === 'No session cookie to check yet.'),
    );
    await panelClick(m, 'pushbutton', 'Check for a known secret');
    const tree = await waitForPanel(m, 'the check to end', (t) => t.some((n) => n.role === 'text leaf' && /^(Known secret found|No known secret|The check could not run)/.test(n.name)), 30_000);
    const texts = tree.filter((n) => n.role === 'text leaf').map((n) => n.name);
    expect(texts).toContain("Known secret found: the app's SECRET_KEY is public");
    // Workers, not the in-panel fallback; the SIMD kernel, not plain JavaScript.
    expect(texts.some((t) => /^ · \d+ workers?$/.test(t))).toBe(true);
    expect(texts).toContain(' · WebAssembly SIMD');
    await waitForPanel(m, 'the verdict with the found key', (t) => verdictText(t) === 'Signature valid (key 1 of 1)');
  });
});
