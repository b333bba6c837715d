/**
 * The bundled demo app (demo/app.py) on both real Flask stacks:
 *   debian  Flask 2.2.2 + Flask-Session 0.3.2 (/usr/bin/python3)
 *   modern  Flask 3.1.3 + Flask-Session 0.8.0 (.venv-modern, scripts/setup-python.sh)
 *
 * Expected values are computed here from the inputs (secrets, payloads) with
 * node:crypto and node:zlib, independently of the project's codec.
 */
import { createHmac } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieClient,
  FLASK_STACKS,
  parseSetCookie,
  startFlaskApp,
  startRedis,
  type CookieResponse,
  type FlaskApp,
  type FlaskAppOptions,
  type ParsedSetCookie,
  type RedisServer,
} from '../support/services';

// ------------------------------------------------------------------ helpers

interface Stoppable {
  stop(): Promise<void>;
}

/** Collects services started by a describe block so afterAll stops them even if beforeAll failed halfway. */
function resources(): { own<T extends Stoppable>(r: T): T; stopAll(): Promise<void> } {
  const list: Stoppable[] = [];
  return {
    own(r) {
      list.push(r);
      return r;
    },
    async stopAll() {
      await Promise.allSettled(list.splice(0).map((r) => r.stop()));
    },
  };
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

/** Flask's cookie signature: HMAC-SHA1(key = HMAC-SHA1(secret, "cookie-session"), payload "." ts). */
function flaskCookieSignature(secret: string, signedText: string): string {
  const key = createHmac('sha1', secret).update('cookie-session').digest();
  return b64url(createHmac('sha1', key).update(signedText).digest());
}

/** Flask-Session's signed sid: HMAC-SHA1(key = HMAC-SHA1(secret, "flask-session"), sid). */
function flaskSessionSignature(secret: string, sid: string): string {
  const key = createHmac('sha1', secret).update('flask-session').digest();
  return b64url(createHmac('sha1', key).update(sid).digest());
}

/** The one Set-Cookie for `name` in a response (fails the test if there is not exactly one). */
function onlyCookie(res: CookieResponse, name = 'session'): ParsedSetCookie {
  const matching = res.setCookie.map(parseSetCookie).filter((c) => c.name === name);
  expect(matching, `Set-Cookie headers: ${JSON.stringify(res.setCookie)}`).toHaveLength(1);
  return matching[0]!;
}

interface FlaskCookieParts {
  payloadSegment: string;
  timestamp: number;
  signature: string;
  signedText: string;
  jsonText: string;
  compressed: boolean;
}

/** Splits a Flask session cookie and decodes its payload (zlib when it starts with "."). */
function splitFlaskCookie(value: string): FlaskCookieParts {
  const m = /^(\.?[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(value);
  expect(m, `not an itsdangerous timed value: ${value}`).not.toBeNull();
  const [, payloadSegment = '', ts = '', signature = ''] = m!;
  const compressed = payloadSegment.startsWith('.');
  const raw = Buffer.from(compressed ? payloadSegment.slice(1) : payloadSegment, 'base64url');
  const jsonText = (compressed ? inflateSync(raw) : raw).toString('utf8');
  const timestamp = Number(BigInt('0x' + (Buffer.from(ts, 'base64url').toString('hex') || '0')));
  return { payloadSegment, timestamp, signature, signedText: `${payloadSegment}.${ts}`, jsonText, compressed };
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function expectRecentTimestamp(seconds: number): void {
  expect(seconds).toBeGreaterThanOrEqual(nowSeconds() - 120);
  expect(seconds).toBeLessThanOrEqual(nowSeconds() + 5);
}

// ------------------------------------------------------------------ payloads ("$type" form)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BYTES_B64 = 'AAH/c2Vzc2lvbg=='; // 00 01 ff "session"
const UUID_TEXT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const WHEN_ISO = '2024-02-29T12:34:56+00:00';
const WHEN_UNIX = Date.parse(WHEN_ISO) / 1000;
const BIG = 2n ** 70n;
const NEG_UNSAFE = -(2n ** 53n) - 1n; // just outside the JS-safe range, inside int64
const U64_MAX = 2n ** 64n - 1n;
const TEXT = 'caf\u00e9 \u2603 \u{1F40D} \u{1D11E}';

const bytesValue = { $type: 'bytes', base64: BYTES_B64, hex: Buffer.from(BYTES_B64, 'base64').toString('hex') };
const uuidValue = { $type: 'uuid', value: UUID_TEXT, hex: UUID_TEXT.replaceAll('-', '') };
const whenValue = { $type: 'datetime', iso: WHEN_ISO, unix: WHEN_UNIX, tz_aware: true };
/** An aware datetime with a +02:00 offset and microseconds (only "iso" given). */
const offsetWhenInput = { $type: 'datetime', iso: '2024-02-29T14:34:56.789000+02:00' };

/** Every Python type the "$type" form covers (Flask's cookie and pickle take them all). */
const RICH: Record<string, Json> = {
  user: 'alice',
  roles: { $type: 'tuple', items: ['admin', 'dev', { $type: 'tuple', items: [1, 2] }] },
  raw: bytesValue,
  html: { $type: 'markup', value: '<b>bold</b> &amp; safe' },
  id: uuidValue,
  when: whenValue,
  big: { $type: 'int', value: BIG.toString() },
  neg_unsafe: { $type: 'int', value: NEG_UNSAFE.toString() },
  nested: { a: { b: { c: [1, 0.25, null, true, 'x'], empty: {} } } },
  escaped: { $type: 'dict', entries: { $type: 'not a type tag', n: 1 } },
  tag_like: { ' t': 'one key that looks like a Flask tag' },
  text: TEXT,
  nan: { $type: 'float', value: 'NaN' },
  neg_inf: { $type: 'float', value: '-Infinity' },
};

// ------------------------------------------------------------------ cookie backend

const SECRET = 'integration-secret-\u00e9'; // non-ASCII: the key is UTF-8 encoded

for (const stack of FLASK_STACKS) {
  describe(`${stack} stack, Flask signed-cookie backend`, () => {
    const svc = resources();
    let app: FlaskApp;
    let oldApp: FlaskApp;
    let rotatedApp: FlaskApp;
    const OLD_KEY = 'old-key-2023';
    const NEW_KEY = 'new-key-2026';

    beforeAll(async () => {
      const start = async (opts: Omit<FlaskAppOptions, 'stack'>) => svc.own(await startFlaskApp({ stack, ...opts }));
      [app, oldApp, rotatedApp] = await Promise.all([
        start({ secretKey: SECRET }),
        start({ secretKey: OLD_KEY }),
        start({ secretKey: NEW_KEY, fallbacks: [OLD_KEY] }),
      ]);
    });
    afterAll(() => svc.stopAll());

    it('runs the expected Flask version', () => {
      expect(app.info.flask).toBe(stack === 'debian' ? '2.2.2' : '3.1.3');
      expect(app.info.backend).toBe('cookie');
      expect(app.info.store_format).toBe('tagged-json-cookie');
      expect(app.info.secret_key_fallbacks_supported).toBe(stack === 'modern');
    });

    it('login sets a signed itsdangerous cookie that /whoami reads back', async () => {
      const client = new CookieClient(app.url);
      const login = await client.post('/login');
      expect(login.status).toBe(200);
      expect(login.json).toEqual({ action: 'login', user: 'alice', permanent: false });

      const cookie = onlyCookie(login);
      expect(cookie.value.split('.')).toHaveLength(3);
      const parts = splitFlaskCookie(cookie.value);
      expect(parts.compressed).toBe(false);
      expect(parts.jsonText).toBe('{"user":"alice"}');
      expect(parts.signature).toHaveLength(27);
      expect(parts.signature).toBe(flaskCookieSignature(SECRET, parts.signedText));
      expectRecentTimestamp(parts.timestamp);
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.has('expires')).toBe(false); // not permanent: a browser-session cookie

      expect((await client.get('/whoami')).json).toEqual({ user: 'alice' });
      expect((await client.get('/whoami', { cookieOverride: null })).json).toEqual({ user: null });
    });

    it('ignores a cookie signed with another secret', async () => {
      const client = new CookieClient(app.url);
      const { signedText } = splitFlaskCookie(onlyCookie(await client.post('/login')).value);
      const forged = `${signedText}.${flaskCookieSignature('some-other-secret', signedText)}`;
      const res = await client.get('/whoami', { cookieOverride: { session: forged } });
      expect(res.json).toEqual({ user: null });
    });

    it('round-trips every "$type" value through the signed cookie', async () => {
      const client = new CookieClient(app.url);
      const set = await client.post('/_typed/set', { json: { ...RICH, when_offset: offsetWhenInput } });
      expect(set.status, set.text).toBe(200);

      const parts = splitFlaskCookie(onlyCookie(set).value);
      expect(parts.signature).toBe(flaskCookieSignature(SECRET, parts.signedText));
      expect(parts.compressed).toBe(true); // a payload this size is always worth compressing
      // TaggedJSON on the wire: sorted keys, compact separators, ASCII escapes.
      const wire = parts.jsonText;
      expect(wire).toContain(`"raw":{" b":"${BYTES_B64}"}`);
      expect(wire).toContain('"html":{" m":"<b>bold</b> &amp; safe"}');
      expect(wire).toContain(`"id":{" u":"${UUID_TEXT.replaceAll('-', '')}"}`);
      expect(wire).toContain('"when":{" d":"Thu, 29 Feb 2024 12:34:56 GMT"}');
      expect(wire).toContain('"when_offset":{" d":"Thu, 29 Feb 2024 12:34:56 GMT"}');
      expect(wire).toContain('"roles":{" t":["admin","dev",{" t":[1,2]}]}');
      expect(wire).toContain(`"big":${BIG}`);
      expect(wire).toContain(`"neg_unsafe":${NEG_UNSAFE}`);
      expect(wire).toContain('"tag_like":{" di":{" t__":"one key that looks like a Flask tag"}}');
      expect(wire).toContain('"nan":NaN');
      expect(wire).toContain('"neg_inf":-Infinity');
      expect(wire).toContain('"text":"caf\\u00e9 \\u2603 \\ud83d\\udc0d \\ud834\\udd1e"');
      expect(wire.indexOf('"big"')).toBeLessThan(wire.indexOf('"escaped"'));

      const got = await client.get('/_typed/get');
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toMatch(/^application\/json/);
      const body = got.json as { payload: Record<string, Json>; repr: string };
      expect(body.payload).toEqual({
        ...RICH,
        // Flask writes datetimes as HTTP dates: converted to UTC, microseconds dropped.
        when_offset: whenValue,
      });
      expect(body.repr).toContain("Markup('<b>bold</b> &amp; safe')");
      expect(body.repr).toContain(`UUID('${UUID_TEXT}')`);
      expect(body.repr).toContain(String.raw`b'\x00\x01\xffsession'`);
      expect(body.repr).toContain("('admin', 'dev', (1, 2))");
      expect(body.repr).toContain(`'big': ${BIG}`);
    });

    it('rejects malformed "$type" input with 400', async () => {
      const client = new CookieClient(app.url);
      const bad = await client.post('/_typed/set', {
        json: { raw: { $type: 'bytes', base64: 'AAAA', hex: 'ff' } }, // base64 and hex disagree
      });
      expect(bad.status).toBe(400);
      expect(bad.setCookie).toEqual([]);
      expect((await client.post('/_typed/set', { json: { x: { $type: 'set', items: [] } } })).status).toBe(400);
    });

    it(
      stack === 'modern'
        ? 'accepts a cookie signed with a key listed in SECRET_KEY_FALLBACKS and re-signs with SECRET_KEY'
        : 'ignores SECRET_KEY_FALLBACKS (Flask 2.2 has no key rotation)',
      async () => {
        const oldCookie = onlyCookie(await new CookieClient(oldApp.url).post('/login')).value;
        expect(splitFlaskCookie(oldCookie).signature).toBe(
          flaskCookieSignature(OLD_KEY, splitFlaskCookie(oldCookie).signedText),
        );
        expect(rotatedApp.info.secret_key_fallbacks).toBe(1);

        const rotated = new CookieClient(rotatedApp.url);
        rotated.setCookie('session', oldCookie);
        const whoami = await rotated.get('/whoami');
        expect(whoami.json).toEqual({ user: stack === 'modern' ? 'alice' : null });

        // Control: an app that knows neither key never accepts it.
        const control = await new CookieClient(app.url).get('/whoami', { cookieOverride: { session: oldCookie } });
        expect(control.json).toEqual({ user: null });

        if (stack === 'modern') {
          const modified = await rotated.post('/modify');
          expect(modified.json).toEqual({ action: 'modify', count: 1 });
          const parts = splitFlaskCookie(onlyCookie(modified).value);
          expect(parts.jsonText).toBe('{"count":1,"user":"alice"}');
          expect(parts.signature).toBe(flaskCookieSignature(NEW_KEY, parts.signedText));
          expect(parts.signature).not.toBe(flaskCookieSignature(OLD_KEY, parts.signedText));
        }
      },
    );
  });
}

// ------------------------------------------------------------------ redis backend (Flask-Session)

const FS_SECRET = 'flask-session-secret';
const LIFETIME = 3_600;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOKEN_43 = /^[A-Za-z0-9_-]{43}$/;

describe('Flask-Session redis backend', () => {
  const svc = resources();
  let redis: RedisServer;

  beforeAll(async () => {
    redis = svc.own(await startRedis());
  });
  afterAll(() => svc.stopAll());

  let db = 0;
  for (const stack of FLASK_STACKS) {
    for (const useSigner of [false, true]) {
      describe(`${stack} stack, ${useSigner ? 'signed' : 'unsigned'} session ids`, () => {
        const apps = resources();
        let app: FlaskApp;
        const dbIndex = db++;

        beforeAll(async () => {
          app = apps.own(
            await startFlaskApp({
              stack,
              backend: 'redis',
              redisUrl: redis.dbUrl(dbIndex),
              secretKey: FS_SECRET,
              useSigner,
              lifetimeSeconds: LIFETIME,
            }),
          );
        });
        afterAll(() => apps.stopAll());

        /** The unsigned sid inside a cookie value, after checking the value's shape. */
        function sidOf(cookieValue: string): string {
          const sidPattern = stack === 'debian' ? UUID4 : TOKEN_43;
          if (!useSigner) {
            expect(cookieValue).toMatch(sidPattern);
            return cookieValue;
          }
          const dot = cookieValue.lastIndexOf('.');
          const sid = cookieValue.slice(0, dot);
          const signature = cookieValue.slice(dot + 1);
          expect(sid).toMatch(sidPattern);
          expect(signature).toHaveLength(27);
          expect(signature).toBe(flaskSessionSignature(FS_SECRET, sid));
          return sid;
        }

        it('runs the expected Flask-Session version', () => {
          expect(app.info.flask_session).toBe(stack === 'debian' ? '0.3.2' : '0.8.0');
          expect(app.info.store_format).toBe(stack === 'debian' ? 'pickle' : 'msgspec-msgpack');
          expect(app.info.use_signer).toBe(useSigner);
          expect(app.info.lifetime_seconds).toBe(LIFETIME);
        });

        it('login stores the session in redis under the sid and sets the id cookie', async () => {
          const client = new CookieClient(app.url);
          const login = await client.post('/login');
          expect(login.status).toBe(200);
          // SESSION_PERMANENT defaults to true in Flask-Session.
          expect(login.json).toEqual({ action: 'login', user: 'alice', permanent: true });

          const cookie = onlyCookie(login);
          const sid = sidOf(cookie.value);
          expect(cookie.value.length).toBe((stack === 'debian' ? 36 : 43) + (useSigner ? 28 : 0));
          expect(cookie.attributes.has('httponly')).toBe(true);
          expect(cookie.attributes.get('path')).toBe('/');
          const expires = Date.parse(cookie.attributes.get('expires') ?? '') / 1000;
          expect(expires).toBeGreaterThanOrEqual(nowSeconds() + LIFETIME - 120);
          expect(expires).toBeLessThanOrEqual(nowSeconds() + LIFETIME + 5);

          const ttl = await redis.commandInDb(dbIndex, 'TTL', `session:${sid}`);
          const stored = await redis.commandInDb(dbIndex, 'GET', `session:${sid}`);
          expect(typeof ttl).toBe('number');
          expect(ttl).toBeGreaterThan(LIFETIME - 60);
          expect(ttl).toBeLessThanOrEqual(LIFETIME);
          expect(typeof stored).toBe('string');
          const bytes = Buffer.from(stored as string, 'latin1');
          if (stack === 'debian') {
            expect(bytes.subarray(0, 2).toString('hex')).toBe('8004'); // pickle protocol 4
            expect(bytes.includes(Buffer.from('alice'))).toBe(true);
          } else {
            // msgpack {"_permanent": true, "user": "alice"}: fixmap(2), fixstr keys, true, fixstr value.
            const expected = Buffer.concat([
              Buffer.from([0x82, 0xa0 | 10]),
              Buffer.from('_permanent'),
              Buffer.from([0xc3, 0xa0 | 4]),
              Buffer.from('user'),
              Buffer.from([0xa0 | 5]),
              Buffer.from('alice'),
            ]);
            expect(bytes.toString('hex')).toBe(expected.toString('hex'));
          }

          const whoami = await client.get('/whoami');
          expect(whoami.json).toEqual({ user: 'alice' });
          expect(client.cookie('session')).toBe(cookie.value);
          expect((await client.get('/whoami', { cookieOverride: null })).json).toEqual({ user: null });
        });

        if (useSigner) {
          it('treats a sid with a wrong signature as a new session', async () => {
            const client = new CookieClient(app.url);
            const sid = sidOf(onlyCookie(await client.post('/login')).value);
            const forged = `${sid}.${flaskSessionSignature('wrong-secret', sid)}`;
            const res = await client.get('/whoami', { cookieOverride: { session: forged } });
            expect(res.json).toEqual({ user: null });
          });
        }

        if (stack === 'debian') {
          it('round-trips every "$type" value through pickle exactly', async () => {
            const client = new CookieClient(app.url);
            const set = await client.post('/_typed/set', { json: { ...RICH, when_offset: offsetWhenInput } });
            expect(set.status, set.text).toBe(200);
            const got = (await client.get('/_typed/get')).json as { payload: Record<string, Json>; repr: string };
            expect(got.payload).toEqual({
              ...RICH,
              // pickle keeps the offset and the microseconds
              when_offset: { ...offsetWhenInput, unix: WHEN_UNIX, tz_aware: true },
            });
            expect(got.repr).toContain("Markup('<b>bold</b> &amp; safe')");
            expect(got.repr).toContain("('admin', 'dev', (1, 2))");
          });
        } else {
          it('round-trips what msgspec msgpack can store, with its conversions', async () => {
            const client = new CookieClient(app.url);
            await client.post('/login'); // an existing session, so a refused write must leave it alone

            // Markup and integers beyond 64 bits cannot be encoded: the hook refuses with 422.
            const refused = await client.post('/_typed/set', { json: RICH });
            expect(refused.status).toBe(422);
            expect((refused.json as { error: string }).error).toMatch(/Markup/);
            expect((await client.get('/whoami')).json).toEqual({ user: 'alice' });

            const { html: _html, big: _big, ...storable } = RICH;
            const input = { ...storable, u64_max: { $type: 'int', value: U64_MAX.toString() }, when_offset: offsetWhenInput };
            const set = await client.post('/_typed/set', { json: input });
            expect(set.status, set.text).toBe(200);

            const got = (await client.get('/_typed/get')).json as { payload: Record<string, Json>; repr: string };
            expect(got.payload).toEqual({
              ...storable,
              u64_max: { $type: 'int', value: U64_MAX.toString() },
              roles: ['admin', 'dev', [1, 2]], // tuples come back as lists
              id: UUID_TEXT, // a UUID comes back as its string
              // the msgpack timestamp keeps microseconds but not the offset (read back as UTC)
              when_offset: {
                $type: 'datetime',
                iso: '2024-02-29T12:34:56.789000+00:00',
                unix: WHEN_UNIX,
                tz_aware: true,
              },
            });
            expect(got.repr).toContain("'roles': ['admin', 'dev', [1, 2]]");
          });
        }
      });
    }
  }
});
