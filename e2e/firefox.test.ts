/**
 * The Firefox build (`dist-firefox/`) in real Firefox DevTools, against the real demo Flask app:
 * the panel decodes from traffic, verifies as the secret is typed, the Timeline classifies, and
 * host access works through the background relay and its grant window (Firefox gives DevTools
 * pages neither `cookies` nor `permissions`). On Flask-Session with the companion, the Session
 * view shows the stored session, and Edit & sign writes another id through the same relay.
 * Read through Firefox's accessibility tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaskApp, type FlaskApp } from '../test/support/services';
import { waitUntil } from './support';
import {
  clickInNewWindow,
  closeToolbox,
  closeToolboxAndClearCookies,
  launchFirefoxWithExtension,
  navigate,
  openToolbox,
  panelClick,
  panelLuminance,
  panelType,
  setDevtoolsTheme,
  showSessionPanel,
  subtreeText,
  timelineRowNames,
  treeItems,
  verdictText,
  waitForPanel,
  type AccessibleNode,
  type LaunchedFirefox,
} from './support/firefox/firefox';

const SECRET = 'firefox-e2e-secret';
let firefox: LaunchedFirefox;
let flask: FlaskApp;
let serverSide: FlaskApp;

beforeAll(async () => {
  [flask, serverSide] = await Promise.all([
    startFlaskApp({ stack: 'debian', secretKey: SECRET }),
    startFlaskApp({ stack: 'modern', secretKey: SECRET, backend: 'filesystem', useSigner: true, companion: true }),
  ]);
  firefox = await launchFirefoxWithExtension();
});

afterAll(async () => {
  await firefox?.close();
  await Promise.allSettled([flask?.stop(), serverSide?.stop()]);
});

/** The user the demo's /whoami sees, asked from the page. */
function whoami(): Promise<string | null> {
  return firefox.marionette.run('content', `return (await (await fetch('/whoami')).json()).user;`);
}

/** "path Event" of each timeline row (the row's name is "time method path status event …"). */
function pathsAndEvents(tree: AccessibleNode[]): string[] {
  return timelineRowNames(tree).map((row) => /(POST|GET) (\S+) \d+ (\w+)/.exec(row)?.slice(2).join(' ') ?? row);
}

/** POSTs from the page, as the demo's buttons do. */
async function post(...paths: string[]): Promise<void> {
  await firefox.marionette.run('content', `for (const path of args) await (await fetch(path, { method: 'POST' })).text();`, paths);
}

describe('Firefox DevTools', () => {
  it('decodes the session from traffic made before the panel was shown, verifies as the key is typed, and the Timeline classifies each request', async () => {
    const m = firefox.marionette;
    await navigate(m, `${flask.url}/`);
    await openToolbox(m);
    await post('/login', '/modify');
    await showSessionPanel(m);

    let tree = await waitForPanel(m, "the session decoded: user 'alice', count 1", (t) => ["user: 'alice'", 'count: 1'].every((item) => treeItems(t).includes(item)));
    expect(verdictText(tree)).toBe("Not verified — paste the app's SECRET_KEY");
    expect(tree.some((node) => node.role === 'text leaf' && node.name === 'Flask signed cookie')).toBe(true);
    // HttpOnly, and no host access yet: it came from the traffic.
    expect(tree.find((node) => node.role === 'listitem')?.name).toMatch(/^session Flask · Set-Cookie response/);

    await panelType(m, 'password text', 'Secret key', SECRET);
    await waitForPanel(m, 'the verdict for the right key', (t) => verdictText(t) === 'Signature valid (key 1 of 1)');
    await panelType(m, 'password text', 'Secret key', 'not-the-key');
    await waitForPanel(m, 'the verdict for a wrong key', (t) => verdictText(t) === 'Signature invalid for this key');
    await panelType(m, 'password text', 'Secret key', SECRET); // the Timeline checks signatures with it too

    await panelClick(m, 'pagetab', 'Timeline');
    await post('/logout');
    tree = await waitForPanel(m, 'the timeline rows', (t) => timelineRowNames(t).some((row) => row.includes('/logout')));
    const events = pathsAndEvents(tree);
    expect(events).toEqual(['/login Created', '/modify Modified', '/logout Deleted']);

    // Closed and reopened, the toolbox shows the same history (the panel keeps it in storage.session).
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // saved at most once a second; the save on close is best effort
    await closeToolbox(m);
    await showSessionPanel(m);
    await panelClick(m, 'pagetab', 'Timeline');
    tree = await waitForPanel(m, 'the restored timeline', (t) => timelineRowNames(t).length >= 3);
    expect(pathsAndEvents(tree)).toEqual(events);
    await panelClick(m, 'pagetab', 'Session');
  });

  it("follows DevTools' theme as the user switches it", async () => {
    const m = firefox.marionette;
    await showSessionPanel(m);
    const luminance = async (theme: 'light' | 'dark') => {
      await setDevtoolsTheme(m, theme);
      return waitUntil(`the panel to turn ${theme}`, async () => {
        const value = await panelLuminance(m);
        return (theme === 'dark' ? value < 80 : value > 180) && value;
      }, { timeout: 10_000, interval: 250 });
    };
    expect(await luminance('dark')).toBeLessThan(80);
    expect(await luminance('light')).toBeGreaterThan(180);
  });

  it('host access: the button opens the grant window; once allowed, a session set before DevTools opened is read from the jar', async () => {
    const m = firefox.marionette;
    await closeToolboxAndClearCookies(m);
    await navigate(m, `${flask.url}/`);
    await post('/login'); // before DevTools opens: no traffic the panel can see carries it
    await showSessionPanel(m);
    await panelClick(m, 'pagetab', 'Session');
    const button = `Allow reading cookies on ${flask.url}`;
    await waitForPanel(m, 'the host access button and no session', (t) => t.some((n) => n.role === 'pushbutton' && n.name === button) && treeItems(t).length === 0);

    const windows = await m.send<string[]>('WebDriver:GetWindowHandles');
    await panelClick(m, 'pushbutton', button);
    await clickInNewWindow(m, windows, '#allow');

    const tree = await waitForPanel(m, "the session from the jar: user 'alice'", (t) => treeItems(t).includes("user: 'alice'"));
    expect(tree.some((n) => n.role === 'pushbutton' && n.name === button)).toBe(false);
    const candidate = tree.findIndex((n) => n.role === 'listitem');
    expect(subtreeText(tree, candidate)).toContain('cookie jar');
    await panelType(m, 'password text', 'Secret key', SECRET);
    await waitForPanel(m, 'the jar cookie verified', (t) => verdictText(t) === 'Signature valid (key 1 of 1)');
  });

  it('Flask-Session with the companion: the stored session in the Session view; Edit & sign sets another id, Undo puts the original back', async () => {
    // Runs after the host access test: 127.0.0.1 on any port is allowed.
    const m = firefox.marionette;
    await closeToolboxAndClearCookies(m);
    await navigate(m, `${serverSide.url}/`);
    await showSessionPanel(m);
    await panelClick(m, 'pagetab', 'Session');
    await post('/login', '/cart-init');
    const tree = await waitForPanel(m, "the server-side session: user 'alice', cart []", (t) =>
      ["user: 'alice'", 'cart: []'].every((item) => treeItems(t).includes(item)) && t.some((n) => n.name === 'Server-side session'),
    );
    expect(tree.some((n) => n.name === 'FileSystemSessionInterface (SESSION_TYPE filesystem)')).toBe(true);
    await panelType(m, 'password text', 'Secret key', SECRET);
    await waitForPanel(m, 'the signed id verified', (t) => verdictText(t)?.startsWith('Signature valid') === true);

    await panelClick(m, 'pushbutton', 'Edit & sign…');
    await panelClick(m, 'pushbutton', 'New random id');
    await waitForPanel(m, 'Set cookie enabled', (t) => t.some((n) => n.role === 'pushbutton' && n.name === 'Set cookie'));
    await panelClick(m, 'pushbutton', 'Set cookie');
    await waitForPanel(m, 'the cookie set', (t) => t.some((n) => n.name?.startsWith('Set. The next request') === true));
    expect(await whoami()).toBeNull(); // an id the server does not know: a fresh session
    await panelClick(m, 'pushbutton', 'Undo');
    await waitForPanel(m, 'the cookie restored', (t) => t.some((n) => n.name?.startsWith('Restored the cookie') === true));
    expect(await whoami()).toBe('alice');
  });
});
