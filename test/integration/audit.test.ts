/**
 * `session-lens audit` as users run it (the built dist-cli bundle, `npm run build:cli`
 * first) against cookies issued by the real demo app on both Flask stacks, with the
 * flask-unsign wordlist from ../shared (not copied into the project; the tests that need
 * it are skipped, saying so, when it is absent), and on a wordlist far larger than the
 * memory the run may use.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_SECRETS } from '../../src/core/audit';
import { CookieClient, FLASK_STACKS, REPO_ROOT, startFlaskApp, startRedis, type FlaskApp, type FlaskStack, type RedisServer } from '../support/services';

const BIN = join(REPO_ROOT, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['session-lens']!);
const WORDLIST = join(REPO_ROOT, '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
const HAVE_WORDLIST = existsSync(WORDLIST);
const WORDLIST_NOTE = HAVE_WORDLIST ? '' : ` — SKIPPED: ${WORDLIST} is absent`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking the event loop (the Flask apps answer meanwhile). */
function runBin(args: string[], opts: { stdinFile?: string; nodeArgs?: string[] } = {}): Promise<Run & { fd3: string }> {
  return new Promise((resolve, reject) => {
    const stdinFd = opts.stdinFile ? openSync(opts.stdinFile, 'r') : 'ignore';
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { stdio: [stdinFd, 'pipe', 'pipe', 'pipe'] });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    const out: Record<'stdout' | 'stderr' | 'fd3', string> = { stdout: '', stderr: '', fd3: '' };
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (s: string) => (out.fd3 += s));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, ...out }));
  });
}

function parsed(run: Run): Record<string, unknown> {
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/**
 * A secret from deep in the wordlist (past line 45,000): a plain quoted word, found nowhere
 * earlier in the file nor in the built-in list, so the line the audit reports is its own.
 */
function deepWordlistEntry(): { secret: string; line: number } {
  const lines = readFileSync(WORDLIST, 'latin1').split('\n');
  const earlier = new Set(lines.slice(0, 45_000).map((l) => l.trim().replace(/^(['"])(.*)\1$/, '$2')));
  for (let i = 45_000; i < lines.length; i++) {
    const m = /^'([a-z][a-z0-9]{5,15})'$/.exec(lines[i]!.trim());
    if (m && !earlier.has(m[1]!) && !BUILT_IN_SECRETS.includes(m[1]!) && !lines.slice(45_000, i).some((l) => l.includes(m[1]!))) return { secret: m[1]!, line: i + 1 };
  }
  throw new Error('no suitable entry deep in the wordlist');
}

/** The session cookie a real login sets. */
async function loginCookie(app: FlaskApp): Promise<string> {
  const client = new CookieClient(app.url);
  const res = await client.post('/login');
  expect(res.status).toBe(200);
  const value = client.cookie('session');
  expect(value, 'the login response sets a session cookie').toBeTruthy();
  return value!;
}

const ROTATE = "this app's SECRET_KEY is public: rotate it (keep the old one in SECRET_KEY_FALLBACKS for a smooth rotation)";

describe('the built session-lens binary audits cookies from real Flask apps', () => {
  it('exists after npm run build:cli', () => {
    expect(existsSync(BIN), `${BIN} is missing: run npm run build:cli`).toBe(true);
  });

  for (const stack of FLASK_STACKS) {
    describe(`${stack} stack`, () => {
      const strong = randomBytes(32).toString('base64url');
      const builtIn = 'super-secret-key';
      let deep: { secret: string; line: number } | null = null;
      const apps: Partial<Record<'deep' | 'builtIn' | 'strong', FlaskApp>> = {};

      beforeAll(async () => {
        expect(BUILT_IN_SECRETS).toContain(builtIn);
        if (HAVE_WORDLIST) deep = deepWordlistEntry();
        const keys: [keyof typeof apps, string][] = [
          ['builtIn', builtIn],
          ['strong', strong],
        ];
        if (deep) keys.push(['deep', deep.secret]);
        await Promise.all(keys.map(async ([which, secretKey]) => (apps[which] = await startFlaskApp({ stack: stack as FlaskStack, secretKey }))));
      });
      afterAll(() => Promise.allSettled(Object.values(apps).map((app) => app.stop())));

      it.skipIf(!HAVE_WORDLIST)(`finds a SECRET_KEY from deep in flask-unsign's wordlist, with its line${WORDLIST_NOTE}`, async () => {
        const cookie = await loginCookie(apps.deep!);
        const run = await runBin(['audit', cookie, '--wordlist', WORDLIST, '--json']);
        expect(run.status).toBe(3);
        const out = parsed(run);
        expect(out).toMatchObject({ format: 'flask', found: true, secret: deep!.secret, secret_hex: Buffer.from(deep!.secret).toString('hex'), source: 'wordlist', wordlist: WORDLIST, line: deep!.line });
        expect(out.candidates_tried).toBeGreaterThan(BUILT_IN_SECRETS.length + 40_000);
        expect(out.seconds).toBeGreaterThan(0);
        expect(out.rate_per_second).toBeGreaterThan(0);
        // The same finding in text: one line, on a Set-Cookie line as pasted from DevTools.
        const text = await runBin(['audit', `Set-Cookie: session=${cookie}; HttpOnly; Path=/`, '--wordlist', WORDLIST]);
        expect(text.status).toBe(3);
        expect(text.stdout).toBe(`Secret found: '${deep!.secret}' (wordlist line ${deep!.line} of ${WORDLIST}) — ${ROTATE}\n`);
      });

      it.skipIf(!HAVE_WORDLIST)(`finds a SECRET_KEY from the built-in list before the wordlist${WORDLIST_NOTE}`, async () => {
        const cookie = await loginCookie(apps.builtIn!);
        const run = await runBin(['audit', cookie, '--wordlist', WORDLIST, '--json']);
        expect(run.status).toBe(3);
        expect(parsed(run)).toMatchObject({ found: true, secret: builtIn, source: 'built-in', wordlist: null, line: null, candidates_tried: BUILT_IN_SECRETS.indexOf(builtIn) + 1 });
      });

      it.skipIf(!HAVE_WORDLIST)(`finds nothing for a strong random SECRET_KEY, after every candidate${WORDLIST_NOTE}`, async () => {
        const cookie = await loginCookie(apps.strong!);
        const run = await runBin(['audit', cookie, '--wordlist', WORDLIST, '--json']);
        expect(run.status).toBe(0);
        const out = parsed(run);
        // flask-unsign's parse() of the list gives 55,982 values; three are empty strings, which are skipped.
        expect(out).toMatchObject({ found: false, secret: null, secret_hex: null, source: null, candidates_tried: BUILT_IN_SECRETS.length + 55_982 - 3 });
        const text = await runBin(['audit', cookie, '--wordlist', WORDLIST]);
        expect(text.status).toBe(0);
        expect(text.stdout).toMatch(new RegExp(`^No known secret among ${BUILT_IN_SECRETS.length + 55_979} candidates \\(\\d+/s\\)\\n$`));
      });

      it('finds the built-in SECRET_KEY without a wordlist, and prints the hashcat line of a real cookie', async () => {
        const cookie = await loginCookie(apps.builtIn!);
        const run = await runBin(['audit', cookie]);
        expect(run.status).toBe(3);
        expect(run.stdout).toBe(`Secret found: '${builtIn}' (built-in list) — ${ROTATE}\n`);
        expect(await runBin(['audit', cookie, '--hashcat'])).toMatchObject({ status: 0, stdout: `${cookie}\n`, stderr: '' });
        const none = await runBin(['audit', await loginCookie(apps.strong!), '--builtin', '--json']);
        expect(none.status).toBe(0);
        expect(parsed(none)).toMatchObject({ found: false, candidates_tried: BUILT_IN_SECRETS.length });
      });
    });
  }
});

describe('the built binary audits signed Flask-Session ids on redis', () => {
  let redis: RedisServer;
  const apps: FlaskApp[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await redis?.stop();
  });

  for (const [index, stack] of FLASK_STACKS.entries()) {
    it(`${stack} stack: finds the SECRET_KEY that signs the id`, async () => {
      const app = await startFlaskApp({ stack, backend: 'redis', redisUrl: redis.dbUrl(index + 1), useSigner: true, secretKey: 'changeme' });
      apps.push(app);
      const cookie = await loginCookie(app);
      const run = await runBin(['audit', cookie, '--json']);
      expect(run.status).toBe(3);
      expect(parsed(run)).toMatchObject({ format: 'flask-session', found: true, secret: 'changeme', source: 'built-in' });
    });
  }
});

describe('the built binary streams wordlists', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'session-lens-audit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Reports the process's peak resident memory (kB) on fd 3 as it exits.
  const RSS_REPORTER = 'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(3,String(process.resourceUsage().maxRSS)))';

  it('reads a 2-million-line, 128 MB wordlist to its last line in bounded memory', async () => {
    // Each line: 55 spaces (stripped, as flask-unsign strips) and an 8-character candidate.
    const file = join(dir, 'two-million.txt');
    const lines = 2_000_000;
    const fd = openSync(file, 'w');
    const pad = ' '.repeat(55);
    let block = '';
    for (let i = 1; i <= lines; i++) {
      block += `${pad}c${String(i).padStart(7, '0')}\n`;
      if (block.length >= 1 << 20) {
        writeSync(fd, block);
        block = '';
      }
    }
    writeSync(fd, block);
    closeSync(fd);
    const fileBytes = lines * 64;

    // The secret is the last line: the whole file has been read when it is found.
    const cookie = (await runBin(['sign', '--secret', 'c2000000', '--payload', '{"user": "alice"}'])).stdout.trim();
    const run = await runBin(['audit', cookie, '--wordlist', file, '--json'], { nodeArgs: ['--import', RSS_REPORTER] });
    expect(run.status).toBe(3);
    expect(parsed(run)).toMatchObject({ found: true, secret: 'c2000000', line: lines, candidates_tried: BUILT_IN_SECRETS.length + lines });
    const maxRssBytes = Number(run.fd3) * 1024;
    expect(maxRssBytes).toBeGreaterThan(0);
    // Node itself takes some 50–60 MB; a run that held the file would need more than the file's 128 MB.
    expect(maxRssBytes, `peak RSS ${Math.round(maxRssBytes / 1e6)} MB for a ${fileBytes / 1e6} MB wordlist`).toBeLessThan(100 * 1024 * 1024);
  }, 180_000);

  it('reads a wordlist from standard input with --wordlist -', async () => {
    const file = join(dir, 'stdin.txt');
    const fd = openSync(file, 'w');
    writeSync(fd, Array.from({ length: 100_000 }, (_, i) => `'word-${i}'`).join('\n') + '\n');
    closeSync(fd);
    const cookie = (await runBin(['sign', '--secret', 'word-99999', '--payload', '{}'])).stdout.trim();
    const run = await runBin(['audit', cookie, '--wordlist', '-', '--json'], { stdinFile: file });
    expect(run.status).toBe(3);
    expect(parsed(run)).toMatchObject({ found: true, secret: 'word-99999', wordlist: '-', line: 100_000 });
    const text = await runBin(['audit', cookie, '--wordlist', '-'], { stdinFile: file });
    expect(text.stdout).toBe(`Secret found: 'word-99999' (wordlist line 100000 of standard input) — ${ROTATE}\n`);
  });
});
