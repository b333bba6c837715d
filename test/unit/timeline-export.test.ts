import { describe, expect, it } from 'vitest';
import {
  CookieRedactor,
  DEFAULT_SETTINGS,
  TimelineFeed,
  parseCookieHeader,
  timelineToHar,
  timelineToJson,
  type CapturedExchange,
  type JarChange,
  type SessionSettings,
  type TimelineEntry,
} from '../../src/core';
import { HTTP_SEQUENCE_SECRET, flaskSessionRuns, flaskSessionStepToExchange, httpSequences, stepToExchange } from '../support/sequences';

const SECRET_TEXT = HTTP_SEQUENCE_SECRET;
const SECRET_HEX = '00112233445566778899aabbccddeeff';
const settings: SessionSettings = { ...DEFAULT_SETTINGS, secrets: [{ text: 'old-key-not-used' }, { text: SECRET_TEXT }, { hex: SECRET_HEX }] };

function basicExchanges(): CapturedExchange[] {
  const steps = httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps;
  return steps.map((step, i) => {
    const exchange = stepToExchange(step, i + 1);
    // Headers an export must never carry.
    exchange.requestHeaders.push({ name: 'Authorization', value: 'Bearer top-secret-token' }, { name: 'X-Api-Key', value: 'k-123456' });
    if (exchange.requestHeaders.some((h) => h.name === 'Cookie')) {
      exchange.requestHeaders.find((h) => h.name === 'Cookie')!.value += '; csrftoken=other-cookie-value';
    }
    return exchange;
  });
}

/** A Flask-Session run whose server adopted an id it never issued (so a diagnostic quotes the id). */
function adoptedIdEntries(): { entries: readonly TimelineEntry[]; values: string[] } {
  const run = flaskSessionRuns().find((r) => r.steps.some((s) => s.step === 'unknown-sid'))!;
  const feed = new TimelineFeed({ ...DEFAULT_SETTINGS, secrets: [{ text: run.secret_key }] });
  const exchanges = run.steps.map((step, i) => flaskSessionStepToExchange(step, i + 1));
  feed.sync(exchanges, [], 0);
  const values = run.steps.flatMap((s) => [
    ...(s.request.cookie_header ? parseCookieHeader(s.request.cookie_header).map((c) => c.value) : []),
    ...s.set_cookie.map((c) => /^[^=]*=([^;]*)/.exec(c)![1]!),
  ]);
  return { entries: feed.entries, values: values.filter((v) => v.length > 0) };
}

function basicEntries(extraJar: JarChange[] = []): readonly TimelineEntry[] {
  const feed = new TimelineFeed(settings, { jarSettleMs: 0 });
  feed.sync(basicExchanges(), extraJar, Number.MAX_SAFE_INTEGER);
  return feed.entries;
}

/** Every cookie value the recorded traffic carried (request Cookie pairs and Set-Cookie values). */
function cookieValues(entries: readonly TimelineEntry[]): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'jar') {
      if (e.change.value) out.add(e.change.value);
      continue;
    }
    for (const h of e.exchange.requestHeaders) if (h.name.toLowerCase() === 'cookie') for (const c of parseCookieHeader(h.value)) if (c.value) out.add(c.value);
    if (e.set?.cookie.value) out.add(e.set.cookie.value);
  }
  return [...out];
}

function expectNoSecrets(text: string): void {
  for (const secret of [SECRET_TEXT, SECRET_HEX, 'old-key-not-used', 'top-secret-token', 'k-123456']) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/authorization|x-api-key/i);
}

describe('CookieRedactor', () => {
  it('labels each distinct value once and keeps names and attributes', () => {
    const r = new CookieRedactor(false);
    expect(r.cookieHeader('session=abc.def; theme=dark; session=abc.def')).toBe('session=[redacted-1]; theme=[redacted-2]; session=[redacted-1]');
    expect(r.setCookie('session=abc.def; Expires=Thu, 01 Jan 2037 00:00:00 GMT; HttpOnly; Path=/')).toBe(
      'session=[redacted-1]; Expires=Thu, 01 Jan 2037 00:00:00 GMT; HttpOnly; Path=/',
    );
    // Deletions have nothing to hide.
    expect(r.setCookie('session=; Max-Age=0; Path=/')).toBe('session=; Max-Age=0; Path=/');
    expect(r.scrub('value abc.def and dark')).toBe('value [redacted-1] and [redacted-2]');
  });

  it('passes everything through when values are included', () => {
    const r = new CookieRedactor(true);
    expect(r.cookieHeader('session=abc; a=b')).toBe('session=abc; a=b');
    expect(r.scrub('abc')).toBe('abc');
  });
});

describe('timeline JSON export', () => {
  it('redacts every cookie value, decoded payload and diff value by default, and never carries secrets', () => {
    const overwrite: JarChange = { seq: 1, at: Date.parse('2027-01-01T00:00:00Z'), name: 'session', value: 'eyJ1c2VyIjoibWFsbG9yeSJ9.ZzZzZw.jar-written-value', domain: '127.0.0.1', removed: false, cause: 'explicit' };
    const entries = basicEntries([overwrite]);
    expect(entries.at(-1)!.kind).toBe('jar');
    const text = timelineToJson(entries, { exportedAt: Date.UTC(2026, 10, 25), origin: 'http://127.0.0.1:5000' });
    const values = cookieValues(entries);
    expect(values.length).toBeGreaterThan(5);
    for (const value of values) expect(text, value).not.toContain(value);
    expect(text).not.toContain('alice'); // the payloads' contents
    expectNoSecrets(text);

    const doc = JSON.parse(text) as { cookieValues: string; origin: string; entries: Record<string, unknown>[] };
    expect(doc.cookieValues).toBe('redacted');
    expect(doc.origin).toBe('http://127.0.0.1:5000');
    expect(doc.entries).toHaveLength(entries.length);
    const modify = doc.entries.find((e) => e.event === 'modified' && (e.url as string).endsWith('/modify'))!;
    // Paths of the diff stay (they are key names), values go.
    expect(modify.changes).toEqual([{ path: ['count'], kind: 'added' }]);
    expect((modify.sent as { payloadKeys: string[] }).payloadKeys).toEqual(['user']);
    expect((modify.sent as { verdict: string; matchedKeyIndex: number }).matchedKeyIndex).toBe(1);
    const headers = modify.headers as { request: { name: string; value: string }[] };
    expect(headers.request).toEqual([{ name: 'Cookie', value: expect.stringMatching(/^session=\[redacted-\d+\]; csrftoken=\[redacted-\d+\]$/) }]);
    // The same value gets the same label: the cookie this request sent is the one the previous response set.
    const i = doc.entries.indexOf(modify);
    const previousSet = (doc.entries[i - 1] as { set: { value: string } | null }).set;
    const sentLabel = (modify.sent as { value: string }).value;
    expect(sentLabel).toMatch(/^\[redacted-\d+\]$/);
    if (previousSet) expect(previousSet.value).toBe(sentLabel);
    const jarEntry = doc.entries.at(-1)!;
    expect(jarEntry).toMatchObject({ kind: 'jar', event: 'overwritten', value: expect.stringMatching(/^\[redacted-\d+\]$/) });
  });

  it('includes values, typed payloads and diffs when asked, still without secrets', () => {
    const entries = basicEntries();
    const text = timelineToJson(entries, { includeCookieValues: true });
    for (const value of cookieValues(entries)) expect(text).toContain(value);
    expectNoSecrets(text);
    const doc = JSON.parse(text) as { cookieValues: string; entries: Record<string, unknown>[] };
    expect(doc.cookieValues).toBe('included');
    const modify = doc.entries.find((e) => (e.url as string).endsWith('/modify'))!;
    expect(modify.changes).toEqual([{ path: ['count'], kind: 'added', after: 1 }]);
    expect((modify.sent as { payload: unknown }).payload).toEqual({ user: 'alice' });
  });

  it('writes payloads in the $type representation, floats kept apart from ints', () => {
    const cookie = 'eyJmIjoxLjAsImkiOjF9.aSYfAA.signature-not-checked-here';
    const feed = new TimelineFeed(DEFAULT_SETTINGS);
    feed.sync(
      [{ seq: 1, startedAt: 0, method: 'GET', url: 'http://x.test/', status: 200, requestHeaders: [], responseHeaders: [{ name: 'Set-Cookie', value: `session=${cookie}; Path=/` }] }],
      [],
      0,
    );
    const text = timelineToJson(feed.entries, { includeCookieValues: true });
    expect(text).toMatch(/"payload": \{"f":1\.0,"i":1\}/);
    expect((JSON.parse(text) as { entries: { set: { state: { payload: unknown } } }[] }).entries[0]!.set.state.payload).toEqual({ f: 1, i: 1 });
  });

  it('scrubs session ids that diagnostics quote (Flask-Session id adopted)', () => {
    const { entries, values } = adoptedIdEntries();
    const adopted = entries.find((e) => e.diagnostics.some((d) => d.code === 'unknown-id-adopted'))!;
    expect(adopted).toBeDefined();
    const text = timelineToJson(entries);
    for (const value of values) expect(text).not.toContain(value.replace(/\..*$/, '').slice(0, 40));
    expect(text).toContain('unknown-id-adopted');
  });
});

describe('timeline HAR export', () => {
  it('is a HAR 1.2 log of the session headers only, redacted by default', () => {
    const entries = basicEntries();
    const text = timelineToHar(entries, { origin: 'http://127.0.0.1:5000', toolVersion: '0.1.0' });
    for (const value of cookieValues(entries)) expect(text).not.toContain(value);
    expect(text).not.toContain('alice');
    expectNoSecrets(text);
    const har = JSON.parse(text) as {
      log: {
        version: string;
        creator: { name: string };
        entries: {
          startedDateTime: string;
          request: { method: string; url: string; headers: { name: string }[]; cookies: { name: string; value: string }[] };
          response: { status: number; headers: { name: string }[]; cookies: { name: string; value: string }[] };
          _sessionLens: { event: string; changes: unknown[] };
        }[];
      };
    };
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('Session Lens');
    expect(har.log.entries).toHaveLength(entries.length);
    for (const e of har.log.entries) {
      expect(Number.isNaN(Date.parse(e.startedDateTime))).toBe(false);
      expect(e.request.headers.every((h) => h.name.toLowerCase() === 'cookie')).toBe(true);
      expect(e.response.headers.every((h) => ['set-cookie', 'vary', 'cache-control', 'location', 'date'].includes(h.name.toLowerCase()))).toBe(true);
      for (const c of [...e.request.cookies, ...e.response.cookies]) expect(c.value === '' || /^\[redacted-\d+\]$/.test(c.value)).toBe(true);
    }
    expect(har.log.entries.map((e) => e._sessionLens.event)).toEqual(entries.map((e) => e.event));
    expect(har.log.entries.find((e) => e.request.url.endsWith('/modify'))!._sessionLens.changes).toEqual([{ path: ['count'], kind: 'added' }]);
  });

  it('carries the values when asked', () => {
    const entries = basicEntries();
    const text = timelineToHar(entries, { includeCookieValues: true });
    for (const value of cookieValues(entries)) expect(text).toContain(value);
    expectNoSecrets(text);
  });
});
