/**
 * express-session, cookie-parser and cookie-session against the real libraries: generated values
 * through cookie-signature, cookie-parser's signedCookie/JSONCookie and keygrip, and real Express
 * apps (test/support/node-session-apps.ts) whose Set-Cookie headers are verified here and whose
 * answers to our own signed cookies say what the server accepted.
 */
import cookieParser from 'cookie-parser';
import cookieSignature from 'cookie-signature';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import Keygrip from 'keygrip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeCookie,
  auditCookie,
  cookieSessionSignature,
  keygripSign,
  parsePythonJson,
  parseSetCookie,
  signCookieParserValue,
  signCookieSession,
  signExpressSessionId,
  writePythonJson,
  type CookieAnalysis,
} from '../../src/core';
import { keygripIndex } from '../../src/core/codec/node-cookies';
import type { ExpressApp } from '../support/express-app';
import { NODE_SESSION_COOKIE, startNodeSessionApp } from '../support/node-session-apps';

const verdictOf = (a: CookieAnalysis) => (a.format === 'unknown' ? 'unknown' : a.verification.verdict);
const json = (value: Parameters<typeof writePythonJson>[0]) => JSON.parse(writePythonJson(value, { sortKeys: false, ensureAscii: false })) as unknown;
const secretList = fc.array(fc.string({ minLength: 1, maxLength: 24 }), { minLength: 1, maxLength: 3 });
const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => !Object.is(v, -0));

/** What cookie-parser puts in req.signedCookies for one value: unsigned (false when the MAC fails), then JSONCookies' rule. */
function signedCookies(value: string, secrets: string[]): unknown {
  const unsigned = cookieParser.signedCookie(value, secrets);
  if (unsigned === false) return false;
  const parsed = cookieParser.JSONCookie(unsigned as string);
  return parsed ? parsed : unsigned;
}

describe('cookie-signature and cookie-parser (generated values)', () => {
  it('our signed value is cookie-signature’s, percent-encoded as res.cookie writes it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ minLength: 1, maxLength: 30 }), (value, secret) => {
        const ours = signExpressSessionId(value, { secret: { text: secret } });
        expect(ours.ok && ours.value).toBe(encodeURIComponent(`s:${cookieSignature.sign(value, secret)}`));
      }),
      { numRuns: 300 },
    );
  });

  it('req.signedCookies and our verdict agree on valid, mutated and foreign signatures, and on the value', () => {
    fc.assert(
      fc.property(jsonValue, secretList, fc.nat(2), fc.nat(60), (value, secrets, signer, flip) => {
        const signed = signCookieParserValue(parsePythonJson(JSON.stringify(value)), { secret: { text: secrets[Math.min(signer, secrets.length - 1)]! } });
        if (!signed.ok) return;
        const wire = decodeURIComponent(signed.value);
        // Mutate one character of the MAC, or none.
        const at = wire.length - 1 - (flip % 43);
        const mutated = flip < 43 ? `${wire.slice(0, at)}${wire[at] === 'A' ? 'B' : 'A'}${wire.slice(at + 1)}` : wire;
        for (const candidate of [wire, mutated]) {
          const theirs = signedCookies(candidate, secrets);
          const ours = analyzeCookie('pref', encodeURIComponent(candidate), { secrets: secrets.map((text) => ({ text })), format: 'cookie-parser' });
          expect(verdictOf(ours) === 'valid').toBe(theirs !== false);
          if (theirs !== false && ours.format === 'cookie-parser') expect(json(ours.verification.decoded.value!)).toEqual(theirs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cookie-parser’s JSONCookie edge cases: falsy and invalid j: values stay strings', () => {
    for (const text of ['j:0', 'j:null', 'j:false', 'j:""', 'j:{bad', 'j:[1]', 'j:"x"', 'plain']) {
      const signed = `s:${cookieSignature.sign(text, 'k')}`;
      const theirs = signedCookies(signed, ['k']);
      const ours = analyzeCookie('c', signed, { secrets: [{ text: 'k' }], format: 'cookie-parser' });
      expect(ours.format === 'cookie-parser' && json(ours.verification.decoded.value!)).toEqual(theirs);
    }
  });
});

describe('keygrip (generated data and keys)', () => {
  it('signs as keygrip signs, with SHA-1 and SHA-256, and finds the same key index', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), secretList, fc.constantFrom('sha1' as const, 'sha256' as const), (data, keys, digest) => {
        const grip = new Keygrip(keys, digest);
        const theirs = grip.sign(data);
        expect(keygripSign(data, { text: keys[0]! }, digest)).toBe(theirs);
        const last = new Keygrip([keys.at(-1)!], digest).sign(data);
        expect(keygripIndex(data, last, keys.map((text) => ({ text })), digest)).toBe(grip.index(data, last));
      }),
      { numRuns: 300 },
    );
  });
});

/** Each Set-Cookie of a response as name → value (the last of a name wins). */
async function get(app: ExpressApp, path: string, cookie = ''): Promise<{ body: string; set: Map<string, string> }> {
  const response = await fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {} });
  const set = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const parsed = parseSetCookie(line)!;
    set.set(parsed.name, parsed.value);
  }
  return { body: await response.text(), set };
}

const whoami = (body: string) => JSON.parse(body.match(/<pre>(.*)<\/pre>/s)![1]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))) as { user: string | null };

describe('a real express-session app', () => {
  const secrets = ['express-session newest', 'express-session older'];
  let app: ExpressApp;
  beforeAll(async () => {
    app = await startNodeSessionApp('express-session', secrets);
  });
  afterAll(() => app?.stop());

  it('its cookie verifies with the secret array (first signs), and an id we sign with the older secret is accepted by it', async () => {
    const login = await get(app, '/login?user=grace');
    const cookie = login.set.get(NODE_SESSION_COOKIE['express-session'])!;
    const ours = analyzeCookie('connect.sid', cookie, { secrets: secrets.map((text) => ({ text })) });
    expect(ours.format).toBe('express-session');
    expect(verdictOf(ours)).toBe('valid');
    expect(ours.format !== 'unknown' && ours.verification.matchedSecretIndex).toBe(0);
    expect(verdictOf(analyzeCookie('connect.sid', cookie, { secrets: [{ text: secrets[1]! }] }))).toBe('bad_signature');

    // Re-sign the same id with the second secret: express-session must still find the session.
    const sid = ours.format === 'express-session' ? ours.verification.decoded.signed!.value : '';
    const resigned = signExpressSessionId(sid, { secret: { text: secrets[1]! } });
    expect(resigned.ok).toBe(true);
    if (!resigned.ok) return;
    expect(whoami((await get(app, '/whoami', `connect.sid=${resigned.value}`)).body).user).toBe('grace');
    const forged = signExpressSessionId(sid, { secret: { text: 'not a secret of the app' } });
    expect(verdictOf(analyzeCookie('connect.sid', forged.ok ? forged.value : '', { secrets: secrets.map((text) => ({ text })) }))).toBe('bad_signature');
    expect(whoami((await get(app, '/whoami', `connect.sid=${forged.ok ? forged.value : ''}`)).body).user).toBeNull();
  });
});

describe('a real cookie-session app', () => {
  const keys = ['cookie-session key 1', 'cookie-session key 0'];
  let app: ExpressApp;
  beforeAll(async () => {
    app = await startNodeSessionApp('cookie-session', keys);
  });
  afterAll(() => app?.stop());

  it('its session and .sig verify here with the payload it holds; a tampered value fails in both', async () => {
    const login = await get(app, '/login?user=ada');
    const value = login.set.get('session')!;
    const sig = login.set.get('session.sig')!;
    const ours = analyzeCookie('session', value, { secrets: keys.map((text) => ({ text })), cookieName: 'session', signatureCookie: sig });
    expect(ours.format).toBe('cookie-session');
    expect(verdictOf(ours)).toBe('valid');
    if (ours.format === 'cookie-session' && ours.verification.decoded.payload.ok) expect(json(ours.verification.decoded.payload.value)).toEqual({ user: 'ada', cart: [] });

    const tampered = Buffer.from(JSON.stringify({ user: 'admin', cart: [] })).toString('base64');
    expect(verdictOf(analyzeCookie('session', tampered, { secrets: keys.map((text) => ({ text })), signatureCookie: sig }))).toBe('bad_signature');
    const answer = await get(app, '/whoami', `session=${tampered}; session.sig=${sig}`);
    expect(whoami(answer.body).user).toBeNull();
    expect(verdictOf(analyzeCookie('session', value, { secrets: keys.map((text) => ({ text })) }))).toBe('bad_signature');
  });

  it('sessions we sign (generated payloads) are the ones the app reads; with the older key it re-issues the .sig', async () => {
    const payloads = fc.sample(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'user' && k !== '__proto__'), jsonValue, { maxKeys: 4 }), { numRuns: 25, seed: 20261207 });
    for (const [i, extra] of payloads.entries()) {
      const payload = parsePythonJson(JSON.stringify({ ...extra, user: `u${i}` }));
      const signed = signCookieSession(payload, { secret: { text: keys[0]! } });
      expect(signed.ok).toBe(true);
      if (!signed.ok) continue;
      const key = i % 2 === 0 ? keys[0]! : keys[1]!;
      const sig = cookieSessionSignature('session', signed.value, { text: key });
      const answer = await get(app, '/whoami', `session=${signed.value}; session.sig=${sig}`);
      expect(whoami(answer.body).user).toBe(`u${i}`);
      const ours = analyzeCookie('session', signed.value, { secrets: keys.map((text) => ({ text })), signatureCookie: sig });
      expect(ours.format !== 'unknown' && ours.verification.matchedSecretIndex).toBe(i % 2);
      // A match with keys[1] makes cookie-session re-sign the .sig with keys[0]: the note says so.
      expect(answer.set.has('session.sig')).toBe(i % 2 === 1);
      if (i % 2 === 1) expect(answer.set.get('session.sig')).toBe(cookieSessionSignature('session', signed.value, { text: keys[0]! }));
      expect(ours.format !== 'unknown' && ours.verification.notes.some((n) => n.includes('re-issues session.sig'))).toBe(i % 2 === 1);
    }
  });

  it('logout deletes both cookies', async () => {
    const login = await get(app, '/login?user=ada');
    const cookie = `session=${login.set.get('session')}; session.sig=${login.set.get('session.sig')}`;
    const response = await fetch(`${app.url}/logout`, { headers: { cookie } });
    const deleted = response.headers.getSetCookie().map((line) => parseSetCookie(line)!);
    expect(deleted.map((c) => c.name).sort()).toEqual(['session', 'session.sig']);
    expect(deleted.find((c) => c.name === 'session')!.value).toBe('');
    expect(deleted.every((c) => (c.expires ?? Infinity) <= Date.now())).toBe(true);
  });
});

describe('the known-secret search on what the real libraries sign', () => {
  it('finds a published secret in a real express-session id, a real cookie-session .sig and a jsonwebtoken JWT; nothing for a strong one', async () => {
    const published = 'keyboard cat';
    const strong = 'a0f7c2e9b4d1-strong-and-not-listed-5e8a3c6f';
    for (const secret of [published, strong]) {
      const es = await startNodeSessionApp('express-session', [secret]);
      const cs = await startNodeSessionApp('cookie-session', [secret]);
      try {
        const sid = (await get(es, '/login?user=ada')).set.get('connect.sid')!;
        const login = (await get(cs, '/login?user=ada')).set;
        const token = jwt.sign({ sub: 'ada' }, secret, { algorithm: 'HS256' });
        const verdicts = [
          auditCookie(sid, [], { format: 'express-session' }),
          auditCookie(login.get('session')!, [], { format: 'cookie-session', cookieName: 'session', signatureCookie: login.get('session.sig')! }),
          auditCookie(token, [], { format: 'jwt' }),
        ];
        for (const verdict of verdicts) {
          expect(verdict.reason).toBeNull();
          expect(verdict.found).toBe(secret === published);
          if (verdict.found) expect(verdict.secret).toBe(published);
        }
      } finally {
        await Promise.all([es.stop(), cs.stop()]);
      }
    }
  });
});
