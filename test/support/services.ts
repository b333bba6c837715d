/**
 * Real services for integration and e2e tests: the bundled demo Flask app
 * (demo/app.py) on either Python stack and any Flask-Session backend, a throwaway
 * redis-server and memcached, and a small cookie-aware HTTP client.
 *
 * Every child process is started in its own process group and tracked; stop()
 * kills the group, and an exit/signal hook kills whatever is left when the test
 * process ends. The demo app additionally exits when its stdin pipe closes, so
 * it cannot outlive a test process that was killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_APP = path.join(REPO_ROOT, 'demo', 'app.py');

export type FlaskStack = 'debian' | 'modern';
export const FLASK_STACKS: readonly FlaskStack[] = ['debian', 'modern'];

const DEBIAN_PYTHON = '/usr/bin/python3';
const MODERN_PYTHON = path.join(REPO_ROOT, '.venv-modern', 'bin', 'python');

const SETUP_HINT =
  'Run scripts/setup-python.sh (it builds .venv-modern from requirements-modern.txt and checks the Debian stack). ' +
  'The Debian stack needs: apt-get install python3-flask python3-flask-session python3-redis';

/** The interpreter for a stack: Debian's system Python or the project's .venv-modern. */
export function pythonFor(stack: FlaskStack): string {
  const python = stack === 'debian' ? DEBIAN_PYTHON : MODERN_PYTHON;
  if (!existsSync(python)) {
    throw new Error(
      stack === 'debian'
        ? `${python} not found: the "debian" Flask stack is Debian's system Python. ` +
            'Install it with: apt-get install python3 python3-flask python3-flask-session python3-redis'
        : `${python} not found: the "modern" Flask stack lives in .venv-modern. ${SETUP_HINT}`,
    );
  }
  return python;
}

// ------------------------------------------------------------------ process tracking

const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group (the child is its leader)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (): void => {
    for (const child of liveChildren) killGroup(child, 'SIGKILL');
    liveChildren.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Re-raise so the default action (or the next listener) still happens.
      process.kill(process.pid, signal);
    });
  }
}

function track(child: ChildProcess): void {
  installExitHooks();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/**
 * Lets the test process exit even if a test forgot stop(): the exit hook then
 * kills the child. (Pending waits hold their own timers, so nothing is lost.)
 */
function unrefAll(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as Partial<net.Socket> | null)?.unref?.();
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM the child's process group, then SIGKILL it if it is still there after `graceMs`. */
async function terminate(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (hasExited(child)) {
    liveChildren.delete(child);
    return;
  }
  killGroup(child, 'SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    killGroup(child, 'SIGKILL');
    await waitForExit(child, 2_000);
  }
  liveChildren.delete(child);
}

/** Collects a child's stdout+stderr in arrival order (capped at the last `limit` characters). */
class OutputLog {
  private text = '';
  constructor(private readonly limit = 2_000_000) {}
  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ ports

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: could not read the bound address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

// ------------------------------------------------------------------ redis

export type RespValue = string | number | null | RespError | RespValue[];

export class RespError extends Error {}

/** Parses one RESP2 reply at `offset`; returns undefined when the buffer is incomplete. */
function parseResp(buf: Buffer, offset: number): { value: RespValue; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + length + 2) return undefined;
      return { value: buf.toString('latin1', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/**
 * Sends commands to redis on one fresh TCP connection (pipelined) and returns the
 * replies in order. Bulk strings come back as latin1 strings, so binary values keep
 * one char per byte (`Buffer.from(reply, 'latin1')` restores the bytes). Error
 * replies are returned as RespError values, not thrown.
 */
export function redisCommands(port: number, commands: readonly (readonly string[])[], timeoutMs = 2_000): Promise<RespValue[]> {
  const payload = commands
    .map((args) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''))
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`redis commands timed out after ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const replies: RespValue[] = [];
      let offset = 0;
      try {
        for (let i = 0; i < commands.length; i++) {
          const parsed = parseResp(received, offset);
          if (parsed === undefined) return; // wait for more data
          replies.push(parsed.value);
          offset = parsed.next;
        }
      } catch (err) {
        socket.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      socket.end();
      resolve(replies);
    });
  });
}

/** Sends one command to redis (see redisCommands). */
export async function redisCommand(port: number, args: readonly string[], timeoutMs = 2_000): Promise<RespValue> {
  const [reply] = await redisCommands(port, [args], timeoutMs);
  return reply ?? null;
}

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` (database 0). */
  url: string;
  /** URL of a numbered database on this server. */
  dbUrl(db: number): string;
  pid: number;
  /** Runs a command on database 0 of this server (see redisCommand). */
  command(...args: string[]): Promise<RespValue>;
  /** Runs a command on database `db` (SELECT and the command share one connection). */
  commandInDb(db: number, ...args: string[]): Promise<RespValue>;
  logs(): string;
  stop(): Promise<void>;
}

const REDIS_MISSING = 'redis-server is not installed (not found on PATH). Install it with: apt-get install redis-server';
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Starts `redis-server` in the foreground on a free port, without persistence, and waits for PONG. */
/**
 * Starts a loopback server in its own process group, its output into `log`, tracked for cleanup.
 * Under setpriv it gets the parent-death signal: such servers have no "exit with my parent"
 * option, and even a SIGKILLed test process must leave none behind.
 */
function spawnServer(command: string, args: string[], log: OutputLog): { child: ChildProcess; spawnError: () => NodeJS.ErrnoException | undefined } {
  const child = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let error: NodeJS.ErrnoException | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    error = err;
  });
  child.stdout?.setEncoding('utf8').on('data', (text: string) => log.append(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => log.append(text));
  track(child);
  unrefAll(child);
  return { child, spawnError: () => error };
}

export async function startRedis(opts: { readyTimeoutMs?: number } = {}): Promise<RedisServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startRedisOnce(await freePort(), opts.readyTimeoutMs ?? 10_000);
    } catch (err) {
      lastError = err instanceof Error ? err : new Error(String(err));
      // Only a lost race for the port is worth another try.
      if (!/Address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('startRedis failed');
}

async function startRedisOnce(port: number, readyTimeoutMs: number): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'session-lens-redis-'));
  const log = new OutputLog();
  const redisArgs = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
  const { child, spawnError } = spawnServer('redis-server', redisArgs, log);
  const cleanupDir = (): void => rmSync(dir, { recursive: true, force: true });

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError() !== undefined) {
      cleanupDir();
      liveChildren.delete(child);
      throw spawnError()!.code === 'ENOENT'
        ? new Error(REDIS_MISSING)
        : new Error(`could not start redis-server: ${spawnError()!.message}`);
    }
    if (hasExited(child)) {
      cleanupDir();
      if (child.exitCode === 127 && /No such file|not found/i.test(log.toString())) {
        throw new Error(`${REDIS_MISSING}\n${log}`);
      }
      throw new Error(`redis-server exited (code ${child.exitCode}, signal ${child.signalCode}) before accepting connections:\n${log}`);
    }
    try {
      if ((await redisCommand(port, ['PING'], 500)) === 'PONG') break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await terminate(child);
      cleanupDir();
      throw new Error(`redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms:\n${log}`);
    }
    await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  const url = `redis://127.0.0.1:${port}`;
  return {
    port,
    url,
    dbUrl: (db: number) => `${url}/${db}`,
    pid: child.pid ?? -1,
    command: (...args: string[]) => redisCommand(port, args),
    commandInDb: async (db: number, ...args: string[]) => {
      const [selected, reply] = await redisCommands(port, [['SELECT', String(db)], args]);
      if (selected instanceof RespError) throw new Error(`SELECT ${db} failed: ${selected.message}`);
      return reply ?? null;
    },
    logs: () => log.toString(),
    stop: () => {
      stopped ??= terminate(child).finally(cleanupDir);
      return stopped;
    },
  };
}

// ------------------------------------------------------------------ memcached

/** A reply to one memcached text-protocol `get`: the raw value bytes, or null on a miss. */
export interface MemcachedItem {
  flags: number;
  value: Buffer;
}

/**
 * Sends one memcached text-protocol command line (e.g. `get session:abc`, `version`) on a fresh
 * connection and resolves with the raw reply once it is complete (`END`, `VERSION …`, an error line).
 */
function memcachedRaw(port: number, line: string, timeoutMs = 2_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`memcached "${line}" timed out after ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      if (/(^|\r\n)(END|VERSION [^\r\n]*|ERROR|CLIENT_ERROR [^\r\n]*|SERVER_ERROR [^\r\n]*)\r\n$/.test(text)) {
        socket.end();
        resolve(received);
      }
    });
  });
}

/** memcached `get key`: the stored bytes and flags, or null when the key is not there. */
export async function memcachedGet(port: number, key: string): Promise<MemcachedItem | null> {
  const reply = await memcachedRaw(port, `get ${key}`);
  const text = reply.toString('latin1');
  if (text === 'END\r\n') return null;
  const m = /^VALUE (\S+) (\d+) (\d+)\r\n/.exec(text);
  if (m === null) throw new Error(`unexpected memcached reply to get: ${JSON.stringify(text.slice(0, 200))}`);
  const start = m[0].length;
  return { flags: Number(m[2]), value: reply.subarray(start, start + Number(m[3])) };
}

export interface MemcachedServer {
  port: number;
  /** `127.0.0.1:<port>` (what SESSION_LENS_MEMCACHED takes). */
  address: string;
  pid: number;
  version: string;
  get(key: string): Promise<MemcachedItem | null>;
  logs(): string;
  stop(): Promise<void>;
}

const MEMCACHED_MISSING = 'memcached is not installed (not found on PATH). Install it with: apt-get install memcached';

/** Starts `memcached` in the foreground on a free loopback port (TCP only) and waits until it answers `version`. */
export async function startMemcached(opts: { readyTimeoutMs?: number } = {}): Promise<MemcachedServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startMemcachedOnce(await freePort(), opts.readyTimeoutMs ?? 10_000);
    } catch (err) {
      lastError = err instanceof Error ? err : new Error(String(err));
      if (!/Address already in use|bind\(\)|failed to listen/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('startMemcached failed');
}

async function startMemcachedOnce(port: number, readyTimeoutMs: number): Promise<MemcachedServer> {
  const log = new OutputLog();
  // -U 0: no UDP; -m 16: 16 MB is plenty. memcached refuses to run as root without -u.
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16', '-v'];
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const { child, spawnError } = spawnServer('memcached', args, log);

  const deadline = Date.now() + readyTimeoutMs;
  let version: string;
  for (;;) {
    if (spawnError() !== undefined) {
      liveChildren.delete(child);
      throw spawnError()!.code === 'ENOENT' ? new Error(MEMCACHED_MISSING) : new Error(`could not start memcached: ${spawnError()!.message}`);
    }
    if (hasExited(child)) {
      if (child.exitCode === 127 && /No such file|not found/i.test(log.toString())) throw new Error(`${MEMCACHED_MISSING}\n${log}`);
      throw new Error(`memcached exited (code ${child.exitCode}, signal ${child.signalCode}) before accepting connections:\n${log}`);
    }
    try {
      const reply = (await memcachedRaw(port, 'version', 500)).toString('latin1');
      if (reply.startsWith('VERSION ')) {
        version = reply.slice('VERSION '.length).trim();
        break;
      }
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await terminate(child);
      throw new Error(`memcached on port ${port} did not answer "version" within ${readyTimeoutMs} ms:\n${log}`);
    }
    await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  return {
    port,
    address: `127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    version,
    get: (key: string) => memcachedGet(port, key),
    logs: () => log.toString(),
    stop: () => {
      stopped ??= terminate(child);
      return stopped;
    },
  };
}

// ------------------------------------------------------------------ the demo Flask app

/** The Flask-Session storage backends demo/app.py can run (SESSION_TYPE). */
export type FlaskSessionBackend = 'redis' | 'memcached' | 'filesystem' | 'mongodb' | 'sqlalchemy';
export const FLASK_SESSION_BACKENDS: readonly FlaskSessionBackend[] = ['redis', 'memcached', 'filesystem', 'mongodb', 'sqlalchemy'];
export type DemoBackend = 'cookie' | FlaskSessionBackend;

export interface FlaskAppOptions {
  stack: FlaskStack;
  /**
   * 'cookie' (default) or a Flask-Session backend. 'filesystem' and 'sqlalchemy' get a fresh
   * temporary directory per app (the cache files; the SQLite file), removed when the app stops;
   * 'mongodb' runs Flask-Session's MongoDB interface against an in-process mongomock client.
   */
  backend?: DemoBackend;
  secretKey?: string;
  /** SECRET_KEY_FALLBACKS, oldest first (only Flask >= 3.1 uses them). */
  fallbacks?: string[];
  /** Required for backend 'redis', e.g. RedisServer.dbUrl(1). */
  redisUrl?: string;
  /** Required for backend 'memcached': MemcachedServer.address. */
  memcachedAddress?: string;
  useSigner?: boolean;
  refreshEachRequest?: boolean;
  lifetimeSeconds?: number;
  sessionPermanent?: boolean;
  /** Load the companion (companion/, flask_session_lens): responses carry its X-Session-Lens report. */
  companion?: boolean;
  /** Extra environment variables for the app process. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** The demo app's GET /_info. */
export interface DemoAppInfo {
  flask: string;
  /** Installed Flask-Session version (null when it is not installed); used by the server-side backends. */
  flask_session: string | null;
  itsdangerous: string | null;
  werkzeug: string | null;
  python: string;
  backend: DemoBackend;
  /** Whether the companion adds its X-Session-Lens report. */
  companion: boolean;
  /** 'tagged-json-cookie' | 'pickle' | 'msgspec-msgpack' | 'msgspec-json' */
  store_format: string;
  use_signer: boolean;
  secret_key_fallbacks_supported: boolean;
  secret_key_fallbacks: number;
  session_permanent: boolean;
  refresh_each_request: boolean;
  lifetime_seconds: number;
  cookie_name: string;
  redis_url: string | null;
  memcached: string | null;
  file_dir: string | null;
  sqlalchemy_uri: string | null;
  /** 'mongomock' for the mongodb backend, else null. */
  mongodb: string | null;
  /** SESSION_KEY_PREFIX (server-side backends), else null. */
  key_prefix: string | null;
  /** The app's session interface class, e.g. "flask_session.sessions.RedisSessionInterface". */
  session_interface: string;
  /** The class of the client the Flask-Session interface stores through (null for the cookie backend). */
  store_client: string | null;
}

/** The JSON line demo/app.py prints once its socket listens. */
export interface DemoReadyLine {
  ready: true;
  host: string;
  port: number;
  url: string;
  flask: string;
  flask_session: string | null;
  backend: DemoBackend;
  python: string;
  pid: number;
}

export interface FlaskApp {
  stack: FlaskStack;
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  pid: number;
  python: string;
  /** The exact environment variables given to demo/app.py (SESSION_LENS_*). */
  config: Record<string, string>;
  ready: DemoReadyLine;
  info: DemoAppInfo;
  stop(): Promise<void>;
  /** stdout and stderr so far, in arrival order. */
  logs(): string;
}

function demoEnv(opts: FlaskAppOptions): Record<string, string> {
  const env: Record<string, string> = {
    SESSION_LENS_HOST: '127.0.0.1',
    SESSION_LENS_PORT: '0', // the app binds a free port and reports it: no race
    SESSION_LENS_BACKEND: opts.backend ?? 'cookie',
    SESSION_LENS_EXIT_ON_STDIN_EOF: '1',
  };
  if (opts.secretKey !== undefined) env.SESSION_LENS_SECRET_KEY = opts.secretKey;
  if (opts.fallbacks !== undefined) {
    if (opts.fallbacks.some((k) => k.includes(',') || k === '')) {
      throw new Error('startFlaskApp: fallback keys must be non-empty and may not contain ","');
    }
    env.SESSION_LENS_SECRET_KEY_FALLBACKS = opts.fallbacks.join(',');
  }
  if (opts.redisUrl !== undefined) env.SESSION_LENS_REDIS_URL = opts.redisUrl;
  if (opts.memcachedAddress !== undefined) env.SESSION_LENS_MEMCACHED = opts.memcachedAddress;
  if (opts.useSigner !== undefined) env.SESSION_LENS_USE_SIGNER = opts.useSigner ? '1' : '0';
  if (opts.refreshEachRequest !== undefined) env.SESSION_LENS_REFRESH_EACH_REQUEST = opts.refreshEachRequest ? '1' : '0';
  if (opts.lifetimeSeconds !== undefined) env.SESSION_LENS_LIFETIME = String(opts.lifetimeSeconds);
  if (opts.sessionPermanent !== undefined) env.SESSION_LENS_SESSION_PERMANENT = opts.sessionPermanent ? '1' : '0';
  if (opts.companion !== undefined) env.SESSION_LENS_COMPANION = opts.companion ? '1' : '0';
  return { ...env, ...opts.env };
}

/**
 * Starts demo/app.py with the stack's interpreter and waits for its ready line.
 * Inherited SESSION_LENS_*, PYTHONPATH and PYTHONHOME variables are dropped so
 * the two stacks cannot leak into each other.
 */
export async function startFlaskApp(opts: FlaskAppOptions): Promise<FlaskApp> {
  if (opts.backend === 'redis' && opts.redisUrl === undefined) {
    throw new Error('startFlaskApp: backend "redis" needs redisUrl (see startRedis())');
  }
  if (opts.backend === 'memcached' && opts.memcachedAddress === undefined) {
    throw new Error('startFlaskApp: backend "memcached" needs memcachedAddress (see startMemcached())');
  }
  const python = pythonFor(opts.stack);
  const config = demoEnv(opts);
  // A store directory of this app's own (cache files, SQLite database), removed when it stops.
  let storeDir: string | undefined;
  if ((opts.backend === 'filesystem' && config.SESSION_LENS_FILE_DIR === undefined) || (opts.backend === 'sqlalchemy' && config.SESSION_LENS_SQLALCHEMY_URI === undefined)) {
    storeDir = mkdtempSync(path.join(os.tmpdir(), `session-lens-${opts.backend}-`));
    if (opts.backend === 'filesystem') config.SESSION_LENS_FILE_DIR = path.join(storeDir, 'sessions');
    else config.SESSION_LENS_SQLALCHEMY_URI = `sqlite:///${path.join(storeDir, 'sessions.sqlite3')}`;
  }
  const removeStoreDir = (): void => {
    if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('SESSION_LENS_') || key === 'PYTHONPATH' || key === 'PYTHONHOME') continue;
    env[key] = value;
  }
  Object.assign(env, config, { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' });

  const log = new OutputLog();
  let child: ChildProcess;
  try {
    child = spawn(python, [DEMO_APP], { cwd: REPO_ROOT, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    removeStoreDir();
    throw err;
  }
  track(child);
  unrefAll(child); // keep stdin open (the app exits on EOF) without holding Node's event loop
  child.stdin?.on('error', () => {
    /* EPIPE after the app exited */
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => log.append(s));

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const ready = await new Promise<DemoReadyLine>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      removeStoreDir();
      const output = log.toString().trim();
      const hint = /ModuleNotFoundError|ImportError|No module named/.test(output) ? `\n${SETUP_HINT}` : '';
      reject(new Error(`demo app (${opts.stack}, ${python}) ${why}\n--- output ---\n${output || '(none)'}${hint}`));
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`could not be spawned: ${err.message}`));
    child.once('exit', (code, signal) => {
      // Let the last stderr chunk arrive before reporting.
      setTimeout(() => fail(`exited before it was ready (code ${code}, signal ${signal})`), 50);
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      log.append(chunk);
      if (settled) return;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as Partial<DemoReadyLine>;
          if (parsed.ready === true && typeof parsed.port === 'number') {
            settled = true;
            clearTimeout(timer);
            resolve(parsed as DemoReadyLine);
            return;
          }
        } catch {
          /* some other line */
        }
      }
    });
  });

  const url = `http://127.0.0.1:${ready.port}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      child.stdin?.end();
      await terminate(child);
      removeStoreDir();
    })();
    return stopped;
  };

  let info: DemoAppInfo;
  try {
    const res = await fetch(`${url}/_info`);
    if (!res.ok) throw new Error(`GET /_info answered ${res.status}`);
    info = (await res.json()) as DemoAppInfo;
  } catch (err) {
    await stop();
    throw new Error(`demo app (${opts.stack}) started but /_info failed: ${String(err)}\n--- output ---\n${log}`, {
      cause: err,
    });
  }

  return {
    stack: opts.stack,
    url,
    port: ready.port,
    pid: ready.pid,
    python,
    config,
    ready,
    info,
    stop,
    logs: () => log.toString(),
  };
}

// ------------------------------------------------------------------ HTTP client with a cookie jar

export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to ''. */
  attributes: Map<string, string>;
}

/** Splits one Set-Cookie header value into name, value and attributes (no unquoting or decoding). */
export function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? '' : pair.slice(0, eq)).trim();
  const value = (eq < 0 ? pair : pair.slice(eq + 1)).trim();
  const attributes = new Map<string, string>();
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    if (key !== '') attributes.set(key, i < 0 ? '' : attr.slice(i + 1).trim());
  }
  return { name, value, attributes };
}

/** True when the Set-Cookie header removes the cookie (Max-Age <= 0, or Expires in the past). */
export function isDeletion(cookie: ParsedSetCookie, now = Date.now()): boolean {
  const maxAge = cookie.attributes.get('max-age');
  if (maxAge !== undefined && maxAge !== '' && Number.isFinite(Number(maxAge))) return Number(maxAge) <= 0;
  const expires = cookie.attributes.get('expires');
  if (expires !== undefined) {
    const when = Date.parse(expires);
    if (!Number.isNaN(when)) return when <= now;
  }
  return false;
}

export interface CookieRequestOptions {
  /** Raw request body (sent as is). */
  body?: string | Uint8Array<ArrayBuffer>;
  /** JSON request body; sets Content-Type: application/json. */
  json?: unknown;
  headers?: Record<string, string>;
  /**
   * Send exactly this Cookie header instead of the jar's: a raw header string,
   * a name -> value record, or null for no Cookie header at all.
   */
  cookieOverride?: string | Record<string, string> | null;
  /** Apply the response's Set-Cookie headers to the jar (default true). */
  updateJar?: boolean;
}

export interface CookieResponse {
  status: number;
  headers: Headers;
  /** Every Set-Cookie header, in order (headers.getSetCookie()). */
  setCookie: string[];
  text: string;
  /** Parsed body when the response is JSON. */
  json?: unknown;
}

/**
 * A tiny HTTP client for one origin that keeps a cookie jar (name -> value).
 * Path, Domain and Secure are ignored; deletions (Max-Age=0 / past Expires) are honoured.
 * Redirects are not followed.
 */
export class CookieClient {
  readonly jar = new Map<string, string>();
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  deleteCookie(name: string): void {
    this.jar.delete(name);
  }

  clearCookies(): void {
    this.jar.clear();
  }

  cookieHeader(): string | undefined {
    if (this.jar.size === 0) return undefined;
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, urlPath: string, opts: CookieRequestOptions = {}): Promise<CookieResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    let cookieHeader: string | undefined;
    if (opts.cookieOverride === undefined) cookieHeader = this.cookieHeader();
    else if (opts.cookieOverride === null) cookieHeader = undefined;
    else if (typeof opts.cookieOverride === 'string') cookieHeader = opts.cookieOverride;
    else cookieHeader = Object.entries(opts.cookieOverride).map(([n, v]) => `${n}=${v}`).join('; ');
    if (cookieHeader !== undefined) headers.cookie = cookieHeader;

    let body: string | Uint8Array<ArrayBuffer> | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }

    const res = await fetch(this.baseUrl + urlPath, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const setCookie = res.headers.getSetCookie();
    if (opts.updateJar !== false) {
      for (const header of setCookie) {
        const parsed = parseSetCookie(header);
        if (parsed.name === '') continue;
        if (isDeletion(parsed)) this.jar.delete(parsed.name);
        else this.jar.set(parsed.name, parsed.value);
      }
    }
    const result: CookieResponse = { status: res.status, headers: res.headers, setCookie, text };
    if (/\bjson\b/i.test(res.headers.get('content-type') ?? '')) {
      try {
        result.json = JSON.parse(text) as unknown;
      } catch {
        /* leave json undefined; text has the body */
      }
    }
    return result;
  }

  get(urlPath: string, opts?: CookieRequestOptions): Promise<CookieResponse> {
    return this.request('GET', urlPath, opts);
  }

  post(urlPath: string, opts?: CookieRequestOptions): Promise<CookieResponse> {
    return this.request('POST', urlPath, opts);
  }
}
