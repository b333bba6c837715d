import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  TimelineBuilder,
  analyzeCookie,
  cookieSessionSignature,
  findSessionCandidates,
  parsePythonJson,
  signCookieSession,
  signExpressSessionId,
  timelineToJson,
  type CapturedExchange,
} from '../../src/core';
import { rawSegments, sessionFacts } from '../../src/extension/panel/state/cookie-facts';
import { analyzeCandidate } from '../../src/extension/panel/state/derive';
import { describeVerdict } from '../../src/extension/panel/state/verdict';

/** express-session, cookie-parser and cookie-session in the Session view, the session finder and the Timeline. */

const KEY = 'node-view-key';
const NOW = 1_700_000_000;
const session = (json: string, key = KEY) => {
  const signed = signCookieSession(parsePythonJson(json), { secret: { text: key } });
  if (!signed.ok) throw new Error(signed.error.message);
  return { value: signed.value, sig: cookieSessionSignature('session', signed.value, { text: key }) };
};
const SID = 'r0o_tHxsEHHzJU_PZWkhJLtCiTktm_Dm';
const expressCookie = (() => {
  const signed = signExpressSessionId(SID, { secret: { text: KEY } });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value;
})();

let seq = 0;
const exchange = (path: string, at: number, cookie: string, setCookies: string[]): CapturedExchange => ({
  seq: ++seq,
  startedAt: at * 1000,
  method: 'GET',
  url: `http://127.0.0.1:3000${path}`,
  status: 200,
  requestHeaders: cookie ? [{ name: 'Cookie', value: cookie }] : [],
  responseHeaders: setCookies.map((value) => ({ name: 'Set-Cookie', value })),
});

describe('cookie-session in the Session view', () => {
  const settings = { ...DEFAULT_SETTINGS, secrets: [{ text: KEY }] };

  it('the session finder pairs session with session.sig, and the view verifies through it', () => {
    const s = session('{"user": "ada"}');
    const [candidate, ...others] = findSessionCandidates([exchange('/login', NOW, '', [`session=${s.value}; path=/`, `session.sig=${s.sig}; path=/`])], [], { nowMs: NOW * 1000 });
    expect(others).toEqual([]);
    expect(candidate).toMatchObject({ name: 'session', signatureCookie: s.sig, detection: { format: 'cookie-session' } });
    const analysis = analyzeCandidate(candidate!, settings, NOW * 1000);
    expect(describeVerdict(analysis, settings, NOW * 1000)).toMatchObject({ tone: 'ok', headline: 'Signature valid (key 1 of 1)' });
    expect(rawSegments(analysis, candidate!.value, candidate!.signatureCookie)).toEqual([
      { label: 'Value', value: s.value },
      { label: 'Signature (.sig cookie)', value: s.sig },
    ]);
  });

  it('without its .sig: "missing", in the verdict and the facts; without keys: not verified, in cookie-session’s words', () => {
    const s = session('{"user": "ada"}');
    const [candidate] = findSessionCandidates([exchange('/', NOW, `session=${s.value}`, [])], [], { nowMs: NOW * 1000 });
    expect(candidate!.signatureCookie).toBeNull();
    const analysis = analyzeCandidate(candidate!, settings, NOW * 1000);
    expect(describeVerdict(analysis, settings, NOW * 1000)).toMatchObject({ tone: 'bad', headline: 'No signature: the .sig cookie is missing' });
    expect(sessionFacts(analysis, settings, NOW * 1000)[0]).toMatchObject({ label: 'Signature', tone: 'bad' });
    const unkeyed = analyzeCandidate(candidate!, DEFAULT_SETTINGS, NOW * 1000);
    expect(describeVerdict(unkeyed, DEFAULT_SETTINGS, NOW * 1000).headline).toBe("Not verified — paste the app's keys");
  });
});

describe('express-session and cookie-parser in the Session view', () => {
  it('an express-session id: its facts, its raw parts as on the wire, and the verdict for a second secret', () => {
    const analysis = analyzeCookie('connect.sid', expressCookie, { secrets: [{ text: 'newer' }, { text: KEY }] });
    const settings = { ...DEFAULT_SETTINGS, secrets: [{ text: 'newer' }, { text: KEY }] };
    expect(describeVerdict(analysis, settings, NOW * 1000)).toMatchObject({ tone: 'warn', headline: 'Signature valid (key 2 of 2)' });
    expect(sessionFacts(analysis, settings, NOW * 1000).map((f) => `${f.label}: ${f.value}`)).toEqual([
      `Session id: ${SID}`,
      'Id shape: uid-safe, 24 bytes (express-session’s default genid)',
      'Signed: yes (cookie-signature, HMAC-SHA256)',
    ]);
    const raw = rawSegments(analysis, expressCookie);
    expect(raw.map((f) => f.label)).toEqual(['On the wire', 'Session id', 'Signature']);
    expect(raw[0]!.value).toBe(expressCookie);
    expect(raw[2]!.value).toHaveLength(43);
  });

  it('a cookie-parser j: value is shown as the JSON cookie-parser hands the app', () => {
    const analysis = analyzeCookie('prefs', 's%3Aj%3A%7B%22a%22%3A1%7D.CBOvn%2BNUVMEQC%2Bwq5WDhflsysTr8SEVMiNmNC3PZpKI', { secrets: [{ text: 'cp-secret' }] });
    expect(analysis.format).toBe('cookie-parser');
    expect(sessionFacts(analysis, DEFAULT_SETTINGS, NOW * 1000).map((f) => f.value)).toEqual(['yes (cookie-signature, HMAC-SHA256)', 'JSON ("j:" prefix), parsed by cookie-parser']);
    expect(describeVerdict(analysis, { ...DEFAULT_SETTINGS, secrets: [{ text: 'cp-secret' }] }, NOW * 1000).headline).toBe('Signature valid (key 1 of 1)');
  });
});

describe('cookie-session in the Timeline', () => {
  it('verifies each request with the .sig sent beside it and each response with the .sig it sets; a forged value is rejected', () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: KEY }] });
    const login = session('{"user": "ada", "cart": []}');
    const cart = session('{"user": "ada", "cart": ["apple"]}');
    const forged = session('{"user": "admin", "cart": []}', 'attacker key');
    const pair = (s: { value: string; sig: string }) => [`session=${s.value}; path=/; httponly`, `session.sig=${s.sig}; path=/; httponly`];
    const sent = (s: { value: string; sig: string }) => `session=${s.value}; session.sig=${s.sig}`;
    const entries = [
      builder.addExchange(exchange('/login', NOW, '', pair(login))),
      builder.addExchange(exchange('/cart', NOW + 1, sent(login), pair(cart))),
      builder.addExchange(exchange('/whoami', NOW + 2, sent(cart), [])),
      // The attacker's value with the app's real .sig: cookie-session drops the session and deletes the .sig.
      builder.addExchange(exchange('/whoami', NOW + 3, `session=${forged.value}; session.sig=${cart.sig}`, ['session.sig=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT'])),
      builder.addExchange(exchange('/logout', NOW + 4, sent(cart), ['session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'session.sig=x; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT'])),
    ];
    expect(entries.map((e) => `${e.event} ${e.sent?.verdict ?? '-'} ${e.set?.state?.verdict ?? '-'}`)).toEqual([
      'created - valid',
      'modified valid valid',
      'untouched valid -',
      'rejected bad_signature -',
      'deleted valid -',
    ]);
    expect(entries[1]!.changes.map((c) => `${c.kind} ${c.path.join('.')}`)).toEqual(['added cart.0']);
    const exported = JSON.parse(timelineToJson(entries)) as { entries: { sent?: Record<string, unknown> }[] };
    expect(exported.entries[1]!.sent).toMatchObject({ format: 'cookie-session', signature: 'valid', matchedKeyIndex: 0, payloadKeys: ['user', 'cart'] });
  });

  it('an express-session id is exported redacted, as a Flask-Session id is', () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: KEY }] });
    const entry = builder.addExchange(exchange('/login', NOW, '', [`connect.sid=${expressCookie}; Path=/; HttpOnly`]));
    expect(entry.event).toBe('created');
    const text = timelineToJson([entry]);
    expect(text).not.toContain(SID);
    expect((JSON.parse(text) as { entries: { set?: { state?: Record<string, unknown> } }[] }).entries[0]!.set?.state).toMatchObject({ format: 'express-session', signature: 'valid', signed: true });
  });
});

describe('framework behaviour in the Timeline, in its own words', () => {
  const codes = (entry: { diagnostics: { code: string; severity: string }[] }) => entry.diagnostics.map((d) => `${d.code}:${d.severity}`);

  it('express-session re-sending the same cookie (rolling, or maxAge after a write) is said so; no Flask advice on Vary', () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: KEY }] });
    const set = [`connect.sid=${expressCookie}; Path=/; HttpOnly`];
    builder.addExchange(exchange('/login', NOW, '', set));
    const resent = builder.addExchange(exchange('/cart', NOW + 1, `connect.sid=${expressCookie}`, set));
    expect(codes(resent)).toContain('express-session-resent:info');
    const vary = resent.diagnostics.find((d) => d.code === 'missing-vary-cookie')!;
    expect(vary.severity).toBe('info');
    expect(vary.fix).toContain("res.vary('Cookie')");
    expect(JSON.stringify(resent.diagnostics)).not.toMatch(/Flask|after_request/);
  });

  it('cookie-session re-issuing only the .sig (an older key matched) is said so', () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: 'newest' }, { text: KEY }] });
    const s = session('{"user": "ada"}');
    const entry = builder.addExchange(exchange('/whoami', NOW, `session=${s.value}; session.sig=${s.sig}`, [`session.sig=${cookieSessionSignature('session', s.value, { text: 'newest' })}; path=/`]));
    expect(entry.sent?.verdict).toBe('valid');
    expect(codes(entry)).toContain('cookie-session-sig-reissued:info');
  });
});
