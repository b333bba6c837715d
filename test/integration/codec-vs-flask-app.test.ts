import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FLASK_MAX_NESTING,
  decodeFlaskCookie,
  fromTypedTree,
  parsePythonJson,
  parseTypedJson,
  pyEquals,
  pyRepr,
  signFlaskCookie,
  signFlaskSessionId,
  verifyFlaskCookie,
  verifyFlaskSessionId,
  writeTypedJson,
  type PyValue,
} from '../../src/core';
import { encodeTimestamp, prepareKeys, signatureFor } from '../../src/core/codec/itsdangerous';
import { nest, rawFlaskCookie } from '../support/hostile';
import { CookieClient, FLASK_STACKS, startFlaskApp, startRedis, type FlaskApp, type RedisServer } from '../support/services';

/**
 * The codec against the real demo Flask app on both stacks: cookies Flask
 * issues decode and verify; cookies the core signs are accepted and the view
 * sees the same typed values.
 */

const SECRET = 'integration-secret';

/** Every TaggedJSON type, nesting, unicode (astral too), a big integer, and enough data to be compressed. */
const RICH_PAYLOAD_JSON = `{
  "user": "zoë 日本 🔑",
  "roles": {"$type": "tuple", "items": ["admin", {"$type": "tuple", "items": [1, 2.5]}]},
  "blob": {"$type": "bytes", "base64": "AAEC/f7/", "hex": "000102fdfeff"},
  "note": {"$type": "markup", "value": "<b>bold</b> &amp; safe"},
  "id": {"$type": "uuid", "value": "f47ac10b-58cc-4372-a567-0e02b2c3d479", "hex": "f47ac10b58cc4372a5670e02b2c3d479"},
  "when": {"$type": "datetime", "iso": "2024-02-29T12:34:56+00:00", "unix": 1709210096, "tz_aware": true},
  "big": {"$type": "int", "value": "123456789012345678901234567890"},
  "ratio": 1.0,
  "nested": {"a": {"b": {"c": [null, true, -0.0, {"$type": "float", "value": "NaN"}]}}, " t": "escaped key"},
  "history": [${Array.from({ length: 60 }, (_, i) => `{"page": "/items/${i}", "seen": ${i % 2 === 0}}`).join(', ')}]
}`;
const RICH_PAYLOAD: PyValue = parseTypedJson(RICH_PAYLOAD_JSON);

/** Reads `{"payload": …}` from the demo app with the Python-compatible reader (floats stay floats). */
function payloadOf(text: string): PyValue {
  const body = parsePythonJson(text);
  if (body.type !== 'dict') throw new Error(`unexpected body ${text}`);
  return fromTypedTree(body.entries.get('payload')!);
}

for (const stack of FLASK_STACKS) {
  describe(`Flask signed cookies against the real demo app (${stack} stack)`, () => {
    let app: FlaskApp;
    beforeAll(async () => {
      app = await startFlaskApp({ stack, secretKey: SECRET });
    });
    afterAll(() => app?.stop());

    it('the cookie Flask issues for a rich payload decodes to the same typed values and verifies', async () => {
      const client = new CookieClient(app.url);
      const res = await client.post('/_typed/set', { body: RICH_PAYLOAD_JSON, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      const cookie = client.cookie('session');
      expect(cookie).toBeDefined();
      const decoded = decodeFlaskCookie(cookie!);
      expect(decoded.compressed).toBe(true);
      expect(decoded.payload?.ok).toBe(true);
      if (decoded.payload?.ok) expect(pyEquals(decoded.payload.value.value, RICH_PAYLOAD), pyRepr(decoded.payload.value.value)).toBe(true);
      const verified = verifyFlaskCookie(cookie!, { secrets: [{ text: 'wrong' }, { text: SECRET }], maxAge: 2678400 });
      expect(verified.verdict).toBe('valid');
      expect(verified.matchedSecretIndex).toBe(1);
      expect(verifyFlaskCookie(cookie!, { secrets: [{ text: 'wrong' }] }).verdict).toBe('bad_signature');
    });

    it('a cookie the core signs is accepted and the view sees the same typed values', async () => {
      const signed = signFlaskCookie(RICH_PAYLOAD, { secret: { text: SECRET } });
      expect(signed.ok).toBe(true);
      if (!signed.ok) return;
      expect(signed.value.compressed).toBe(true);
      const res = await new CookieClient(app.url).get('/_typed/get', { cookieOverride: { session: signed.value.cookie } });
      expect(res.status).toBe(200);
      const seen = payloadOf(res.text);
      expect(pyEquals(seen, RICH_PAYLOAD), pyRepr(seen)).toBe(true);
    });

    it('a small uncompressed cookie from the core is byte-identical to Flask\'s for the same payload and second', async () => {
      const client = new CookieClient(app.url);
      await client.post('/_typed/set', { json: { user: 'alice', n: 42 } });
      const flaskCookie = client.cookie('session')!;
      const decoded = decodeFlaskCookie(flaskCookie);
      const seconds = decoded.timestamp?.ok ? Number(decoded.timestamp.value.seconds) : NaN;
      const ours = signFlaskCookie(decoded.payload?.ok ? decoded.payload.value.value : { type: 'none' }, { secret: { text: SECRET }, timestamp: seconds });
      expect(ours.ok && ours.value.cookie).toBe(flaskCookie);
    });

    it('a cookie signed with another key is ignored by Flask, as the verdict says', async () => {
      const forged = signFlaskCookie(RICH_PAYLOAD, { secret: { text: 'guessed' } });
      if (!forged.ok) throw new Error('sign failed');
      expect(verifyFlaskCookie(forged.value.cookie, { secrets: [{ text: SECRET }] }).verdict).toBe('bad_signature');
      const res = await new CookieClient(app.url).get('/_typed/get', { cookieOverride: { session: forged.value.cookie } });
      expect(writeTypedJson(payloadOf(res.text))).toBe('{}');
    });

    it('an expired cookie (older than PERMANENT_SESSION_LIFETIME) is ignored by Flask, as the verdict says', async () => {
      const old = Math.floor(Date.now() / 1000) - app.info.lifetime_seconds - 60;
      const signed = signFlaskCookie({ type: 'dict', entries: new Map([['user', { type: 'str', value: 'alice' }]]) }, { secret: { text: SECRET }, timestamp: old });
      if (!signed.ok) throw new Error('sign failed');
      expect(verifyFlaskCookie(signed.value.cookie, { secrets: [{ text: SECRET }], maxAge: app.info.lifetime_seconds }).verdict).toBe('expired');
      const res = await new CookieClient(app.url).get('/_typed/get', { cookieOverride: { session: signed.value.cookie } });
      expect(writeTypedJson(payloadOf(res.text))).toBe('{}');
    });

    it('a validly signed cookie with an undecodable payload makes Flask answer 500, as the verdict says', async () => {
      // Sign the base64 of the raw text "not json" under Flask's parameters: only the payload is broken.
      const [key] = prepareKeys([{ text: SECRET }], { salt: 'cookie-session', digest: 'sha1', keyDerivation: 'hmac' });
      const signingInput = `bm90IGpzb24.${encodeTimestamp(Math.floor(Date.now() / 1000))}`;
      const cookie = `${signingInput}.${signatureFor(signingInput, key!)}`;
      expect(verifyFlaskCookie(cookie, { secrets: [{ text: SECRET }] }).verdict).toBe('bad_payload');
      const res = await new CookieClient(app.url).get('/whoami', { cookieOverride: { session: cookie } });
      expect(res.status).toBe(500);
    });

    it(`JSON nested past ${FLASK_MAX_NESTING} levels: Flask 3.x answers 500 (RecursionError), as the verdict says; Flask 2.2 loads it`, async () => {
      const levels = (n: number) => rawFlaskCookie(`{"a":${nest('[', ']', n - 1, '')}}`, { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) });
      const statusAt = async (n: number) => (await new CookieClient(app.url).get('/whoami', { cookieOverride: { session: levels(n) } })).status;
      expect(verifyFlaskCookie(levels(FLASK_MAX_NESTING), { secrets: [{ text: SECRET }] }).verdict).toBe('valid');
      expect(verifyFlaskCookie(levels(FLASK_MAX_NESTING + 1), { secrets: [{ text: SECRET }] }).verdict).toBe('bad_payload');
      expect(await statusAt(FLASK_MAX_NESTING)).toBe(200);
      if (stack === 'modern') {
        expect(await statusAt(FLASK_MAX_NESTING + 1)).toBe(500);
      } else {
        // Flask 2.2 untags in json's object_hook: it reaches about twice as deep, as the reason says.
        expect(await statusAt(FLASK_MAX_NESTING + 1)).toBe(200);
        expect(await statusAt(960)).toBe(200);
        expect(await statusAt(990)).toBe(500);
      }
    });
  });
}

describe('SECRET_KEY_FALLBACKS against the real Flask 3.1 app', () => {
  let app: FlaskApp;
  beforeAll(async () => {
    app = await startFlaskApp({ stack: 'modern', secretKey: 'new-key', fallbacks: ['old-key'] });
  });
  afterAll(() => app?.stop());

  it('a cookie signed with the fallback is accepted by Flask and verifies as key 2', async () => {
    const signed = signFlaskCookie(parseTypedJson('{"user": "bob"}'), { secret: { text: 'old-key' } });
    if (!signed.ok) throw new Error('sign failed');
    const verified = verifyFlaskCookie(signed.value.cookie, { secrets: [{ text: 'new-key' }, { text: 'old-key' }] });
    expect(verified.verdict).toBe('valid');
    expect(verified.matchedSecretIndex).toBe(1);
    const res = await new CookieClient(app.url).get('/_typed/get', { cookieOverride: { session: signed.value.cookie } });
    expect(writeTypedJson(payloadOf(res.text))).toBe('{"user":"bob"}');
  });

  it('the cookie the rotated app issues verifies with SECRET_KEY (key 1)', async () => {
    const client = new CookieClient(app.url);
    await client.post('/login');
    const verified = verifyFlaskCookie(client.cookie('session')!, { secrets: [{ text: 'new-key' }, { text: 'old-key' }] });
    expect(verified.verdict).toBe('valid');
    expect(verified.matchedSecretIndex).toBe(0);
  });
});

describe('Flask-Session ids on a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  for (const stack of FLASK_STACKS) {
    for (const useSigner of [true, false]) {
      describe(`${stack} stack, SESSION_USE_SIGNER=${useSigner}`, () => {
        let app: FlaskApp;
        beforeAll(async () => {
          app = await startFlaskApp({ stack, backend: 'redis', redisUrl: redis.dbUrl(stack === 'debian' ? 1 : 2), useSigner, secretKey: SECRET });
        });
        afterAll(() => app?.stop());

        it('the issued id is recognised, and verifies when signed', async () => {
          const client = new CookieClient(app.url);
          await client.post('/login');
          const cookie = client.cookie('session')!;
          const result = verifyFlaskSessionId(cookie, { secrets: [{ text: SECRET }] });
          expect(result.decoded.sidKind).toBe(stack === 'debian' ? 'uuid4' : 'token_urlsafe_32');
          if (useSigner) {
            expect(result.verdict).toBe('valid');
            expect(verifyFlaskSessionId(cookie, { secrets: [{ text: 'wrong' }] }).verdict).toBe('bad_signature');
            // The core's signature for the same id is the one Flask-Session wrote.
            expect(signFlaskSessionId(result.decoded.sid, { secret: { text: SECRET } })).toEqual({ ok: true, value: cookie });
          } else {
            expect(result.decoded.signature).toBeNull();
            expect(result.verdict).toBe('unverified');
          }
          // The store holds the session under the unsigned id.
          const key = `session:${result.decoded.sid}`;
          expect(await redis.commandInDb(stack === 'debian' ? 1 : 2, 'EXISTS', key)).toBe(1);
        });
      });
    }
  }
});
