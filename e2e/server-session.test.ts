/**
 * The companion's report of the server-side session, in real DevTools: Flask-Session on all five
 * backends (a real redis-server and memcached, the filesystem in a temp dir, SQLAlchemy on SQLite,
 * and MongoDB's interface on mongomock, since no MongoDB server can be installed here), both Flask
 * stacks, each backend once with SESSION_USE_SIGNER off and once on. The journey login → read →
 * modify → nested mutation without session.modified → logout shows server-side events and diffs
 * in the Timeline, and the Session view shows what is stored behind the id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FLASK_SESSION_BACKENDS,
  FLASK_STACKS,
  startFlaskApp,
  startMemcached,
  startRedis,
  type FlaskApp,
  type FlaskAppOptions,
  type MemcachedServer,
  type RedisServer,
} from '../test/support/services';
import { launchBrowserWithExtension, type LaunchedBrowser } from './support';
import { call, openDetails, rowOf, rowsWith, showTab, timelineFor } from './timeline-helpers';

const SECRET = 'server-session-e2e-secret';

let browser: LaunchedBrowser;
let redis: RedisServer;
let memcached: MemcachedServer;
const started: { stop(): Promise<void> }[] = [];

async function app(options: FlaskAppOptions): Promise<FlaskApp> {
  const flask = await startFlaskApp({ secretKey: SECRET, companion: true, ...options });
  started.push(flask);
  return flask;
}

beforeAll(async () => {
  [browser, redis, memcached] = await Promise.all([launchBrowserWithExtension(), startRedis(), startMemcached()]);
  started.push(redis, memcached);
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});

describe('the server-side session through the companion, in real DevTools', () => {
  FLASK_SESSION_BACKENDS.forEach((backend, backendIndex) => {
    FLASK_STACKS.forEach((stack, stackIndex) => {
      const useSigner = (backendIndex + stackIndex) % 2 === 1;
      const label = `${backend}${backend === 'mongodb' ? ' (mongomock stand-in)' : ''}, ${stack} stack, signer ${useSigner ? 'on' : 'off'}`;
      it(`${label}: server-side events and diffs in the Timeline, the stored session in the Session view`, async () => {
        const flask = await app({
          stack,
          backend,
          useSigner,
          redisUrl: backend === 'redis' ? redis.dbUrl(backendIndex * 2 + stackIndex) : undefined,
          memcachedAddress: backend === 'memcached' ? memcached.address : undefined,
        });
        const t = await timelineFor(browser, flask);
        try {
          const { page, panel } = t;
          for (const [method, path] of [
            ['POST', '/login'],
            ['GET', '/whoami'],
            ['POST', '/modify'],
          ] as const) {
            await call(page, method, path);
          }

          // What the store holds behind the id, before logout deletes it.
          await showTab(panel, 'Session');
          const serverSession = `document.querySelector('.server-session')?.innerText ?? ''`;
          await panel.waitFor(`(${serverSession}).includes('count')`, { timeout: 10_000 });
          const stored = await panel.evaluate<string>(serverSession);
          expect(stored).toMatch(/Store key\s+session:\S+/);
          expect(stored).toContain(`SESSION_TYPE ${backend}`);
          expect(stored).toMatch(/Reported by\s+POST \/modify/);
          expect(stored).toMatch(/Server-side session[\s\S]*user[\s\S]*'alice'[\s\S]*count[\s\S]*1/);
          expect(await panel.evaluate(`!!document.querySelector('#companion-hint')`)).toBe(false);
          await showTab(panel, 'Timeline');

          for (const [method, path] of [
            ['POST', '/cart-init'],
            ['POST', '/mutate-nested'],
            ['POST', '/logout'],
          ] as const) {
            await call(page, method, path);
          }
          const rows = await rowsWith(panel, '/logout');
          // Flask-Session 0.3.2 stores a session for the first page load and keeps its id across login.
          const eager = stack === 'debian';
          expect(['/login', '/whoami', '/modify', '/cart-init', '/mutate-nested', '/logout'].map((p) => `${rowOf(rows, p).event} ${p}`)).toEqual([
            `${eager ? 'modified' : 'created'} /login`,
            'read /whoami',
            'modified /modify',
            'modified /cart-init',
            'modified /mutate-nested',
            'deleted /logout',
          ]);

          const modify = await openDetails(panel, rowOf(rows, '/modify').seq);
          expect(modify.changes).toEqual(['+ added count: 1']);
          expect(modify.text).toContain('On the server (Session Lens companion)');
          expect(modify.text).toMatch(/As opened[\s\S]*'user': 'alice'[\s\S]*As saved[\s\S]*'count': 1/);
          expect(modify.text).toContain('Server-side session changes');

          const nested = await openDetails(panel, rowOf(rows, '/mutate-nested').seq);
          expect(nested.changes).toEqual(["+ added cart[0]: 'y'"]);
          expect(nested.diagnostics).toContain('change-saved-by-refresh');

          if (eager) expect((await openDetails(panel, rowOf(rows, '/login').seq)).diagnostics).toContain('session-fixation');
          const logout = await openDetails(panel, rowOf(rows, '/logout').seq);
          expect(logout.text).toMatch(/Store\s+deleted/);
        } finally {
          await t.close();
        }
      });
    });
  });
});
