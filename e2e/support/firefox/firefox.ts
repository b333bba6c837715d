import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertExtensionBuilt, firefoxDistDir, firefoxExecutable } from '../paths';
import { temporaryProfile } from '../temp-profile';
import { waitUntil } from '../wait';
import { Marionette } from './marionette';

/**
 * Real Firefox with the Firefox build of the extension (`dist-firefox/`, `npm run build:firefox`)
 * installed as a temporary add-on, driven over Marionette. The panel runs out of process, so the
 * tests read and drive it through the accessibility tree Firefox keeps of it in the parent
 * process: roles and names, the same contract the Chromium tests rely on.
 */
const PREFS: Record<string, string | number | boolean> = {
  'marionette.port': 0, // any free port, written to MarionetteActivePort in the profile
  'devtools.toolbox.host': 'bottom',
  // Optional permissions are granted without the doorhanger (the request still needs a click).
  'extensions.webextOptionalPermissionPrompts': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.aboutwelcome.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.disabledForTesting': true,
  'browser.startup.homepage_override.mstone': 'ignore',
};

export interface LaunchedFirefox {
  marionette: Marionette;
  addonId: string;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(distDir = firefoxDistDir()): Promise<LaunchedFirefox> {
  assertExtensionBuilt(distDir, 'npm run build:firefox');
  const profile = await temporaryProfile('session-lens-firefox-');
  writeFileSync(join(profile.dir, 'user.js'), Object.entries(PREFS).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`).join(''));
  const firefox: ChildProcess = spawn(firefoxExecutable(), ['--headless', '--marionette', '--remote-allow-system-access', '--no-remote', '--profile', profile.dir, '--width', '1400', '--height', '900'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  firefox.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const close = async () => {
    marionette?.close();
    if (firefox.exitCode === null && firefox.signalCode === null) {
      const exited = new Promise((done) => firefox.once('exit', done));
      firefox.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (firefox.exitCode === null && firefox.signalCode === null) firefox.kill('SIGKILL');
    }
    await profile.remove();
  };
  let marionette: Marionette | undefined;
  try {
    const port = await waitUntil(
      'Firefox to start Marionette (MarionetteActivePort in the profile)',
      () => {
        if (firefox.exitCode !== null) throw new Error(`Firefox exited (${firefox.exitCode}): ${stderr}`);
        const file = join(profile.dir, 'MarionetteActivePort');
        return existsSync(file) && Number(readFileSync(file, 'utf8').trim());
      },
      { timeout: 30_000, interval: 200 },
    );
    marionette = await Marionette.connect(port);
    await marionette.send('WebDriver:NewSession', { capabilities: { alwaysMatch: { unhandledPromptBehavior: 'ignore' } } });
    const { value: addonId } = await marionette.send<{ value: string }>('Addon:Install', { path: distDir, temporary: true });
    return { marionette, addonId, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One node of the panel's accessibility tree. */
export interface AccessibleNode {
  role: string;
  name: string;
  value: string;
  depth: number;
}

/** Chrome-context prelude: the selected tab's toolbox and the Session panel's accessible. */
const PANEL_PRELUDE = `
  const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
  const { gDevTools } = require('devtools/client/framework/devtools');
  const win = Services.wm.getMostRecentWindow('navigator:browser');
  const accessibility = Cc['@mozilla.org/accessibilityService;1'].getService(Ci.nsIAccessibilityService);
  // Polls \`probe\` for up to 10 s; returns its first truthy value, or throws \`failure()\`.
  const until = async (probe, failure) => {
    for (let i = 0; i < 100; i++) {
      const value = probe();
      if (value) return value;
      await new Promise((r) => win.setTimeout(r, 100));
    }
    throw new Error(failure());
  };
  const sessionTool = (toolbox) => toolbox.getAdditionalTools().find((tool) => tool.label === 'Session');
  const panelBrowser = () => {
    const toolbox = gDevTools.getToolboxForTab(win.gBrowser.selectedTab);
    const tool = toolbox && sessionTool(toolbox);
    const frame = tool && toolbox.doc.getElementById('toolbox-panel-iframe-' + tool.id);
    const browser = frame && frame.contentDocument && frame.contentDocument.querySelector('browser');
    return browser && /^moz-extension:.*panel\\.html/.test(browser.browsingContext?.currentURI?.spec ?? '') ? browser : null;
  };
  const nodes = () => {
    const browser = panelBrowser();
    if (!browser) throw new Error('the Session panel is not loaded');
    const out = [];
    const walk = (a, depth) => {
      if (!a || depth > 60) return;
      out.push({ a, role: accessibility.getStringRole(a.role), name: a.name ?? '', value: a.value ?? '', depth });
      for (let c = a.firstChild; c; c = c.nextSibling) walk(c, depth + 1);
    };
    walk(accessibility.getAccessibleFor(browser), 0);
    return out;
  };
  const lookup = (role, name) => nodes().find((n) => n.role === role && n.name === name)?.a;
  // The parent process's copy of the panel's tree (and its names) can trail the panel's DOM:
  // wait for the node, as for any other condition.
  const find = (role, name) => until(() => lookup(role, name), () =>
    'no ' + role + ' named ' + JSON.stringify(name) + ' in the Session panel (its ' + role + 's: ' +
    JSON.stringify(nodes().filter((n) => n.role === role).map((n) => n.name)) + ')');
`;

/**
 * Opens the toolbox on the selected tab (on the Console) and waits for the extension's devtools
 * page to register the Session panel, without showing it.
 */
export async function openToolbox(m: Marionette): Promise<void> {
  await m.run('chrome', `${PANEL_PRELUDE}
    const toolbox = await gDevTools.showToolboxForTab(win.gBrowser.selectedTab, { toolId: 'webconsole' });
    await until(() => sessionTool(toolbox), () => 'the extension registered no "Session" panel: ' + toolbox.getAdditionalTools().map((t) => t.label).join(', '));
  `);
}

/** Closes the selected tab's toolbox. */
export async function closeToolbox(m: Marionette): Promise<void> {
  await m.run('chrome', `${PANEL_PRELUDE} await gDevTools.closeToolboxForTab(win.gBrowser.selectedTab);`);
}

/** Closes the selected tab's toolbox and empties the cookie jar. */
export async function closeToolboxAndClearCookies(m: Marionette): Promise<void> {
  await closeToolbox(m);
  await m.run('chrome', `Services.cookies.removeAll();`);
}

/** Shows the Session panel (opening the toolbox first if needed) and waits until it has rendered. */
export async function showSessionPanel(m: Marionette): Promise<void> {
  await openToolbox(m);
  await m.run('chrome', `${PANEL_PRELUDE}
    const toolbox = gDevTools.getToolboxForTab(win.gBrowser.selectedTab);
    await toolbox.selectTool(sessionTool(toolbox).id);
    await until(panelBrowser, () => 'the Session panel page did not load');
  `);
  await waitForPanel(m, 'the panel to render its views', (tree) => tree.some((node) => node.role === 'pagetablist' && node.name === 'Session Lens views'));
}

/** The Session panel's accessibility tree, in document order (roles as Firefox names them). */
export function panelTree(m: Marionette): Promise<AccessibleNode[]> {
  return m.run('chrome', `${PANEL_PRELUDE} return nodes().map(({ role, name, value, depth }) => ({ role, name, value, depth }));`);
}

/** Clicks (the default action of) the accessible with this role and name. */
export async function panelClick(m: Marionette, role: string, name: string): Promise<void> {
  await m.run('chrome', `${PANEL_PRELUDE} (await find(args[0], args[1])).doAction(0);`, [role, name]);
}

/**
 * Replaces the text of an editable accessible, as typing would (the page sees input events), once
 * it is enabled (the panel disables its inputs while it loads the origin's settings).
 */
export async function panelType(m: Marionette, role: string, name: string, text: string): Promise<void> {
  await m.run('chrome', `${PANEL_PRELUDE}
    await find(args[0], args[1]);
    const enabled = () => {
      const state = {}, extra = {};
      const field = lookup(args[0], args[1]);
      field?.getState(state, extra);
      return field && (state.value & Ci.nsIAccessibleStates.STATE_UNAVAILABLE) === 0 && field;
    };
    const field = await until(enabled, () => 'the ' + args[1] + ' field stayed disabled (or went away)');
    field.QueryInterface(Ci.nsIAccessibleEditableText).setTextContents(args[2]);
  `, [role, name, text]);
}

/** Mean luminance (0 black … 255 white) of the rendered panel, drawn over mid grey: which theme it shows. */
export function panelLuminance(m: Marionette): Promise<number> {
  return m.run('chrome', `${PANEL_PRELUDE}
    const bitmap = await panelBrowser().browsingContext.currentWindowGlobal.drawSnapshot(null, 1, 'rgb(128, 128, 128)');
    const canvas = win.document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
    return sum / (data.length / 4);
  `);
}

/** Switches Firefox DevTools' theme (the `devtools.theme` preference: light, dark). */
export async function setDevtoolsTheme(m: Marionette, theme: 'light' | 'dark'): Promise<void> {
  await m.run('chrome', `Services.prefs.setStringPref('devtools.theme', args[0]);`, [theme]);
}

/** Waits until `predicate` holds for the panel's tree; returns that tree. A timeout quotes the verdict seen last. */
export async function waitForPanel(m: Marionette, description: string, predicate: (tree: AccessibleNode[]) => boolean, timeout = 15_000): Promise<AccessibleNode[]> {
  let last: AccessibleNode[] = [];
  try {
    return await waitUntil(description, async () => {
      last = await panelTree(m);
      return predicate(last) && last;
    }, { timeout, interval: 250 });
  } catch (error) {
    if (error instanceof Error) error.message += ` (last seen: verdict ${JSON.stringify(verdictText(last))}, payload ${JSON.stringify(treeItems(last))})`;
    throw error;
  }
}

/** Loads `url` in the selected tab. */
export async function navigate(m: Marionette, url: string): Promise<void> {
  await m.send('Marionette:SetContext', { value: 'content' });
  await m.send('WebDriver:Navigate', { url });
}

/** The text of node `index`'s subtree (its text leaves, in order). */
export function subtreeText(tree: readonly AccessibleNode[], index: number): string {
  let text = '';
  for (let i = index + 1; i < tree.length && tree[i]!.depth > tree[index]!.depth; i++) {
    if (tree[i]!.role === 'text leaf') text += tree[i]!.name;
  }
  return text;
}

/** The verification verdict: the headline of the panel's `role="status"` element ("statusbar" in Firefox). */
export function verdictText(tree: readonly AccessibleNode[]): string | undefined {
  const index = tree.findIndex((node) => node.role === 'statusbar');
  if (index < 0) return undefined;
  const headline = tree.findIndex((node, i) => i > index && node.role === 'text leaf');
  return headline > index && tree[headline]!.depth > tree[index]!.depth ? tree[headline]!.name : '';
}

/** The names of the payload tree's items ("key: value"). */
export function treeItems(tree: readonly AccessibleNode[]): string[] {
  return tree.filter((node) => node.role === 'outlineitem').map((node) => node.name);
}

/** The timeline grid's data rows, by their accessible names ("time method path status event …"). */
export function timelineRowNames(tree: readonly AccessibleNode[]): string[] {
  const grid = tree.findIndex((node) => node.role === 'grid' && node.name === 'Session timeline');
  if (grid < 0) return [];
  const rows: string[] = [];
  for (let i = grid + 1; i < tree.length && tree[i]!.depth > tree[grid]!.depth; i++) {
    if (tree[i]!.role === 'row' && !tree[i + 1]?.role.startsWith('columnheader')) rows.push(tree[i]!.name);
  }
  return rows;
}

/**
 * Clicks `selector` in the extension window that a panel action opened (the grant page), then
 * goes back to the tab. Marionette's click is trusted input, as the permission request needs.
 */
export async function clickInNewWindow(m: Marionette, before: readonly string[], selector: string): Promise<void> {
  const opened = await waitUntil('a new window', async () => (await m.send<string[]>('WebDriver:GetWindowHandles')).find((h) => !before.includes(h)), { timeout: 10_000 });
  const element = await waitUntil(
    `${selector} in the new window's extension page`,
    async () => {
      // The window opens on about:blank, then loads the extension page in another process, which
      // discards the browsing context a switch made before: switch again until the page is there.
      await m.send('WebDriver:SwitchToWindow', { handle: opened });
      await m.send('Marionette:SetContext', { value: 'content' });
      const { value: url } = await m.send<{ value: string }>('WebDriver:GetCurrentURL');
      return url.startsWith('moz-extension:') && m.send<{ value: Record<string, string> }>('WebDriver:FindElement', { using: 'css selector', value: selector });
    },
    { timeout: 10_000 },
  );
  await m.send('WebDriver:ElementClick', { id: Object.values(element.value)[0] });
  // The tab's handle may change meanwhile: go back to whichever window is left that is not the new one.
  const tab = await waitUntil('the tab window', async () => (await m.send<string[]>('WebDriver:GetWindowHandles')).find((h) => h !== opened), { timeout: 10_000 });
  await m.send('WebDriver:SwitchToWindow', { handle: tab });
}
