/**
 * `npm start`: builds the extension, starts the bundled demo Flask app on 127.0.0.1:5000 (or the
 * next free port), and opens Chromium with the extension loaded and DevTools open on the demo's
 * Session panel, in a fresh temporary profile. The demo app stops when Chromium closes.
 *
 *   npm start                                   interactive (needs a display; `xvfb-run -a` works)
 *   npm start -- --headless [--screenshot docs/panel.png] [--theme light|dark]
 *                                               opens the Session panel, logs in on the demo, types
 *                                               the demo's SECRET_KEY, saves a screenshot, exits
 *   npm start -- --server-session [--headless …]  the demo on Flask-Session's filesystem backend with the
 *                                               companion loaded; headless, the screenshot is the
 *                                               Timeline with a server-side diff opened
 *   npm start -- --headless --scene editor      the screenshot is Edit & sign with an edit previewed
 *                                               (with --server-session: the session-id editor)
 *   npm start -- --headless --server-session --scene server-view
 *                                               the Session view with the stored session's tree
 *   npm start -- --headless --scene jwt|django|express-session|cookie-session|rails
 *                                               the Session view on another framework's session from a real
 *                                               app of it (Express with jsonwebtoken, express-session or
 *                                               cookie-session; Django on signed_cookies; Rails' CookieStore), verified
 * Options: --skip-build, --stack modern|debian (default: modern when .venv-modern exists).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  extensionDistDir,
  launchBrowserWithExtension,
  openDevToolsOnly,
  repoRoot,
  type DevToolsHandle,
  type LaunchedBrowser,
} from '../e2e/support';
import { setFrontendPreferences } from '../e2e/support/devtools-internals';
import { grantHostAccess } from '../e2e/support/host-access';
import { typeSecret, waitForTreeItems, waitForVerdict } from '../e2e/support/session-view';
import { TargetSession } from '../e2e/support/target-session';
import { call, openDetails, rowOf, rowsWith, showTab } from '../e2e/timeline-helpers';
import { REPO_ROOT, startFlaskApp, type FlaskApp, type FlaskStack } from '../test/support/services';
import { startDjangoApp } from '../test/support/django-app';
import { startNodeSessionApp } from '../test/support/node-session-apps';
import { startRailsApp } from '../test/support/rails-app';
import { startExpressApp } from '../test/support/express-app';

/** The demo app's SECRET_KEY (its default, passed explicitly so the screenshot can verify). */
const DEMO_SECRET = 'dev-secret-change-me';
const FIRST_PORT = 5000;
/** DevTools width (docked right) and window size for screenshots. */
const SHOT = { window: { width: 1360, height: 900 }, devtoolsWidth: 1040 };

const { values: args } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    screenshot: { type: 'string', default: 'docs/panel.png' },
    theme: { type: 'string', default: 'light' },
    stack: { type: 'string' },
    'server-session': { type: 'boolean', default: false },
    scene: { type: 'string', default: 'default' },
    'skip-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

if (args.help) {
  console.log(`Usage: npm start [-- --headless [--screenshot PATH] [--theme light|dark]] [--server-session] [--scene editor|server-view|jwt|django|express-session|cookie-session|rails] [--stack modern|debian] [--skip-build]`);
  process.exit(0);
}
if (args.theme !== 'light' && args.theme !== 'dark') fail(`--theme must be light or dark, not ${JSON.stringify(args.theme)}`);
if (args.stack !== undefined && args.stack !== 'modern' && args.stack !== 'debian') fail(`--stack must be modern or debian`);

const stack: FlaskStack = (args.stack as FlaskStack | undefined) ?? (existsSync(join(REPO_ROOT, '.venv-modern', 'bin', 'python')) ? 'modern' : 'debian');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = net.createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

async function startDemo(): Promise<FlaskApp> {
  for (let port = FIRST_PORT; port < FIRST_PORT + 50; port += 1) {
    if (!(await portIsFree(port))) continue;
    try {
      return await startFlaskApp({
        stack,
        secretKey: DEMO_SECRET,
        ...(args['server-session'] ? { backend: 'filesystem', companion: true } : {}),
        env: { SESSION_LENS_PORT: String(port) },
      });
    } catch (error) {
      // Lost a race for the port: try the next one; anything else is fatal.
      if (!/Address already in use/i.test(String(error))) throw error;
    }
  }
  return fail(`no free port in ${FIRST_PORT}–${FIRST_PORT + 49} on 127.0.0.1`);
}

function build(): void {
  if (args['skip-build']) return;
  console.log('Building the extension (npm run build:extension)…');
  const result = spawnSync('npm', ['run', '--silent', 'build:extension'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) fail('the extension build failed');
}

/**
 * Interactive: a real Chromium window on the demo, DevTools docked with the Session panel shown
 * (through the same DevTools driving the e2e tests use); returns when the window is closed.
 */
async function interactive(app: FlaskApp): Promise<void> {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    fail('no display (DISPLAY/WAYLAND_DISPLAY unset). Run `xvfb-run -a npm start`, or `npm start -- --headless` for a screenshot.');
  }
  const browser = await launchBrowserWithExtension({ headless: false, extraArgs: ['--window-size=1400,900', '--no-default-browser-check'] });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${app.url}/`);
    const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
    await devtools.showPanel();
    console.log(`\nChromium is open on ${app.url}/ with DevTools on the Session panel.`);
    console.log(`Click "Log in" on the demo page, then paste the demo's SECRET_KEY: ${DEMO_SECRET}`);
    console.log('Close the Chromium window (or press Ctrl+C) to stop.\n');
    await new Promise<void>((closed) => browser.context.once('close', () => closed()));
  } finally {
    await browser.close();
  }
}

/** PNG of the DevTools part of the window (docked right, SHOT.devtoolsWidth wide). */
async function screenshotDevTools(devtools: DevToolsHandle, path: string): Promise<void> {
  const frontend = await TargetSession.attach(devtools.browserSession, devtools.frontendTargetId, 'DevTools front-end');
  try {
    const size = await devtools.evaluateFrontend<{ width: number; height: number }>(`({ width: innerWidth, height: innerHeight })`);
    const width = Math.min(SHOT.devtoolsWidth, size.width);
    const { data } = await frontend.send<{ data: string }>('Page.captureScreenshot', {
      format: 'png',
      clip: { x: size.width - width, y: 0, width, height: size.height, scale: 1 },
    });
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(data, 'base64'));
  } finally {
    await frontend.detach();
  }
}

/** The Timeline after a Flask-Session journey, the in-place cart change's server-side diff opened. */
async function serverSessionScene(page: Page, devtools: DevToolsHandle): Promise<void> {
  const panel = await devtools.showPanel();
  await showTab(panel, 'Timeline');
  for (const [method, path] of [
    ['POST', '/login'],
    ['GET', '/whoami'],
    ['POST', '/modify'],
    ['POST', '/cart-init'],
    ['POST', '/mutate-nested'],
  ] as const) {
    await call(page, method, path);
  }
  const rows = await rowsWith(panel, '/mutate-nested');
  const details = await openDetails(panel, rowOf(rows, '/mutate-nested').seq);
  if (!details.text.includes('On the server')) throw new Error('the Timeline details show no companion report: is the companion loaded?');
  await panel.evaluate(`document.activeElement?.blur()`);
}

/** Session view: the demo's session verified, then Edit & sign opened with an edit previewed (nothing is set). */
async function editorScene(browser: LaunchedBrowser, page: Page, devtools: DevToolsHandle, serverSide: boolean): Promise<void> {
  await grantHostAccess(browser.context, browser.extensionId, 'http://127.0.0.1/*');
  for (const action of ['/login', '/modify']) await call(page, 'POST', action);
  const panel = await devtools.showPanel();
  await typeSecret(panel, 0, DEMO_SECRET);
  await waitForVerdict(panel, /^Signature valid/);
  await panel.waitFor(`window.__sessionLens.state().hostAccess === 'granted'`, { timeout: 10_000 });
  await panel.evaluate(`Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === 'Edit & sign…').click()`);
  if (serverSide) {
    await panel.waitFor(`!!document.querySelector('input[aria-label="Session id to send"]')`);
    await panel.evaluate(`Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === 'New random id').click()`);
  } else {
    const textarea = 'textarea[aria-label="Payload to sign"]';
    await panel.waitFor(`!!document.querySelector('${textarea}')`);
    await panel.type(textarea, (await panel.evaluate<string>(`document.querySelector('${textarea}').value`)).replace("'alice'", "'mallory'").replace('"alice"', '"mallory"'));
  }
  await panel.waitFor(`!!document.querySelector('#forge-value')?.textContent`);
  await panel.evaluate(`document.activeElement?.blur(); document.querySelector('#forge-heading').scrollIntoView({ block: 'start' })`);
}

/** Session view on Flask-Session with the companion: the stored session's tree, as the server saved it. */
async function serverViewScene(page: Page, devtools: DevToolsHandle): Promise<void> {
  for (const [method, path] of [
    ['POST', '/login'],
    ['POST', '/rich'],
    ['POST', '/cart-init'],
  ] as const) {
    await call(page, method, path);
  }
  const panel = await devtools.showPanel();
  await typeSecret(panel, 0, DEMO_SECRET);
  await panel.waitFor(`!!document.querySelector('.server-session [role="treeitem"]')`, { timeout: 10_000 });
  await panel.evaluate(`document.activeElement?.blur(); document.querySelector('.server-session').scrollIntoView({ block: 'start' })`);
}

type FrameworkScene = 'jwt' | 'django' | 'express-session' | 'cookie-session' | 'rails';

/** Each other framework's scene: its real app, the pages to visit, what the Session view shows once read, and a caption. */
const FRAMEWORK_SCENES: Record<FrameworkScene, { start(secret: string): Promise<{ url: string; stop(): Promise<void>; what: string }>; paths: string[]; shows: string | null }> = {
  jwt: { start: async (secret) => ({ ...(await startExpressApp({ jwtSecret: secret })), what: 'a JWT from Express 5 with jsonwebtoken' }), paths: ['/jwt/login'], shows: 'sub: "ada"' },
  django: {
    start: async (secret) => {
      const app = await startDjangoApp({ secretKey: secret });
      return { ...app, what: `Django ${app.django}, signed_cookies` };
    },
    paths: ['/login/', '/cart/'],
    shows: "cart: ['A1']",
  },
  'express-session': { start: async (secret) => ({ ...(await startNodeSessionApp('express-session', [secret])), what: 'Express 5 with express-session' }), paths: ['/login'], shows: null },
  'cookie-session': { start: async (secret) => ({ ...(await startNodeSessionApp('cookie-session', [secret])), what: 'Express 5 with cookie-session' }), paths: ['/login', '/cart'], shows: 'user: "ada"' },
  rails: {
    start: async (secret) => {
      const app = await startRailsApp({ secretKeyBase: secret });
      return { ...app, what: `Rails ActionPack ${app.actionpack}, CookieStore` };
    },
    paths: ['/login', '/cart'],
    // Encrypted: the session shows once secret_key_base is typed.
    shows: null,
  },
};

/** Another framework's session, verified with its secret, from a real app of that framework. */
async function otherFrameworkScene(page: Page, devtools: DevToolsHandle, framework: FrameworkScene, path: string): Promise<string> {
  const scene = FRAMEWORK_SCENES[framework];
  const secret = `${framework}-demo-secret`;
  const site = await scene.start(secret);
  try {
    for (const visit of scene.paths) await page.goto(`${site.url}${visit}`);
    const panel = await devtools.showPanel();
    if (scene.shows) await waitForTreeItems(panel, [scene.shows]);
    await typeSecret(panel, 0, secret);
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    if (framework === 'rails') await waitForTreeItems(panel, ['user: "ada"']);
    await panel.evaluate(`document.activeElement?.blur(); document.querySelector('[role="treeitem"]')?.focus()`);
    await screenshotDevTools(devtools, path);
    return site.what;
  } finally {
    await site.stop();
  }
}

/** Headless: the panel with a decoded, verified session, saved as a PNG. */
async function headless(app: FlaskApp, path: string, theme: 'light' | 'dark'): Promise<void> {
  const browser = await launchBrowserWithExtension();
  try {
    // DevTools reads its preferences when a window opens: set them in a first, throwaway one.
    const blank = await browser.context.newPage();
    const setup = await openDevToolsOnly(browser.context, blank, browser.extensionId);
    await setFrontendPreferences(setup.evaluateFrontend, {
      'ui-theme': theme === 'dark' ? 'dark' : 'default',
      currentDockState: 'right',
      'inspector-view.split-view-state': { vertical: { size: SHOT.devtoolsWidth } },
    });
    await setup.close();
    await blank.close();

    const page = await browser.context.newPage();
    await page.setViewportSize(SHOT.window);
    await page.goto(`${app.url}/`);
    const devtools = await openDevToolsOnly(browser.context, page, browser.extensionId);
    if (Object.hasOwn(FRAMEWORK_SCENES, args.scene)) {
      const what = await otherFrameworkScene(page, devtools, args.scene as FrameworkScene, path);
      await devtools.close();
      console.log(`Saved ${path} (${theme} theme, ${what}).`);
      return;
    }
    if (args.scene === 'editor' || args.scene === 'server-view') {
      if (args.scene === 'editor') await editorScene(browser, page, devtools, args['server-session']);
      else await serverViewScene(page, devtools);
      await screenshotDevTools(devtools, path);
      await devtools.close();
      console.log(`Saved ${path} (${args.scene}, ${theme} theme, Flask ${app.info.flask}${args['server-session'] ? `, Flask-Session ${app.info.flask_session}` : ''}).`);
      return;
    }
    if (args['server-session']) {
      await serverSessionScene(page, devtools);
      await screenshotDevTools(devtools, path);
      await devtools.close();
      console.log(`Saved ${path} (${theme} theme, Flask ${app.info.flask}, Flask-Session ${app.info.flask_session} on the filesystem, with the companion).`);
      return;
    }
    for (const action of ['/login', '/rich', '/modify']) {
      await page.evaluate((path) => fetch(path, { method: 'POST' }).then((r) => r.text()), action);
    }
    const panel = await devtools.showPanel();
    await waitForTreeItems(panel, ["user: 'alice'", 'count: 1']);
    await typeSecret(panel, 0, DEMO_SECRET);
    await waitForVerdict(panel, 'Signature valid (key 1 of 1)');
    // Blur the secret field, and show the tree's focus on a typed value.
    await panel.evaluate(`document.activeElement?.blur(); document.querySelector('[role="treeitem"][aria-description="tuple"]')?.focus()`);
    const actualTheme = await panel.evaluate<string>(`document.documentElement.dataset.theme`);
    if (actualTheme !== theme) throw new Error(`the panel shows the ${actualTheme} theme, not ${theme}: did DevTools ignore its ui-theme preference?`);
    await screenshotDevTools(devtools, path);
    await devtools.close();
    console.log(`Saved ${path} (${theme} theme, Flask ${app.info.flask}).`);
  } finally {
    await browser.close();
  }
}

build();
if (!existsSync(join(extensionDistDir(), 'manifest.json'))) fail(`no extension build in ${extensionDistDir()}`);
const SCENES = ['default', 'editor', 'server-view', ...Object.keys(FRAMEWORK_SCENES)];
if (!SCENES.includes(args.scene)) fail(`unknown --scene ${args.scene} (${SCENES.slice(1).join(', ')})`);
if (args.scene === 'server-view' && !args['server-session']) fail('--scene server-view needs --server-session');
const app = await startDemo();
console.log(`Demo app (Flask ${app.info.flask}, ${stack} stack) on ${app.url}/`);
try {
  if (args.headless) await headless(app, resolve(repoRoot, args.screenshot), args.theme as 'light' | 'dark');
  else await interactive(app);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await app.stop();
}
