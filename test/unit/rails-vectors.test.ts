/**
 * Rails cookies against the reference vectors (ActionPack 6.1.7 from Debian, 7.1.5 and 7.2.3 from
 * the Rails sources: the CookieStore session, cookies.encrypted and cookies.signed, as one login,
 * a read, a tampered session and a logout), through the core and the CLI.
 */
import { describe, expect, it } from 'vitest';
import { RAILS_SALTS, analyzeCookie, parsePythonJson, parseSetCookie, requestCookiesOf, signRailsCookie, writePythonJson, type CookieAnalysis } from '../../src/core';
import { toHex } from '../../src/core/codec/bytes';
import { pbkdf2Key } from '../../src/core/codec/crypto';
import { main } from '../../src/cli/session-lens';
import { loadVectorFile } from '../support/vectors';

interface RailsStep {
  step: string;
  request_cookie?: string;
  response: { set_cookie: string[]; seen: { session: Record<string, unknown>; remember: unknown; prefs: unknown } | null };
}
interface RailsRun {
  label: string;
  load_defaults: '6.1' | '7.0' | '7.1';
  secret_key_base: string;
  key_derivation: { kdf: string; iterations: number };
  derived_keys: { authenticated_encrypted_cookie_32: string; signed_cookie_64: string };
  steps: RailsStep[];
}

const runs = loadVectorFile<{ runs: RailsRun[] }>('rails_cookies.json').runs;
const digestOf = (run: RailsRun) => (run.key_derivation.kdf.endsWith('SHA1') ? 'sha1' : 'sha256');
const verdictOf = (a: CookieAnalysis) => (a.format === 'unknown' ? 'unknown' : a.verification.verdict);
const payloadOf = (a: CookieAnalysis) => (a.format === 'rails' && a.verification.decoded.message?.ok && a.verification.decoded.message.value.value ? JSON.parse(writePythonJson(a.verification.decoded.message.value.value, { sortKeys: false, ensureAscii: false })) : undefined);

function cli(...argv: string[]): { status: number; stdout: string } {
  let stdout = '';
  const status = main({ argv, env: {}, readStdin: () => new Uint8Array(), stdout: (t) => (stdout += t), stderr: () => undefined, color: false });
  return { status, stdout };
}

it('has the 6.1 and 7.x runs', () => {
  expect(runs.map((r) => r.load_defaults).sort()).toEqual(['6.1', '7.1', '7.1']);
});

describe.each(runs.map((r) => [r.label, r] as const))('%s', (_label, run) => {
  const secrets = [{ text: run.secret_key_base }];
  const login = run.steps.find((s) => s.step === 'login')!.response.set_cookie.map((line) => parseSetCookie(line)!);
  const seen = run.steps.find((s) => s.step === 'read')!.response.seen!;
  const expected: Record<string, unknown> = { _demo_session: seen.session, remember_token: seen.remember, prefs: seen.prefs };
  // Before the remember_token's expiry: the capture's own time.
  const loginTime = Math.floor(login.find((c) => c.name === 'remember_token')!.expires! / 1000) - 86_400 + 60;

  it('derives the keys Rails derives (PBKDF2 with the version’s digest, 1,000 iterations)', () => {
    const skb = new TextEncoder().encode(run.secret_key_base);
    const salt = (text: string) => new TextEncoder().encode(text);
    expect(toHex(pbkdf2Key(digestOf(run), skb, salt(RAILS_SALTS.authenticatedEncrypted), 1000, 32))).toBe(run.derived_keys.authenticated_encrypted_cookie_32);
    expect(toHex(pbkdf2Key(digestOf(run), skb, salt(RAILS_SALTS.signed), 1000, 64))).toBe(run.derived_keys.signed_cookie_64);
  });

  it('reads every cookie of the login to what the app saw, with the key digest found by itself or given', () => {
    for (const cookie of login) {
      for (const digest of [undefined, digestOf(run)] as const) {
        const analysis = analyzeCookie(cookie.name, cookie.value, { secrets, cookieName: cookie.name, now: loginTime, ...(digest ? { digest } : {}) });
        expect(analysis.format).toBe('rails');
        expect(verdictOf(analysis)).toBe('valid');
        expect(payloadOf(analysis)).toEqual(expected[cookie.name]);
        expect(analysis.format === 'rails' && analysis.verification.decoded.keyDigest).toBe(digestOf(run));
      }
    }
  });

  it('the other version’s digest, another secret, another name (purpose) and a later time all fail as in Rails', () => {
    const session = login.find((c) => c.name === '_demo_session')!;
    const other = digestOf(run) === 'sha1' ? 'sha256' : 'sha1';
    expect(verdictOf(analyzeCookie(session.name, session.value, { secrets, cookieName: session.name, digest: other }))).toBe('bad_signature');
    expect(verdictOf(analyzeCookie(session.name, session.value, { secrets: [{ text: `${run.secret_key_base}x` }], cookieName: session.name }))).toBe('bad_signature');
    const renamed = analyzeCookie('_other_session', session.value, { secrets, cookieName: '_other_session' });
    expect(renamed.format === 'rails' && renamed.verification.reason?.code).toBe('ERR_RAILS_PURPOSE');
    const remember = login.find((c) => c.name === 'remember_token')!;
    expect(verdictOf(analyzeCookie(remember.name, remember.value, { secrets, cookieName: remember.name, now: loginTime + 2 * 86_400 }))).toBe('expired');
  });

  it('a signed cookie is read without a key; an encrypted one is not', () => {
    const prefs = login.find((c) => c.name === 'prefs')!;
    expect(payloadOf(analyzeCookie('prefs', prefs.value))).toEqual(seen.prefs);
    const session = analyzeCookie('_demo_session', login.find((c) => c.name === '_demo_session')!.value);
    expect(verdictOf(session)).toBe('unverified');
    expect(payloadOf(session)).toBeUndefined();
  });

  it('the tampered session, which Rails read as empty, is a bad signature here', () => {
    const request = run.steps.find((s) => s.step === 'tampered-session')!.request_cookie!;
    const tampered = requestCookiesOf([{ name: 'Cookie', value: request }]).find((c) => c.name === '_demo_session')!;
    expect(verdictOf(analyzeCookie('_demo_session', tampered.value, { secrets, cookieName: '_demo_session' }))).toBe('bad_signature');
  });

  it('through the CLI: --secret-key-base, --rails-version and --cookie-name, the JSON with the contract’s fields', () => {
    const session = login.find((c) => c.name === '_demo_session')!;
    const out = cli('verify', '--json', '--format', 'rails', '--secret-key-base', run.secret_key_base, '--rails-version', run.load_defaults, '--cookie-name', '_demo_session', '--', session.value);
    expect(out.status).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json).toMatchObject({ format: 'rails', signature: 'valid', verdict: 'valid', matched_secret_index: 0, timestamp: null, kind: 'encrypted', purpose: 'cookie._demo_session' });
    expect(json.payload).toEqual(seen.session);
    expect(cli('verify', '--format', 'rails', '--secret-key-base', 'wrong', '--cookie-name', '_demo_session', '--', session.value).status).toBe(1);
  });

  it('what we sign with the run’s settings opens with them, encrypted and signed', () => {
    const value = parsePythonJson(JSON.stringify(seen.session));
    for (const kind of ['encrypted', 'signed'] as const) {
      const signed = signRailsCookie(value, { secret: secrets[0]!, cookieName: '_demo_session', digest: digestOf(run), kind, iv: new Uint8Array(12).fill(3) });
      expect(signed.ok).toBe(true);
      if (!signed.ok) continue;
      const analysis = analyzeCookie('_demo_session', signed.value, { secrets, cookieName: '_demo_session', digest: digestOf(run) });
      expect(verdictOf(analysis)).toBe('valid');
      expect(payloadOf(analysis)).toEqual(seen.session);
    }
  });
});
