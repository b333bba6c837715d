/** "Edit & sign" for the JSON formats: the edited session is signed as each framework signs it, and verifies with the same key. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  analyzeCookie,
  parsePythonJson,
  signCookieSession,
  cookieSessionSignature,
  signDjangoCookie,
  signJwt,
  signRailsCookie,
  signCookieParserValue,
  writePythonJson,
  type CookieAnalysis,
  type Result,
} from '../../src/core';
import { editablePayload, forgeExpressSessionId, forgeJsonSession, isJsonSessionFormat, jsonSessionOf, type JsonSessionFormat } from '../../src/extension/panel/state/cookie-editor';

const KEY = { text: 'json-editor-key' };
const settings = { ...DEFAULT_SETTINGS, secrets: [KEY] };
const session = parsePythonJson('{"user": "ada", "n": 12345678901234567890, "cart": ["apple"]}');
const ok = (r: Result<string>) => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** The shown cookie of each format, signed with KEY, and the name it is under. */
const SHOWN: Record<JsonSessionFormat, { name: string; value: string; sig?: string }> = {
  django: { name: 'sessionid', value: ok(signDjangoCookie(session, { secret: KEY, timestamp: 1_700_000_000 })) },
  jwt: { name: 'token', value: ok(signJwt(session, { secret: KEY, algorithm: 'HS384' })) },
  'cookie-session': (() => {
    const value = ok(signCookieSession(session, { secret: KEY }));
    return { name: 'session', value, sig: cookieSessionSignature('session', value, KEY) };
  })(),
  'cookie-parser': { name: 'prefs', value: ok(signCookieParserValue(session, { secret: KEY })) },
  rails: { name: '_app_session', value: ok(signRailsCookie(session, { secret: KEY, cookieName: '_app_session', digest: 'sha1', iv: new Uint8Array(12).fill(1) })) },
};

const analyze = (format: JsonSessionFormat, value: string, sig?: string): CookieAnalysis =>
  analyzeCookie(SHOWN[format].name, value, { secrets: [KEY], format, cookieName: SHOWN[format].name, signatureCookie: sig ?? null, now: 1_700_000_100 });

describe.each(Object.keys(SHOWN).map((f) => [f as JsonSessionFormat] as const))('%s', (format) => {
  it('edits the session as JSON (big integers exact) and signs the edit so that it verifies with the same key, kept settings and all', () => {
    const shown = analyze(format, SHOWN[format].value, SHOWN[format].sig);
    expect(isJsonSessionFormat(shown.format)).toBe(true);
    if (!isJsonSessionFormat(shown.format)) return;
    const text = editablePayload(jsonSessionOf(shown)!).replace('"ada"', '"admin"');
    const result = forgeJsonSession(shown as Extract<CookieAnalysis, { format: JsonSessionFormat }>, { cookieName: SHOWN[format].name, payloadText: text, secretIndex: 0, iv: new Uint8Array(12).fill(9) }, settings, 1_700_000_050_000);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.companion !== undefined).toBe(format === 'cookie-session');
    const again = analyze(format, result.value, result.companion?.value);
    expect(again.format !== 'unknown' && again.verification.verdict).toBe('valid');
    expect(JSON.parse(writePythonJson(jsonSessionOf(again)!, { sortKeys: false, ensureAscii: false }).replace('12345678901234567890', '"big"'))).toEqual({ user: 'admin', n: 'big', cart: ['apple'] });
    if (format === 'jwt' && again.format === 'jwt') expect(again.verification.decoded.alg).toBe('HS384');
    if (format === 'rails' && again.format === 'rails') expect(again.verification.decoded.keyDigest).toBe('sha1');
  });

  it('says what is missing: a key, valid JSON', () => {
    const shown = analyze(format, SHOWN[format].value, SHOWN[format].sig) as Extract<CookieAnalysis, { format: JsonSessionFormat }>;
    const request = { cookieName: SHOWN[format].name, payloadText: '{"user": "x"}', secretIndex: 0, iv: new Uint8Array(12) };
    expect(forgeJsonSession(shown, request, DEFAULT_SETTINGS, 0)).toMatchObject({ ok: false, error: 'Paste the key that signs in Secrets first.' });
    expect(forgeJsonSession(shown, { ...request, payloadText: '{user' }, settings, 0)).toMatchObject({ ok: false, error: expect.stringMatching(/^The session is not valid JSON/) });
  });
});

it('an express-session id is signed as express-session signs it', () => {
  const result = forgeExpressSessionId({ cookieName: 'connect.sid', sid: 'another-session-id', secretIndex: 0 }, settings);
  expect(result.ok && analyzeCookie('connect.sid', result.value, { secrets: [KEY] })).toMatchObject({ format: 'express-session', verification: { verdict: 'valid' } });
  expect(forgeExpressSessionId({ cookieName: 'connect.sid', sid: ' ', secretIndex: 0 }, settings)).toMatchObject({ ok: false });
});
