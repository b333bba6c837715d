/**
 * The lifecycle core against sequences captured from the real demo app (demo/app.py) on both
 * Flask stacks, and from Flask-Session on a real redis-server: each response is turned into the
 * CapturedExchange the DevTools collector would produce, fed to the core in order, and every step
 * must get the right event, diff and diagnostics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  TimelineBuilder,
  decodeFlaskSessionId,
  diffPayloads,
  formatPath,
  type CapturedExchange,
  type HttpHeader,
  type HttpTimelineEntry,
  type SessionSettings,
} from '../../src/core';
import {
  CookieClient,
  FLASK_SESSION_BACKENDS,
  FLASK_STACKS,
  startFlaskApp,
  startMemcached,
  startRedis,
  type FlaskApp,
  type FlaskAppOptions,
  type FlaskStack,
  type MemcachedServer,
  type RedisServer,
} from '../support/services';

const SECRET = 'timeline-integration-secret';

/** A CookieClient whose every request is recorded as a CapturedExchange and classified at once. */
class RecordedSession {
  readonly client: CookieClient;
  readonly exchanges: CapturedExchange[] = [];
  private readonly builder: TimelineBuilder;

  constructor(
    readonly app: FlaskApp,
    settings: SessionSettings,
  ) {
    this.client = new CookieClient(app.url);
    this.builder = new TimelineBuilder(settings);
  }

  async step(method: string, path: string): Promise<HttpTimelineEntry> {
    const cookie = this.client.cookieHeader();
    const startedAt = Date.now();
    const res = await this.client.request(method, path);
    const responseHeaders: HttpHeader[] = [];
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie') responseHeaders.push({ name, value });
    });
    for (const value of res.setCookie) responseHeaders.push({ name: 'Set-Cookie', value });
    const exchange: CapturedExchange = {
      seq: this.exchanges.length + 1,
      startedAt,
      method,
      url: this.app.url + path,
      status: res.status,
      requestHeaders: cookie === undefined ? [] : [{ name: 'Cookie', value: cookie }],
      responseHeaders,
    };
    this.exchanges.push(exchange);
    return this.builder.addExchange(exchange);
  }
}

const changes = (entry: HttpTimelineEntry) => entry.changes.map((c) => `${c.kind} ${formatPath(c.path)}`);
const codes = (entry: HttpTimelineEntry) => entry.diagnostics.map((d) => d.code);
const settings: SessionSettings = { ...DEFAULT_SETTINGS, secrets: [{ text: SECRET }] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function services() {
  const started: { stop(): Promise<void> }[] = [];
  return {
    async app(options: FlaskAppOptions): Promise<FlaskApp> {
      const app = await startFlaskApp({ secretKey: SECRET, ...options });
      started.push(app);
      return app;
    },
    own<T extends { stop(): Promise<void> }>(service: T): T {
      started.push(service);
      return service;
    },
    stopAll: () => Promise.allSettled(started.splice(0).map((s) => s.stop())),
  };
}

/** Flask ≤ 3.1.2 does not count `'user' in session` as an access: no Vary (SPEC §2.6). */
const membershipVaries = (stack: FlaskStack) => stack === 'modern';

for (const stack of FLASK_STACKS) {
  describe(`${stack} stack, signed-cookie sessions: the captured journey`, () => {
    const svc = services();
    let plain: FlaskApp;
    let refreshOff: FlaskApp;
    beforeAll(async () => {
      [plain, refreshOff] = await Promise.all([svc.app({ stack }), svc.app({ stack, refreshEachRequest: false })]);
    });
    afterAll(() => svc.stopAll());

    it('login → read → modify → nested mutation without session.modified → logout', async () => {
      const s = new RecordedSession(plain, settings);
      const index = await s.step('GET', '/');
      expect([index.event, index.cookieName]).toEqual(['untouched', null]);

      const login = await s.step('POST', '/login');
      expect(login.event).toBe('created');
      expect(login.set?.state?.verdict).toBe('valid');
      expect(login.varyCookie).toBe(true);

      const read = await s.step('GET', '/whoami');
      expect(read.event).toBe('read');
      expect(read.sent?.verdict).toBe('valid');
      expect(read.set).toBeNull();
      expect(codes(read)).not.toContain('write-not-saved');

      const membership = await s.step('GET', '/has-user');
      expect(membership.event).toBe(membershipVaries(stack) ? 'read' : 'untouched');

      const modify = await s.step('POST', '/modify');
      expect([modify.event, changes(modify)]).toEqual(['modified', ['added count']]);
      const modifyAgain = await s.step('POST', '/modify');
      expect([modifyAgain.event, changes(modifyAgain)]).toEqual(['modified', ['changed count']]);
      expect(modifyAgain.changes[0]).toMatchObject({ before: { type: 'int', value: 1n }, after: { type: 'int', value: 2n } });

      const cart = await s.step('POST', '/cart-init');
      expect([cart.event, changes(cart)]).toEqual(['modified', ['added cart']]);

      // Appending in place: Flask does not notice, writes nothing, and the change is lost.
      const nested = await s.step('POST', '/mutate-nested');
      expect(nested.event).toBe('read');
      expect(nested.set).toBeNull();
      expect(codes(nested)).toContain('write-not-saved');

      const flagged = await s.step('POST', '/mutate-nested-flagged');
      expect([flagged.event, changes(flagged)]).toEqual(['modified', ['added cart[0]']]);

      const pop = await s.step('POST', '/pop');
      expect([pop.event, changes(pop)]).toEqual(['modified', ['removed count']]);

      const logout = await s.step('POST', '/logout');
      expect(logout.event).toBe('deleted');
      expect(logout.set?.deletion).toBe(true);

      const after = await s.step('GET', '/whoami');
      expect([after.event, after.cookieName]).toEqual(['read', null]);
    });

    it('a permanent session with SESSION_REFRESH_EACH_REQUEST is Refreshed on every request', async () => {
      const s = new RecordedSession(plain, settings);
      expect((await s.step('POST', '/login-permanent')).event).toBe('created');
      const refreshed: HttpTimelineEntry[] = [];
      for (const path of ['/whoami', '/has-user', '/']) refreshed.push(await s.step('GET', path));
      // A second later the timestamp differs: a new value with the same payload.
      await sleep(1_100);
      const later = await s.step('GET', '/');
      refreshed.push(later);
      expect(refreshed.map((e) => e.event)).toEqual(['refreshed', 'refreshed', 'refreshed', 'refreshed']);
      expect(later.set?.cookie.value).not.toBe(later.sent?.value);
      expect(later.changes).toEqual([]);
      for (const entry of refreshed) {
        expect(entry.set?.cookie.expires).toBeGreaterThan(Date.now());
        expect(codes(entry)).not.toContain('permanent-without-expiry');
      }
      const modify = await s.step('POST', '/modify');
      expect([modify.event, changes(modify)]).toEqual(['modified', ['added count']]);
      expect((await s.step('POST', '/logout')).event).toBe('deleted');
    });

    it('with refresh off, the same permanent session is only Read or Untouched', async () => {
      const s = new RecordedSession(refreshOff, settings);
      expect((await s.step('POST', '/login-permanent')).event).toBe('created');
      expect((await s.step('GET', '/whoami')).event).toBe('read');
      expect((await s.step('GET', '/')).event).toBe('untouched');
    });

    it('a cookie signed with another key is Rejected when the secret is known', async () => {
      const s = new RecordedSession(plain, settings);
      await s.step('POST', '/login');
      const other = new RecordedSession(await svc.app({ stack, secretKey: 'some-other-key' }), settings);
      await other.step('POST', '/login');
      s.client.setCookie('session', other.client.cookie('session')!);
      const rejected = await s.step('POST', '/modify');
      expect(rejected.event).toBe('rejected');
      expect(codes(rejected)).toContain('bad-signature');
      // Without the secret the core cannot tell: the server still answers with a fresh session.
      const blind = new TimelineBuilder(DEFAULT_SETTINGS).addExchange(s.exchanges.at(-1)!);
      expect(blind.event).toBe('modified');
    });
  });
}

describe('Flask-Session on redis-server: the captured journey', () => {
  const svc = services();
  let redis: RedisServer;
  beforeAll(async () => {
    redis = svc.own(await startRedis());
  });
  afterAll(() => svc.stopAll());

  for (const [db, stack] of FLASK_STACKS.entries()) {
    it(`${stack} stack: new id, id kept, kept across login (fixation), deleted`, async () => {
      const app = await svc.app({ stack, backend: 'redis', redisUrl: redis.dbUrl(db + 3), useSigner: true });
      const s = new RecordedSession(app, settings);
      const first = await s.step('GET', '/whoami');
      // Flask-Session < 0.6 stores (and sets a cookie for) every new permanent session at once.
      const eager = app.info.flask_session?.startsWith('0.3') ?? false;
      expect(first.event).toBe(eager ? 'created' : 'read');

      const login = await s.step('POST', '/login');
      if (eager) {
        expect([login.event, login.sessionId]).toEqual(['refreshed', 'kept']);
      } else {
        expect([login.event, login.sessionId]).toEqual(['created', 'new']);
      }
      expect(login.set?.state?.analysis.format).toBe('flask-session');
      expect(login.set?.state?.verdict).toBe('valid');

      for (const [method, path] of [
        ['GET', '/whoami'],
        ['POST', '/modify'],
      ] as const) {
        const entry = await s.step(method, path);
        expect([path, entry.event, entry.sessionId]).toEqual([path, 'refreshed', 'kept']);
      }

      const relogin = await s.step('POST', '/login');
      expect([relogin.event, relogin.sessionId]).toEqual(['refreshed', 'kept']);
      expect(codes(relogin)).toContain('session-fixation');

      const logout = await s.step('POST', '/logout');
      expect(logout.event).toBe('deleted');
    });
  }
});

/**
 * With the companion loaded (demo SESSION_LENS_COMPANION=1), every response carries the server's
 * own account of the session, and a kept Flask-Session id becomes Modified (diffed server-side),
 * Read or Untouched instead of "Refreshed". Every backend, both stacks, signer off and on.
 */
describe('Flask-Session with the companion: server-side events on every backend', () => {
  const svc = services();
  let redis: RedisServer;
  let memcached: MemcachedServer;
  beforeAll(async () => {
    [redis, memcached] = await Promise.all([startRedis().then(svc.own), startMemcached().then(svc.own)]);
  });
  afterAll(() => svc.stopAll());

  let db = 0;
  for (const backend of FLASK_SESSION_BACKENDS) {
    for (const stack of FLASK_STACKS) {
      for (const useSigner of [false, true]) {
        const dbIndex = db++ % 16;
        it(`${backend}${backend === 'mongodb' ? ' (mongomock)' : ''}, ${stack} stack, ${useSigner ? 'signed' : 'unsigned'} ids: login → read → modify → nested mutation → logout`, async () => {
          const app = await svc.app({
            stack,
            backend,
            useSigner,
            companion: true,
            redisUrl: backend === 'redis' ? redis.dbUrl(dbIndex) : undefined,
            memcachedAddress: backend === 'memcached' ? memcached.address : undefined,
          });
          expect(app.info.companion).toBe(true);
          const s = new RecordedSession(app, settings);
          const steps: [string, string][] = [
            ['GET', '/whoami'],
            ['POST', '/login'],
            ['GET', '/whoami'],
            ['POST', '/modify'],
            ['POST', '/cart-init'],
            ['POST', '/mutate-nested'],
            ['GET', '/whoami'],
            ['POST', '/logout'],
          ];
          const entries: HttpTimelineEntry[] = [];
          for (const [method, path] of steps) entries.push(await s.step(method, path));
          const [first, login, read, modify, cartInit, nested, readAgain, logout] = entries as [HttpTimelineEntry, ...HttpTimelineEntry[]] & HttpTimelineEntry[];
          const eager = stack === 'debian'; // Flask-Session 0.3.2 stores every new permanent session at once
          const summary = (e: HttpTimelineEntry | undefined) => [e?.path, e?.event, e?.sessionId, changes(e!)];
          if (eager) {
            expect(summary(first)).toEqual(['/whoami', 'created', 'new', []]);
            // The id is kept across login (fixation), and the server says what the login wrote.
            expect(summary(login)).toEqual(['/login', 'modified', 'kept', ['added user']]);
            expect(codes(login!)).toContain('session-fixation');
          } else {
            expect(summary(first)).toEqual(['/whoami', 'read', null, []]);
            expect(summary(login)).toEqual(['/login', 'created', 'new', []]);
          }
          // Each of these re-sends the same Set-Cookie: without the report they would all be "Refreshed".
          expect(summary(read)).toEqual(['/whoami', 'read', 'kept', []]);
          expect(summary(modify)).toEqual(['/modify', 'modified', 'kept', ['added count']]);
          expect(summary(cartInit)).toEqual(['/cart-init', 'modified', 'kept', ['added cart']]);
          // A permanent session with SESSION_REFRESH_EACH_REQUEST is saved every request, so the
          // in-place append reaches the store, by luck: the diagnostic says so.
          expect(summary(nested)).toEqual(['/mutate-nested', 'modified', 'kept', ['added cart[0]']]);
          expect(codes(nested!)).toContain('change-saved-by-refresh');
          expect(codes(nested!)).not.toContain('change-not-saved');
          expect(summary(readAgain)).toEqual(['/whoami', 'read', 'kept', []]);
          expect(logout?.event).toBe('deleted');
          // 0.3.2 never sends Vary: Cookie; 0.8.0 does from login on.
          expect(codes(modify!).includes('missing-vary-cookie')).toBe(eager);

          // The report names the store key behind the cookie's id, and what happened to it.
          const sid = decodeFlaskSessionId(login!.set!.cookie.value).sid;
          for (const entry of entries.slice(1)) {
            const server = entry.server;
            expect(server?.ok, entry.path).toBe(true);
            if (!server?.ok) continue;
            expect(server.report.store?.key).toBe(`session:${sid}`);
            expect(server.report.store?.write).toBe(entry === logout ? 'deleted' : 'written');
          }
          expect(login!.set!.state?.verdict).toBe(useSigner ? 'valid' : 'unverified');
        });
      }
    }
  }

  for (const stack of FLASK_STACKS) {
    it(`${stack} stack, SESSION_REFRESH_EACH_REQUEST off: an in-place change is lost (0.8.0) or saved anyway (0.3.2)`, async () => {
      const app = await svc.app({ stack, backend: 'redis', companion: true, refreshEachRequest: false, redisUrl: redis.dbUrl(14 + FLASK_STACKS.indexOf(stack)) });
      const s = new RecordedSession(app, settings);
      await s.step('POST', '/login');
      const cartInit = await s.step('POST', '/cart-init');
      const nested = await s.step('POST', '/mutate-nested');
      const next = await s.step('GET', '/whoami');
      expect(changes(nested)).toEqual(['added cart[0]']);
      const saved = (e: HttpTimelineEntry) => (e.server?.ok ? e.server.report.saved : null);
      const opened = (e: HttpTimelineEntry) => (e.server?.ok ? e.server.report.opened : null);
      if (stack === 'debian') {
        // Flask-Session 0.3.2 writes the store on every request, whatever the setting says.
        expect(nested.event).toBe('modified');
        const diagnostic = nested.diagnostics.find((d) => d.code === 'change-saved-by-refresh');
        expect(diagnostic?.detail).toContain('before 0.4');
        expect(diffPayloads(saved(nested)!, opened(next)!)).toEqual([]);
      } else {
        // Not modified, refresh off: nothing written, so the next request opens the old cart.
        expect([nested.event, nested.set]).toEqual(['read', null]);
        expect(nested.server?.ok && nested.server.report.store?.write).toBe('skipped');
        expect(codes(nested)).toContain('change-not-saved');
        expect(diffPayloads(saved(cartInit)!, opened(next)!)).toEqual([]);
      }
      expect(next.event).toBe('read');
    });
  }
});
