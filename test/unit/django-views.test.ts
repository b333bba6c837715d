import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, DJANGO_DEFAULTS, TimelineBuilder, analyzeCookie, detectFormats, formatTitle, parsePythonJson, signDjangoCookie, timelineToJson, type CapturedExchange } from '../../src/core';
import { rawSegments, sessionFacts } from '../../src/extension/panel/state/cookie-facts';
import { analyzeCandidate } from '../../src/extension/panel/state/derive';
import { describeVerdict } from '../../src/extension/panel/state/verdict';
import type { SessionCandidate } from '../../src/core';

/** A Django signed_cookies session in the Session view and the Timeline. */

const SECRET = 'django-view-secret';
const NOW = 1_700_000_000;
const sign = (json: string, timestamp = NOW, digest: 'sha1' | 'sha256' = 'sha256') => {
  const signed = signDjangoCookie(parsePythonJson(json), { secret: { text: SECRET }, timestamp, digest });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value;
};
const candidate = (value: string): SessionCandidate => ({
  name: 'sessionid',
  value,
  source: 'response',
  attributes: null,
  attributesAt: null,
  sizeBytes: value.length + 9,
  detection: { format: 'django', confidence: 'high', reasons: [] },
  reason: 'content',
  deleted: false,
  signatureCookie: null,
});

describe('a Django session in the Session view', () => {
  it("verifies with Django's own signer settings whatever the Flask ones say, and words the verdict in Django's terms", () => {
    // The panel's settings carry Flask's defaults (sha1, cookie-session): they must not apply to Django.
    const settings = { ...DEFAULT_SETTINGS, secrets: [{ text: SECRET }], digest: 'sha1' as const, salt: 'cookie-session' };
    const analysis = analyzeCandidate(candidate(sign('{"user_id": 42}')), settings, NOW * 1000);
    expect(analysis).toMatchObject({ format: 'django', verification: { verdict: 'valid', legacySha1: false } });
    expect(describeVerdict(analysis, settings, NOW * 1000).headline).toBe('Signature valid (key 1 of 1)');
    const old = analyzeCandidate(candidate(sign('{"user_id": 42}', NOW - DJANGO_DEFAULTS.maxAgeSeconds - 1)), settings, NOW * 1000);
    const verdict = describeVerdict(old, settings, NOW * 1000);
    expect(verdict.headline).toBe('Signature valid (key 1 of 1) — expired (SESSION_COOKIE_AGE)');
    expect(verdict.details.join(' ')).toContain('Django ignores it and starts a new, empty session.');
    const legacy = analyzeCandidate(candidate(sign('{"user_id": 42}', NOW, 'sha1')), settings, NOW * 1000);
    expect(describeVerdict(legacy, settings, NOW * 1000)).toMatchObject({ tone: 'warn', headline: 'Signature valid (key 1 of 1)' });
  });

  it('lists the signing time, the age and the SESSION_COOKIE_AGE expiry, and the three raw parts', () => {
    const value = sign('{"user_id": 42}', NOW - 3600);
    const analysis = analyzeCookie('sessionid', value, { secrets: [], now: NOW });
    const facts = sessionFacts(analysis, DEFAULT_SETTINGS, NOW * 1000);
    expect(facts.map((f) => f.label)).toEqual(['Signed at', 'Age', 'Expires (SESSION_COOKIE_AGE 14d)', 'Compressed', 'Algorithm']);
    expect(facts[1]!.value).toBe('1h');
    expect(facts[2]!.value).toMatch(/in 13d 23h/);
    expect(rawSegments(analysis, value).map((f) => f.value)).toEqual(value.split(':'));
  });
});

describe("a database-backed session's key", () => {
  it('is recognised under sessionid as an opaque key, with nothing to verify, and is not taken for a signed cookie elsewhere', () => {
    const key = 'yfu11s0129ttmio96k33egy4xuic0fpp';
    const settings = { ...DEFAULT_SETTINGS, secrets: [{ text: SECRET }] };
    const analysis = analyzeCandidate(candidate(key), settings, NOW * 1000);
    expect(analysis).toMatchObject({ format: 'django', detection: { confidence: 'high' }, verification: { verdict: 'unverified', signature: 'not_checked', decoded: { sessionKey: key } } });
    expect(formatTitle(analysis)).toBe('Django session · server-side session key');
    expect(describeVerdict(analysis, settings, NOW * 1000).headline).toBe('Server-side session key — nothing to verify');
    expect(sessionFacts(analysis, settings, NOW * 1000)[0]).toEqual({ label: 'Session key', value: key });
    expect(detectFormats('other', key)[0]).toMatchObject({ format: 'django', confidence: 'low' });
    expect(detectFormats('sessionid', key.toUpperCase())[0]!.format).not.toBe('django');
  });
});

describe('a Django session in the Timeline', () => {
  let seq = 0;
  const exchange = (path: string, at: number, sent: string | null, set: string | null): CapturedExchange => ({
    seq: ++seq,
    startedAt: at * 1000,
    method: 'GET',
    url: `http://127.0.0.1:8000${path}`,
    status: 200,
    requestHeaders: sent ? [{ name: 'Cookie', value: `sessionid=${sent}` }] : [],
    responseHeaders: set ? [{ name: 'Set-Cookie', value: `sessionid=${set}; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax` }] : [],
  });

  it("follows login → cart → a request after SESSION_COOKIE_AGE, ages judged at each request's time", () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: SECRET }] });
    const login = sign('{"user_id": 42}', NOW);
    const cart = sign('{"user_id": 42, "cart": ["A1"]}', NOW + 60);
    const entries = [
      builder.addExchange(exchange('/login/', NOW, null, login)),
      builder.addExchange(exchange('/cart/', NOW + 60, login, cart)),
      builder.addExchange(exchange('/account/', NOW + 120, cart, null)),
      builder.addExchange(exchange('/account/', NOW + 60 + DJANGO_DEFAULTS.maxAgeSeconds + 1, cart, null)),
    ];
    expect(entries.map((e) => e.kind === 'http' && `${e.event} ${e.sent?.verdict ?? '-'}`)).toEqual(['created -', 'modified valid', 'untouched valid', 'rejected expired']);
    const changed = entries[1]!;
    expect(changed.kind === 'http' && changed.changes.map((c) => `${c.kind} ${c.path.join('.')}`)).toEqual(['added cart']);
    const exported = JSON.parse(timelineToJson(entries)) as { entries: { set?: { state?: Record<string, unknown> } }[] };
    expect(exported.entries[1]!.set?.state).toMatchObject({ format: 'django', signature: 'valid', signedAt: NOW + 60, payloadKeys: ['user_id', 'cart'] });
  });
});

describe('Django behaviour in the Timeline', () => {
  it('a database session key re-sent unchanged is Refreshed, with SESSION_SAVE_EVERY_REQUEST named', () => {
    const key = 'yfu11s0129ttmio96k33egy4xuic0fpp';
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS });
    const at = (path: string, t: number, sent: boolean): CapturedExchange => ({
      seq: t,
      startedAt: t * 1000,
      method: 'GET',
      url: `http://127.0.0.1:8000${path}`,
      status: 200,
      requestHeaders: sent ? [{ name: 'Cookie', value: `sessionid=${key}` }] : [],
      responseHeaders: [{ name: 'Set-Cookie', value: `sessionid=${key}; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax` }, { name: 'Vary', value: 'Cookie' }],
    });
    builder.addExchange(at('/login/', NOW, false));
    const again = builder.addExchange(at('/cart/', NOW + 1, true));
    expect(again.event).toBe('refreshed');
    expect(again.diagnostics.map((d) => d.code)).toContain('django-saved-unchanged');
    expect(again.diagnostics.find((d) => d.code === 'django-saved-unchanged')!.detail).toContain('SESSION_SAVE_EVERY_REQUEST');
  });
});
