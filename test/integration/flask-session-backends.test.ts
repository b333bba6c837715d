/**
 * Flask-Session's five storage backends — redis, memcached, filesystem, mongodb, sqlalchemy — on
 * both real stacks, with SESSION_USE_SIGNER off and on, driven over HTTP through the demo app
 * (demo/app.py):
 *   debian  Flask 2.2.2 + Flask-Session 0.3.2 (/usr/bin/python3)
 *   modern  Flask 3.1.3 + Flask-Session 0.8.0 (.venv-modern)
 *
 * redis-server and memcached are real servers started here on free loopback ports; the filesystem
 * backend writes cachelib files into a temporary directory per app, the sqlalchemy backend a SQLite
 * file per app. mongodb: no MongoDB server can be installed on this machine, so Flask-Session's real
 * MongoDB interface runs against mongomock's in-process client (the demo app points Flask-Session
 * 0.8's MongoClient check at mongomock's class; see demo/app.py). That exercises Flask-Session's own
 * MongoDB code and the cookie it sets, but not a MongoDB server.
 *
 * Each journey is no cookie → login → read → modify → logout → read, and every cookie is checked
 * with the project's core (detectFormats, analyzeCookie, decodeFlaskSessionId, verifyFlaskSessionId).
 * The version differences asserted below were observed with the real versions.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCookie, decodeFlaskSessionId, detectFormats, signFlaskSessionId, verifyFlaskSessionId } from '../../src/core';
import {
  CookieClient,
  FLASK_SESSION_BACKENDS,
  FLASK_STACKS,
  isDeletion,
  parseSetCookie,
  startFlaskApp,
  startMemcached,
  startRedis,
  type CookieResponse,
  type FlaskApp,
  type FlaskSessionBackend,
  type FlaskStack,
  type MemcachedServer,
  type ParsedSetCookie,
  type RedisServer,
} from '../support/services';

const SECRET = 'backends-secret-\u00e9';
const WRONG_SECRET = 'not-the-secret';
const LIFETIME = 3_600;

const started: { stop(): Promise<void> }[] = [];
let redis: RedisServer;
let memcached: MemcachedServer;

beforeAll(async () => {
  [redis, memcached] = await Promise.all([startRedis(), startMemcached()]);
  started.push(redis, memcached);
});
afterAll(async () => {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
});

/** The one Set-Cookie for `session`, or undefined. */
function sessionCookie(res: CookieResponse): ParsedSetCookie | undefined {
  const matching = res.setCookie.map(parseSetCookie).filter((c) => c.name === 'session');
  expect(matching.length, JSON.stringify(res.setCookie)).toBeLessThanOrEqual(1);
  return matching[0];
}

const varyCookie = (res: CookieResponse): boolean =>
  (res.headers.get('vary') ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .includes('cookie');

/** A Set-Cookie header with its Expires attribute taken out (Expires moves with the clock's second). */
const withoutExpires = (header: string): string => header.replace(/;\s*Expires=[^;]*/i, '');

interface StoreReply {
  backend: string;
  key: string;
  found: boolean;
  raw_base64: string | null;
  file?: string;
  table?: string;
  collection?: string;
}

/** The stored bytes of an (unsigned) sid, read from the backend itself where Node can, else by the app. */
async function storedBytes(backend: FlaskSessionBackend, app: FlaskApp, db: number, sid: string): Promise<Buffer | null> {
  const key = `session:${sid}`;
  const viaApp = (await (await fetch(`${app.url}/_store?sid=${encodeURIComponent(sid)}`)).json()) as StoreReply;
  expect(viaApp.key).toBe(key);
  const fromApp = viaApp.raw_base64 === null ? null : Buffer.from(viaApp.raw_base64, 'base64');
  let direct: Buffer | null | undefined;
  switch (backend) {
    case 'redis': {
      const reply = await redis.commandInDb(db, 'GET', key);
      direct = typeof reply === 'string' ? Buffer.from(reply, 'latin1') : null;
      break;
    }
    case 'memcached':
      direct = (await memcached.get(key))?.value ?? null;
      break;
    case 'filesystem': {
      // cachelib names the file by a hash of the key: md5 in Debian's cachelib 0.9, sha256 in 0.17 (observed).
      const hash = app.stack === 'debian' ? 'md5' : 'sha256';
      const file = path.join(app.info.file_dir!, createHash(hash).update(key).digest('hex'));
      if (viaApp.file !== undefined) expect(viaApp.file).toBe(file);
      direct = existsSync(file) ? readFileSync(file) : null;
      break;
    }
    case 'sqlalchemy':
      expect(viaApp.table).toBe('sessions'); // the app's own SELECT on the SQLite file's table
      break;
    case 'mongodb':
      expect(viaApp.collection).toBe('flask_session.sessions'); // the mongomock collection
      break;
  }
  if (direct !== undefined) expect(direct?.toString('hex') ?? null).toBe(fromApp?.toString('hex') ?? null);
  return fromApp;
}

/** What each version writes to each store (observed): pickle on 0.3.2, msgpack on 0.8.0; cachelib files pickle on both. */
function expectEncoding(stack: FlaskStack, backend: FlaskSessionBackend, bytes: Buffer): void {
  if (backend === 'filesystem') {
    // 4-byte native-endian expiry, then pickle HIGHEST_PROTOCOL (5)
    expect(bytes.subarray(4, 6).toString('hex')).toBe('8005');
    const expiry = bytes.readUInt32LE(0);
    expect(expiry).toBeGreaterThan(Date.now() / 1000 + LIFETIME - 120);
    expect(expiry).toBeLessThanOrEqual(Date.now() / 1000 + LIFETIME + 5);
  } else if (stack === 'modern') {
    expect(bytes[0]! & 0xf0).toBe(0x80); // a msgpack fixmap
  } else if (backend === 'memcached') {
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('(dp0'); // 0.3.2 pickles with protocol 0 for memcached
  } else {
    expect(bytes.subarray(0, 2).toString('hex')).toBe('8004'); // pickle protocol 4
  }
}

function expectFlaskSessionId(stack: FlaskStack, useSigner: boolean, value: string): string {
  const detections = detectFormats('session', value);
  expect(detections[0]?.format).toBe('flask-session');
  const decoded = decodeFlaskSessionId(value);
  expect(decoded.sidKind).toBe(stack === 'debian' ? 'uuid4' : 'token_urlsafe_32');
  const analysis = analyzeCookie('session', value, { secrets: [{ text: SECRET }] });
  expect(analysis.format).toBe('flask-session');
  if (useSigner) {
    expect(decoded.signature).toHaveLength(27);
    expect(analysis.format === 'flask-session' && analysis.verification.verdict).toBe('valid');
    expect(verifyFlaskSessionId(value, { secrets: [{ text: SECRET }] }).verdict).toBe('valid');
    const wrong = verifyFlaskSessionId(value, { secrets: [{ text: WRONG_SECRET }] });
    expect([wrong.verdict, wrong.signature]).toEqual(['bad_signature', 'invalid']);
  } else {
    expect(decoded.signature).toBeNull();
    expect(verifyFlaskSessionId(value, { secrets: [{ text: SECRET }] }).verdict).toBe('unverified');
  }
  return decoded.sid;
}

let db = 0;
for (const backend of FLASK_SESSION_BACKENDS) {
  describe(`Flask-Session ${backend} backend${backend === 'mongodb' ? ' (mongomock stand-in for MongoDB)' : ''}`, () => {
    for (const stack of FLASK_STACKS) {
      describe(`${stack} stack`, () => {
        const apps = new Map<boolean, FlaskApp>();
        const dbs = new Map<boolean, number>();
        beforeAll(async () => {
          // Signer off and on need their own app: start both at once.
          await Promise.all(
            [false, true].map(async (useSigner) => {
              const dbIndex = db++ % 16;
              dbs.set(useSigner, dbIndex);
              const app = await startFlaskApp({
                stack,
                backend,
                secretKey: SECRET,
                useSigner,
                lifetimeSeconds: LIFETIME,
                redisUrl: backend === 'redis' ? redis.dbUrl(dbIndex) : undefined,
                memcachedAddress: backend === 'memcached' ? memcached.address : undefined,
              });
              started.push(app);
              apps.set(useSigner, app);
            }),
          );
        });

        for (const useSigner of [false, true]) {
          it(`${useSigner ? 'signed' : 'unsigned'} ids: login → read → modify → logout, stored in ${backend}`, async () => {
            const app = apps.get(useSigner)!;
            const dbIndex = dbs.get(useSigner)!;
            const eager = stack === 'debian'; // Flask-Session 0.3.2
            expect(app.info).toMatchObject({
              backend,
              flask: stack === 'debian' ? '2.2.2' : '3.1.3',
              flask_session: stack === 'debian' ? '0.3.2' : '0.8.0',
              use_signer: useSigner,
              session_permanent: true,
              lifetime_seconds: LIFETIME,
              mongodb: backend === 'mongodb' ? 'mongomock' : null,
            });
            // Flask-Session's own interface for the backend, storing through the expected client.
            const iface = { redis: 'Redis', memcached: 'Memcached', filesystem: 'FileSystem', mongodb: 'MongoDB', sqlalchemy: 'SqlAlchemy' }[backend];
            expect(app.info.session_interface).toMatch(new RegExp(`^flask_session\\..*\\.${iface}SessionInterface$`));
            expect(app.info.store_client).toBe(
              {
                redis: 'redis.client.Redis',
                memcached: 'memcache.Client',
                filesystem: 'cachelib.file.FileSystemCache',
                mongodb: 'mongomock.mongo_client.MongoClient',
                sqlalchemy: 'flask_sqlalchemy.extension.SQLAlchemy',
              }[backend],
            );
            const client = new CookieClient(app.url);
            const responses: CookieResponse[] = [];
            const step = async (method: 'GET' | 'POST', urlPath: string): Promise<CookieResponse> => {
              const res = await client.request(method, urlPath);
              expect(res.status, res.text).toBe(200);
              responses.push(res);
              return res;
            };

            // First visit, no cookie, the view reads the session.
            const first = await step('GET', '/whoami');
            expect(first.json).toEqual({ user: null });
            const firstCookie = sessionCookie(first);
            let firstSid: string | undefined;
            if (eager) {
              // 0.3.2: the new session holds _permanent, so it is stored and given a cookie at once.
              expect(firstCookie).toBeDefined();
              firstSid = expectFlaskSessionId(stack, useSigner, firstCookie!.value);
              const stored = await storedBytes(backend, app, dbIndex, firstSid);
              expect(stored).not.toBeNull();
              expect(stored!.includes(Buffer.from('alice'))).toBe(false);
            } else {
              expect(firstCookie).toBeUndefined();
              expect(varyCookie(first)).toBe(true); // 0.8.0: the session was accessed
            }

            const login = await step('POST', '/login');
            expect(login.json).toEqual({ action: 'login', user: 'alice', permanent: true });
            const loginCookie = sessionCookie(login)!;
            expect(loginCookie).toBeDefined();
            expect(loginCookie.attributes.has('httponly')).toBe(true);
            const expires = Date.parse(loginCookie.attributes.get('expires') ?? '') / 1000;
            expect(expires).toBeGreaterThan(Date.now() / 1000 + LIFETIME - 120);
            const sid = expectFlaskSessionId(stack, useSigner, loginCookie.value);
            if (eager) expect(sid).toBe(firstSid); // 0.3.2 keeps the id across login
            expect(loginCookie.value.length).toBe((stack === 'debian' ? 36 : 43) + (useSigner ? 28 : 0));

            const afterLogin = await storedBytes(backend, app, dbIndex, sid);
            expect(afterLogin).not.toBeNull();
            expect(afterLogin!.includes(Buffer.from('alice'))).toBe(true);
            expectEncoding(stack, backend, afterLogin!);

            // Once a session exists, every response re-sends the same cookie (only Expires moves with the clock).
            const read = await step('GET', '/whoami');
            expect(read.json).toEqual({ user: 'alice' });
            const readCookie = sessionCookie(read)!;
            expect(readCookie.value).toBe(loginCookie.value);
            expect(withoutExpires(read.setCookie[0]!)).toBe(withoutExpires(login.setCookie[0]!));

            const modify = await step('POST', '/modify');
            expect(modify.json).toEqual({ action: 'modify', count: 1 });
            expect(withoutExpires(modify.setCookie[0]!)).toBe(withoutExpires(login.setCookie[0]!));
            const afterModify = await storedBytes(backend, app, dbIndex, sid);
            expect(afterModify!.includes(Buffer.from('count'))).toBe(true);

            if (useSigner) {
              // The right id with a signature made by another key: the server starts over.
              const signed = signFlaskSessionId(sid, { secret: { text: WRONG_SECRET } });
              expect(signed.ok).toBe(true);
              const forged = signed.ok ? signed.value : '';
              expect(verifyFlaskSessionId(forged, { secrets: [{ text: SECRET }] }).verdict).toBe('bad_signature');
              const res = await client.get('/whoami', { cookieOverride: { session: forged }, updateJar: false });
              expect(res.json).toEqual({ user: null });
            } else {
              // Unsigned: the id alone is the key.
              const res = await client.get('/whoami', { cookieOverride: { session: sid }, updateJar: false });
              expect(res.json).toEqual({ user: 'alice' });
            }

            const logout = await step('POST', '/logout');
            const deletion = sessionCookie(logout)!;
            expect(isDeletion(deletion)).toBe(true);
            expect(await storedBytes(backend, app, dbIndex, sid)).toBeNull();

            const after = await step('GET', '/whoami');
            expect(after.json).toEqual({ user: null });
            const afterCookie = sessionCookie(after);
            if (eager) {
              expect(afterCookie).toBeDefined(); // a new stored session for the now cookie-less visitor
              expect(expectFlaskSessionId(stack, useSigner, afterCookie!.value)).not.toBe(sid);
            } else {
              expect(afterCookie).toBeUndefined();
            }

            // Vary: Cookie — never on 0.3.2; on 0.8.0 on every response of this journey (each accesses the session).
            expect(responses.map(varyCookie)).toEqual(responses.map(() => !eager));
          });
        }
      });
    }
  });
}
