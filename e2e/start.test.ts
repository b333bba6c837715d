/**
 * `npm start`, the README's command that runs the product: interactively (a real Chromium window
 * under Xvfb, DevTools on the Session panel, Ctrl+C stops everything) and with --headless (a
 * screenshot of the panel with the demo session verified).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, waitUntil } from './support';

const running: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

/** `node scripts/start.ts ARGS` in its own process group, so a signal reaches it as Ctrl+C would. */
function start(args: string[], { underXvfb, tmp }: { underXvfb: boolean; tmp?: string }): { child: ChildProcess; output(): string } {
  const command = ['node', '--import', 'tsx', 'scripts/start.ts', '--skip-build', ...args];
  const [file, ...rest] = underXvfb ? ['xvfb-run', '-a', '-s', '-screen 0 1400x900x24', ...command] : command;
  const env = tmp ? { ...process.env, TMPDIR: tmp } : process.env;
  const child = spawn(file!, rest, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** Temporary profiles in `dir` (npm start gets a TMPDIR of its own: other test runs on the machine make profiles too). */
const profiles = (dir: string) => new Set(readdirSync(dir).filter((name) => name.startsWith('session-lens-e2e-')));

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('npm start', () => {
  it('opens Chromium with DevTools on the Session panel, on the running demo; Ctrl+C stops it all', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'session-lens-start-tmp-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true }));
    const before = profiles(tmp);
    const run = start([], { underXvfb: true, tmp });
    const ready = await waitUntil(
      'npm start to report the Session panel open',
      () => /Demo app \(Flask [\d.]+, \w+ stack\) on (http:\/\/127\.0\.0\.1:\d+)\/[\s\S]*with DevTools on the Session panel/.exec(run.output()),
      { timeout: 90_000, interval: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- output ---\n${run.output()}`);
    });
    const demo = ready[1]!;
    const info = (await (await fetch(`${demo}/_info`)).json()) as { flask: string };
    expect(run.output()).toContain(`Flask ${info.flask}`);
    const added = [...profiles(tmp)].filter((name) => !before.has(name));
    expect(added).toHaveLength(1);

    process.kill(-run.child.pid!, 'SIGINT');
    await exited(run.child);
    await waitUntil('the demo app to stop', async () => !(await reachable(`${demo}/`)), { timeout: 10_000 });
    expect(existsSync(join(tmp, added[0]!))).toBe(false);
  });

  it('--headless saves a screenshot of the panel with the demo session verified', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'session-lens-start-'));
    try {
      const shot = join(dir, 'panel.png');
      const run = start(['--headless', '--theme', 'dark', '--screenshot', shot], { underXvfb: false });
      const code = await exited(run.child);
      expect(code, run.output()).toBe(0);
      expect(run.output()).toMatch(/Saved .*panel\.png \(dark theme, Flask [\d.]+\)/);
      const png = readFileSync(shot);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBeGreaterThan(400); // width from IHDR: the DevTools part of the window
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
