/**
 * "Check for a known secret": the orchestration (secret-audit.ts) over fake workers that run the
 * real job runner (audit-jobs.ts) when the test delivers their messages, the wording, and the
 * panel store's wiring (a hit becomes the SECRET_KEY; another site resets the check).
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SECRETS, analyzeCookie, py, signFlaskCookie, signFlaskSessionId, type SessionCandidate, type SessionSettings, DEFAULT_SETTINGS } from '../../src/core';
import type { CookieJar } from '../../src/extension/platform/cookie-jar';
import { createSettingsStore } from '../../src/extension/platform/settings-store';
import { AuditJobRunner, BUILT_IN_COUNT, lineOfCandidate, type AuditReply, type AuditRequest } from '../../src/extension/panel/state/audit-jobs';
import { PanelStore, type PanelPlatform } from '../../src/extension/panel/state/panel-store';
import {
  MAX_LINE_BYTES,
  SLICE_BYTES,
  SecretAudit,
  countLines,
  knownSecretTarget,
  wordlistPieces,
  type AuditTarget,
  type AuditWorker,
  type FoundSecret,
  type WordlistFile,
} from '../../src/extension/panel/state/secret-audit';
import { describeSecretAudit, formatRate } from '../../src/extension/panel/state/secret-audit-view';

const NOW = 1_764_086_400;
const ORIGIN = 'http://127.0.0.1:5000';

function flaskCookie(secret: string | Uint8Array): string {
  const signed = signFlaskCookie(py.dict([['user', py.str('alice')]]), { secret: typeof secret === 'string' ? { text: secret } : { hex: Buffer.from(secret).toString('hex') }, timestamp: NOW - 60 });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.cookie;
}

const target = (cookie: string, extra: Partial<AuditTarget> = {}): AuditTarget => ({ cookieName: 'session', cookie, format: 'flask', options: {}, ...extra });

function wordlist(text: string, name = 'words.txt'): WordlistFile {
  return new File([text], name);
}

/** A worker whose messages wait until the test delivers them; jobs run on the real AuditJobRunner. */
class FakeWorker implements AuditWorker {
  onmessage: ((event: { data: AuditReply }) => void) | null = null;
  onerror: ((event: { message?: string }) => void) | null = null;
  readonly inbox: AuditRequest[] = [];
  readonly received: AuditRequest[] = [];
  terminated = false;
  maxQueuedJobs = 0;
  readonly #runner = new AuditJobRunner();

  postMessage(message: AuditRequest): void {
    if (this.terminated) throw new Error('posted to a terminated worker');
    // What structured cloning with transfer does to the sender's buffer: it is gone.
    if (message.type === 'lines') {
      const copy = message.buffer.slice(0);
      structuredClone(message.buffer, { transfer: [message.buffer] });
      message = { ...message, buffer: copy };
    }
    this.inbox.push(message);
    this.received.push(message);
    this.maxQueuedJobs = Math.max(this.maxQueuedJobs, this.inbox.filter((m) => m.type !== 'start').length);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Runs the next message; false when there is none. */
  step(): boolean {
    const message = this.inbox.shift();
    if (!message || this.terminated) return false;
    this.#runner.handle(message, (reply) => this.onmessage?.({ data: reply }));
    return true;
  }

  jobs(type: AuditRequest['type']): AuditRequest[] {
    return this.received.filter((m) => m.type === type);
  }
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function fakeEnv(count = 2) {
  const workers: FakeWorker[] = [];
  let clock = 0;
  const audit = new SecretAudit({
    createWorker: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    workerCount: count,
    now: () => (clock += 1),
  });
  const found: FoundSecret[] = [];
  audit.onFound((secret) => found.push(secret));
  /** Delivers every message, round-robin, letting the file reads resolve, until the run ends. */
  const settle = async (limit = 10_000) => {
    for (let i = 0; i < limit; i++) {
      let any = false;
      for (const worker of workers) any = worker.step() || any;
      if (!any) {
        if (audit.getState().status !== 'running') return;
        await macrotask();
      }
    }
    throw new Error('the run did not end');
  };
  return { audit, workers, found, settle };
}

/** `count` made-up candidate lines (each different), one per line. */
function lines(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `'candidate-${from + i}-${'x'.repeat((i * 7) % 40)}'`);
}

describe('SecretAudit: built-in list, then the wordlist, in the workers', () => {
  it('finds a built-in secret without a file; the built-in list is split between the workers', async () => {
    const { audit, workers, found, settle } = fakeEnv(2);
    const secret = 'changeme';
    audit.check(target(flaskCookie(secret)));
    expect(audit.getState()).toMatchObject({ status: 'running', total: BUILT_IN_COUNT, threads: 2 });
    await settle();
    const index = BUILT_IN_SECRETS.indexOf(secret);
    expect(audit.getState()).toMatchObject({ status: 'found', hit: { source: 'built-in', line: index + 1, encoding: 'text' }, error: null });
    expect(found).toEqual([{ value: secret, encoding: 'text' }]);
    expect(workers.map((w) => w.jobs('built-in').length)).toEqual([1, 1]);
    const [a, b] = workers.map((w) => w.jobs('built-in')[0] as Extract<AuditRequest, { type: 'built-in' }>);
    expect([a!.from, a!.to, b!.from, b!.to]).toEqual([0, Math.ceil(BUILT_IN_COUNT / 2), Math.ceil(BUILT_IN_COUNT / 2), BUILT_IN_COUNT]);
    // Each worker warmed up once and got the run's cookie.
    expect(workers.map((w) => w.jobs('warm').length)).toEqual([1, 1]);
    expect(workers.map((w) => w.jobs('start').length)).toEqual([1, 1]);
  });

  it('finds a secret on its line of a wordlist read in slices (blank lines, CRLF, literals), and reports the line', async () => {
    const { audit, found, workers, settle } = fakeEnv(2);
    const words = lines(20_000);
    words[3] = '';
    words[4] = '"crlf-line"\r';
    const at = 17_321;
    words[at] = `"the-secret-\\x41"`;
    const text = words.join('\n') + '\n';
    expect(text.length).toBeGreaterThan(4 * SLICE_BYTES);
    audit.chooseWordlist(wordlist(text));
    audit.check(target(flaskCookie('the-secret-A')));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'found', hit: { source: 'wordlist', line: at + 1 }, runWordlist: { name: 'words.txt', size: text.length } });
    expect(found).toEqual([{ value: 'the-secret-A', encoding: 'text' }]);
    // Slices went to both workers, none left a line cut in two.
    const slices = workers.flatMap((w) => w.jobs('lines') as Extract<AuditRequest, { type: 'lines' }>[]);
    expect(slices.length).toBeGreaterThan(3);
    expect(new Set(workers.map((w) => w.jobs('lines').length > 0))).toEqual(new Set([true]));
    for (const slice of slices) expect(new Uint8Array(slice.buffer, 0, slice.length).at(-1)).toBe(0x0a);
    // At most two jobs wait in any worker: a huge file streams through in bounded memory.
    for (const worker of workers) expect(worker.maxQueuedJobs).toBeLessThanOrEqual(2);
  });

  it('not found: every candidate tried, built-in entries plus the file\'s lines, a last line without a line break included', async () => {
    const { audit, found, settle } = fakeEnv(3);
    const text = lines(9_000).join('\n');
    audit.chooseWordlist(wordlist(text));
    audit.check(target(flaskCookie('strong-and-random-8c1f2e')));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'not-found', tried: BUILT_IN_COUNT + 9_000, total: BUILT_IN_COUNT + 9_000, hit: null, threads: 3 });
    expect(found).toEqual([]);
    const view = describeSecretAudit(audit.getState(), 'session');
    expect(view.headline).toBe(`No known secret: ${(BUILT_IN_COUNT + 9_000).toLocaleString('en-US')} candidates tried in ${view.headline.split(' in ')[1]}`);
    expect(view.details[0]).toBe(`Not in the built-in list (${BUILT_IN_COUNT}) and words.txt (9,000 lines).`);
  });

  it('a secret that is not UTF-8 (a bytes literal) is handed over as hex', async () => {
    const { audit, found, settle } = fakeEnv(1);
    const bytes = Uint8Array.of(0xff, 0x00, 0x7f, 0x80);
    audit.chooseWordlist(wordlist(`'plain'\nb'\\xff\\x00\\x7f\\x80'\n`));
    audit.check(target(flaskCookie(bytes)));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'found', hit: { source: 'wordlist', line: 2, encoding: 'hex' } });
    expect(found).toEqual([{ value: 'ff007f80', encoding: 'hex' }]);
  });

  it('Cancel stops sending jobs and ignores what the workers still hold; the workers are reused by the next run', async () => {
    const { audit, workers, found, settle } = fakeEnv(2);
    const text = lines(60_000).join('\n') + '\n';
    audit.chooseWordlist(wordlist(text));
    audit.check(target(flaskCookie('not-in-there')));
    // Let a few jobs through.
    for (let round = 0; round < 4; round++) {
      await macrotask();
      for (const worker of workers) worker.step();
    }
    const sent = workers.reduce((n, w) => n + w.jobs('lines').length, 0);
    expect(audit.getState().tried).toBeGreaterThan(0);
    audit.cancel();
    const tried = audit.getState().tried;
    expect(audit.getState()).toMatchObject({ status: 'cancelled' });
    for (let round = 0; round < 5; round++) {
      await macrotask();
      for (const worker of workers) while (worker.step());
    }
    expect(audit.getState()).toMatchObject({ status: 'cancelled', tried });
    expect(workers.reduce((n, w) => n + w.jobs('lines').length, 0)).toBe(sent);
    expect(describeSecretAudit(audit.getState(), 'session').headline).toMatch(/^Cancelled after [\d,]+ of [\d,]+ candidates$/);

    audit.chooseWordlist(null);
    audit.check(target(flaskCookie('changeme')));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'found', hit: { source: 'built-in' } });
    expect(workers).toHaveLength(2);
    expect(found).toEqual([{ value: 'changeme', encoding: 'text' }]);
  });

  it('progress: total from the line count, tried grows, the rate is candidates per second', async () => {
    const { audit, workers } = fakeEnv(1);
    audit.chooseWordlist(wordlist(lines(30_000).join('\n')));
    audit.check(target(flaskCookie('x-not-there')));
    expect(audit.getState().total).toBeNull();
    for (let i = 0; i < 5; i++) {
      await macrotask();
      workers[0]!.step();
    }
    const state = audit.getState();
    expect(state.total).toBe(BUILT_IN_COUNT + 30_000);
    expect(state.tried).toBeGreaterThan(0);
    expect(state.rate).toBeGreaterThan(0);
    expect(describeSecretAudit(state, 'session').announcement).toMatch(/^Checking for a known secret: \d+% tried$/);
    audit.cancel();
  });

  it('a cookie without a signature fails at once, with the reason; nothing reaches the workers', () => {
    const { audit, workers } = fakeEnv(2);
    audit.check(target('not-a-signed-value'));
    expect(audit.getState()).toMatchObject({ status: 'failed' });
    expect(audit.getState().error).toMatch(/^This cookie cannot be checked: no '.' found/);
    expect(workers).toHaveLength(0);
  });

  it('a worker that fails ends the run with its message; the next run starts new workers', async () => {
    const { audit, workers, settle } = fakeEnv(2);
    audit.check(target(flaskCookie('changeme')));
    workers[1]!.onerror!({ message: 'Failed to load module script' });
    expect(audit.getState()).toMatchObject({ status: 'failed', error: 'A checking thread stopped: Failed to load module script' });
    expect(workers[1]!.terminated).toBe(true);
    // The remaining worker carries on alone.
    audit.check(target(flaskCookie('changeme')));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'found', threads: 2 });
    expect(workers).toHaveLength(2);
  });

  it('no workers at all (createWorker throws): the same runner in the panel thread', async () => {
    const audit = new SecretAudit({
      createWorker: () => {
        throw new Error('Worker is not defined');
      },
      workerCount: 4,
      now: () => performance.now(),
    });
    const found: FoundSecret[] = [];
    audit.onFound((s) => found.push(s));
    audit.chooseWordlist(wordlist(`${lines(500).join('\n')}\n'inline-secret'\n`));
    audit.check(target(flaskCookie('inline-secret')));
    expect(audit.getState()).toMatchObject({ inline: true, threads: 1 });
    for (let i = 0; i < 200 && audit.getState().status === 'running'; i++) await macrotask();
    expect(audit.getState()).toMatchObject({ status: 'found', hit: { source: 'wordlist', line: 501 } });
    expect(found).toEqual([{ value: 'inline-secret', encoding: 'text' }]);
    audit.dispose();
  });

  it('reads a Flask-Session id with its own salt', async () => {
    const { audit, settle } = fakeEnv(2);
    const signed = signFlaskSessionId('Yq4w1C2I6cK0e0w2l7h9J8pZx3mN5bV4aT1sR6dF0gE', { secret: { text: 'flask-secret-key' } });
    if (!signed.ok) throw new Error('sign');
    audit.check(target(signed.value, { format: 'flask-session', options: { format: 'flask-session' } }));
    await settle();
    expect(audit.getState()).toMatchObject({ status: 'found', format: 'flask-session', hit: { source: 'built-in' } });
    expect(describeSecretAudit(audit.getState(), 'session').details.join(' ')).toContain('Flask-Session signs its session ids');
  });
});

describe('wordlist slices and lines', () => {
  it('wordlistPieces cuts whole lines of about SLICE_BYTES, each in its own buffer, longer for a long line; countLines agrees', async () => {
    const pieces = async (text: string) => {
      const out: { text: string; lines: number; own: boolean }[] = [];
      for await (const { bytes, lines } of wordlistPieces(wordlist(text))) {
        out.push({ text: new TextDecoder().decode(bytes), lines, own: bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength });
      }
      return out;
    };
    const long = 'y'.repeat(SLICE_BYTES * 3);
    const text = `a\n${long}\nb\nc`;
    const cut = await pieces(text);
    expect(cut.map((p) => p.text).join('')).toBe(text);
    expect(cut.every((p) => p.own)).toBe(true);
    expect(cut.slice(0, -1).every((p) => p.text.endsWith('\n'))).toBe(true);
    expect(cut.reduce((n, p) => n + p.lines, 0)).toBe(4);
    expect(cut.some((p) => p.text.includes(long))).toBe(true);
    const many = lines(30_000).join('\n') + '\n';
    const manyCut = await pieces(many);
    expect(manyCut.length).toBeGreaterThan(many.length / SLICE_BYTES - 1);
    for (const piece of manyCut) expect(piece.text.length).toBeLessThanOrEqual(SLICE_BYTES);
    expect(manyCut.reduce((n, p) => n + p.lines, 0)).toBe(30_000);
    expect(await pieces('')).toEqual([]);
    expect(await countLines(wordlist(text))).toBe(4);
    expect(await countLines(wordlist('a\nb\n'))).toBe(2);
    expect(await countLines(wordlist(''))).toBe(0);
  });

  it('a line longer than MAX_LINE_BYTES is refused, not read into memory whole', async () => {
    const huge = new File([new Uint8Array(MAX_LINE_BYTES + SLICE_BYTES).fill(0x61)], 'one-line.txt');
    await expect(async () => {
      for await (const _ of wordlistPieces(huge)) void _;
    }).rejects.toThrow(/^line 1 is longer than 16 MB$/);
  });

  it('lineOfCandidate skips lines that give no candidate', () => {
    const bytes = new TextEncoder().encode("\n'a'\n   \n''\n'b'\n'c'");
    expect(lineOfCandidate(bytes, 0)).toBe(1);
    expect(lineOfCandidate(bytes, 1)).toBe(4);
    expect(lineOfCandidate(bytes, 2)).toBe(5);
  });
});

describe('what can be checked', () => {
  const settings: SessionSettings = { ...DEFAULT_SETTINGS, secrets: [] };
  const candidate = (value: string): SessionCandidate => ({ name: 'session', value }) as SessionCandidate;
  const analysis = (value: string) => analyzeCookie('session', value, {});

  it('a Flask cookie and a signed Flask-Session id, with the signer settings; not an unsigned id or an unknown cookie', () => {
    const cookie = flaskCookie('k');
    expect(knownSecretTarget(candidate(cookie), analysis(cookie), { ...settings, salt: 'custom-salt', digest: 'sha1', keyDerivation: 'hmac' })).toMatchObject({
      target: { cookieName: 'session', cookie, format: 'flask', options: { format: 'flask', salt: 'custom-salt', digest: 'sha1', keyDerivation: 'hmac' } },
      unavailable: null,
    });
    const signed = signFlaskSessionId('Yq4w1C2I6cK0e0w2l7h9J8pZx3mN5bV4aT1sR6dF0gE', { secret: { text: 'k' } });
    if (!signed.ok) throw new Error('sign');
    expect(knownSecretTarget(candidate(signed.value), analysis(signed.value), settings).target?.format).toBe('flask-session');
    const sid = 'Yq4w1C2I6cK0e0w2l7h9J8pZx3mN5bV4aT1sR6dF0gE';
    expect(knownSecretTarget(candidate(sid), analysis(sid), settings).unavailable).toMatch(/not signed/);
    expect(knownSecretTarget(candidate('hello'), analysis('hello'), settings).unavailable).toMatch(/no known session format/);
    expect(knownSecretTarget(null, null, settings).unavailable).toMatch(/No session cookie/);
    // A digest whose signature length does not fit.
    expect(knownSecretTarget(candidate(cookie), analysis(cookie), { ...settings, digest: 'sha256' }).unavailable).toMatch(/cannot be checked: the signature is 20 bytes/);
  });
});

describe('wording', () => {
  it('a hit says the SECRET_KEY is public, where it was found, and how to rotate it', () => {
    const state = { ...new SecretAudit({ createWorker: () => new FakeWorker(), workerCount: 1, now: () => 0 }).getState() };
    const view = describeSecretAudit({ ...state, status: 'found', format: 'flask', cookieName: 'session', tried: 50_487, total: 56_464, runWordlist: { name: 'list.txt', size: 1 }, hit: { source: 'wordlist', line: 50_005, encoding: 'text' } }, 'session');
    expect(view.tone).toBe('bad');
    expect(view.headline).toBe("Known secret found: the app's SECRET_KEY is public");
    expect(view.details[0]).toBe('It is line 50,005 of list.txt. It is now the Secret key above; tick Show keys to see it.');
    expect(view.details.join(' ')).toMatch(/Rotate it now/);
    expect(view.details.join(' ')).toMatch(/SECRET_KEY_FALLBACKS \(Flask ≥ 3\.1\)/);
    expect(describeSecretAudit({ ...state, status: 'found', cookieName: 'other', hit: { source: 'built-in', line: 3, encoding: 'hex' } }, 'session').headline).toBe(
      "Known secret found (cookie other): the app's SECRET_KEY is public",
    );
    expect(formatRate(1_234_567)).toBe('1.2 million/s');
    expect(formatRate(412_345)).toBe('412,300/s');
    expect(formatRate(null)).toBe('');
  });
});

function fakePlatform(cookie: string) {
  let origin = ORIGIN;
  const jar: CookieJar = {
    hasHostAccess: async () => false,
    requestHostAccess: async () => false,
    read: async () => [],
    write: async () => {
      throw new Error('no host access');
    },
    watch: () => () => {},
    onHostAccessChanged: () => () => {},
  };
  const platform: PanelPlatform = {
    subscribeExchanges: (listener) => {
      listener(
        [{ seq: 1, startedAt: NOW * 1000, method: 'POST', url: `${ORIGIN}/login`, status: 200, requestHeaders: [], responseHeaders: [{ name: 'Set-Cookie', value: `session=${cookie}; HttpOnly; Path=/` }], resourceType: 'fetch' }],
        { dropped: 0 },
      );
      return () => {};
    },
    inspectedOrigin: async () => origin,
    settings: createSettingsStore({ local: { get: async () => ({}), set: async () => {}, remove: async () => {} } }),
    jar,
    now: () => NOW * 1000,
    every: () => () => {},
    later: (_ms, fn) => {
      fn();
      return () => {};
    },
  };
  return { platform, navigate: (to: string) => (origin = to) };
}

describe('PanelStore wiring', () => {
  it('a hit becomes the SECRET_KEY (fallback rows stay) and the verdict turns valid; another site resets the check', async () => {
    const cookie = flaskCookie('you-will-never-guess');
    const { platform, navigate } = fakePlatform(cookie);
    const env = fakeEnv(2);
    const store = new PanelStore(platform, { secretAudit: env.audit });
    const stop = store.start();
    for (let i = 0; i < 10 && !store.getState().settingsLoaded; i++) await macrotask();
    store.updateSettings({ secrets: [{ value: 'wrong', encoding: 'text' }, { value: 'old', encoding: 'text' }] });
    expect(store.getState().knownSecret.target?.cookie).toBe(cookie);
    store.checkForKnownSecret();
    expect(store.secretAuditState().status).toBe('running');
    await env.settle();
    const state = store.getState();
    expect(store.secretAuditState().status).toBe('found');
    expect(state.settings.secrets).toEqual([
      { value: 'you-will-never-guess', encoding: 'text' },
      { value: 'old', encoding: 'text' },
    ]);
    expect(state.analysis?.format === 'flask' && state.analysis.verification.verdict).toBe('valid');

    navigate('http://localhost:6000');
    await store.refreshOrigin();
    expect(store.secretAuditState().status).toBe('idle');
    stop();
    expect(env.workers.every((w) => w.terminated)).toBe(true);
  });

  it('without a SecretAudit of its own the store checks in its own thread', async () => {
    const cookie = flaskCookie('changeme');
    const { platform } = fakePlatform(cookie);
    const store = new PanelStore(platform);
    const stop = store.start();
    for (let i = 0; i < 10 && !store.getState().settingsLoaded; i++) await macrotask();
    store.checkForKnownSecret();
    for (let i = 0; i < 100 && store.secretAuditState().status === 'running'; i++) await macrotask();
    expect(store.secretAuditState()).toMatchObject({ status: 'found', threads: 1 });
    expect(store.getState().settings.secrets[0]).toEqual({ value: 'changeme', encoding: 'text' });
    stop();
  });
});
