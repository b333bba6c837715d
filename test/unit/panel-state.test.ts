import { describe, expect, it } from 'vitest';
import {
  formatTitle,
  DEFAULT_SETTINGS,
  analyzeCookie,
  parseTypedJson,
  py,
  signFlaskCookie,
  signFlaskSessionId,
  type CapturedExchange,
  type JarChange,
  type JarCookie,
  type SessionSettings,
} from '../../src/core';
import type { CookieJar } from '../../src/extension/platform/cookie-jar';
import type { ExchangeBatchListener } from '../../src/extension/platform/exchange-stream';
import { createSettingsStore, type OriginSettings } from '../../src/extension/platform/settings-store';
import { attributeFacts, rawSegments, sessionFacts } from '../../src/extension/panel/state/cookie-facts';
import { stateWithoutSecrets } from '../../src/extension/panel/state/debug-view';
import { siteExchanges, toSessionSettings } from '../../src/extension/panel/state/derive';
import { PanelStore, type PanelPlatform } from '../../src/extension/panel/state/panel-store';
import { copyJsonText, copyValueText, defaultExpanded, MAX_CHILDREN, payloadRows, treeKey } from '../../src/extension/panel/state/payload-tree';
import { describeVerdict, NOT_VERIFIED } from '../../src/extension/panel/state/verdict';

const NOW = 1_764_086_400; // 2025-11-25T16:00:00Z
const ORIGIN = 'http://127.0.0.1:5000';

function flaskCookie(secret: string, payload = py.dict([['user', py.str('alice')]]), timestamp = NOW - 60): string {
  const signed = signFlaskCookie(payload, { secret: { text: secret }, timestamp });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.cookie;
}

function settingsWith(secrets: string[], extra: Partial<SessionSettings> = {}): SessionSettings {
  return { ...DEFAULT_SETTINGS, secrets: secrets.map((text) => ({ text })), ...extra };
}

function verdictFor(cookie: string, secrets: string[], extra: Partial<SessionSettings> = {}, nowSeconds = NOW) {
  const settings = settingsWith(secrets, extra);
  const analysis = analyzeCookie('session', cookie, { secrets: settings.secrets, maxAge: settings.lifetimeSeconds, now: nowSeconds });
  return describeVerdict(analysis, settings, nowSeconds * 1000);
}

describe('verdict wording', () => {
  const cookie = flaskCookie('old-key');

  it('names the key that matched, or says none did', () => {
    expect(verdictFor(cookie, []).headline).toBe(NOT_VERIFIED);
    expect(verdictFor(cookie, ['old-key'])).toMatchObject({ tone: 'ok', headline: 'Signature valid (key 1 of 1)' });
    const rotated = verdictFor(cookie, ['new-key', 'old-key', 'older-key']);
    expect(rotated.headline).toBe('Signature valid (key 2 of 3)');
    expect(rotated.tone).toBe('warn');
    expect(rotated.details.join(' ')).toContain('SECRET_KEY_FALLBACKS[0]');
    expect(verdictFor(cookie, ['a', 'b', 'c'])).toMatchObject({ tone: 'bad', headline: 'Signature invalid for all 3 keys' });
    expect(verdictFor(cookie, ['wrong']).headline).toBe('Signature invalid for this key');
  });

  it('reports the timestamp verdicts, with and without the key', () => {
    const old = flaskCookie('k', undefined, NOW - 40 * 86400);
    expect(verdictFor(old, ['k']).headline).toBe('Signature valid (key 1 of 1) — expired');
    expect(verdictFor(old, ['k']).details[0]).toBe('Signed 40d ago; the lifetime is 31d. Flask ignores it and starts an empty session.');
    const unverified = verdictFor(old, []);
    expect(unverified).toMatchObject({ headline: NOT_VERIFIED, tone: 'warn' });
    expect(unverified.details[0]).toContain('Already expired, whatever the key: signed 40d ago');
    expect(verdictFor(old, ['k'], { lifetimeSeconds: 50 * 86400 }).headline).toBe('Signature valid (key 1 of 1)');
    expect(verdictFor(flaskCookie('k', undefined, NOW + 3600), ['k']).headline).toBe('Signature valid (key 1 of 1) — signed in the future');
  });

  it('says when only Python\'s lenient base64 accepts the signature', () => {
    // 20 signature bytes in 27 characters leave 2 unused bits: flip them in the last character.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(cookie.at(-1)!);
    const noncanonical = cookie.slice(0, -1) + alphabet[last ^ 1];
    const verdict = verdictFor(noncanonical, ['old-key']);
    expect(verdict).toMatchObject({ tone: 'warn', headline: 'Signature valid (key 1 of 1), non-canonical' });
    expect(verdict.details[0]).toMatch(/non-canonical base64/);
  });

  it('tells a signed-but-undecodable payload (HTTP 500) and a bad hex secret apart', () => {
    const notADict = flaskCookie('k', py.list([py.int(1)]));
    expect(verdictFor(notADict, ['k']).details.join(' ')).toContain('HTTP 500');
    const settings = { ...DEFAULT_SETTINGS, secrets: [{ hex: 'zz' }] };
    const analysis = analyzeCookie('session', cookie, { secrets: settings.secrets });
    expect(describeVerdict(analysis, settings, NOW * 1000).headline).toBe('A secret is not valid hex');
  });

  it('words Flask-Session ids: unsigned, not verified, valid', () => {
    const sid = 'Yq4w1C2I6cK0e0w2l7h9J8pZx3mN5bV4aT1sR6dF0gE';
    const signed = signFlaskSessionId(sid, { secret: { text: 'k' } });
    if (!signed.ok) throw new Error('sign');
    const verdict = (value: string, secrets: string[]) => {
      const settings = settingsWith(secrets);
      return describeVerdict(analyzeCookie('session', value, { secrets: settings.secrets }), settings, NOW * 1000).headline;
    };
    expect(verdict(sid, ['k'])).toBe('Unsigned session id — nothing to verify');
    expect(verdict(signed.value, [])).toBe(NOT_VERIFIED);
    expect(verdict(signed.value, ['k'])).toBe('Signature valid (key 1 of 1)');
    expect(verdict(signed.value, ['x', 'y'])).toBe('Signature invalid for all 2 keys');
  });
});

describe('payload tree', () => {
  const payload = parseTypedJson(
    JSON.stringify({
      user: 'alice',
      roles: { $type: 'tuple', items: ['admin', 'dev'] },
      big: { $type: 'int', value: '1180591620717411303424' },
      ratio: 1.0,
      id: { $type: 'uuid', value: '12345678-1234-5678-1234-567812345678' },
      when: { $type: 'datetime', iso: '2024-02-29T12:34:56+00:00' },
      html: { $type: 'markup', value: '<b>x</b>' },
      raw: { $type: 'bytes', hex: '00ff' },
    }).replace('"ratio":1', '"ratio":1.0'),
  );

  it('reads "key: value" with Python reprs and type badges', () => {
    const rows = payloadRows(payload, new Set());
    expect(rows.map((r) => `${r.key}: ${r.text}`)).toEqual([
      "user: 'alice'",
      "roles: ('admin', 'dev')",
      'big: 1180591620717411303424',
      'ratio: 1.0',
      'id: 12345678-1234-5678-1234-567812345678',
      'when: 2024-02-29 12:34:56+00:00',
      "html: '<b>x</b>'",
      "raw: b'\\x00\\xff'",
    ]);
    expect(rows.map((r) => r.badge)).toEqual([null, 'tuple', 'int > 2⁵³', null, 'UUID', 'datetime', 'Markup', 'bytes']);
  });

  it('opens small payloads fully and numbers positions per level', () => {
    const rows = payloadRows(payload, defaultExpanded(payload));
    const roles = rows.filter((r) => r.parentId === '["roles"]');
    expect(roles.map((r) => [r.key, r.level, r.posInSet, r.setSize])).toEqual([
      ['0', 2, 1, 2],
      ['1', 2, 2, 2],
    ]);
    const big = py.dict(Array.from({ length: 60 }, (_, i): [string, ReturnType<typeof py.list>] => [`k${i}`, py.list([py.int(i)])]));
    expect(defaultExpanded(big).size).toBe(0);
  });

  it('lists at most MAX_CHILDREN children and says how many more there are', () => {
    const long = py.dict([['items', py.list(Array.from({ length: MAX_CHILDREN + 7 }, (_, i) => py.int(i)))]]);
    const rows = payloadRows(long, new Set(['["items"]']));
    expect(rows).toHaveLength(1 + MAX_CHILDREN + 1);
    expect(rows.at(-1)!.text).toMatch(/^7 more not shown/);
  });

  it('moves through the tree like the ARIA tree pattern', () => {
    const tree = py.dict([
      ['a', py.list([py.int(1), py.int(2)])],
      ['b', py.str('x')],
    ]);
    let expanded = new Set<string>();
    let rows = payloadRows(tree, expanded);
    const a = '["a"]';
    expect(treeKey(rows, a, 'ArrowRight')).toEqual({ focus: a, toggle: { id: a, open: true } });
    expanded = new Set([a]);
    rows = payloadRows(tree, expanded);
    expect(treeKey(rows, a, 'ArrowRight')).toEqual({ focus: '["a",0]' });
    expect(treeKey(rows, '["a",1]', 'ArrowDown')).toEqual({ focus: '["b"]' });
    expect(treeKey(rows, '["a",1]', 'ArrowLeft')).toEqual({ focus: a });
    expect(treeKey(rows, a, 'ArrowLeft')).toEqual({ focus: a, toggle: { id: a, open: false } });
    expect(treeKey(rows, '["b"]', 'Home')).toEqual({ focus: a });
    expect(treeKey(rows, a, 'End')).toEqual({ focus: '["b"]' });
    expect(treeKey(rows, a, 'x')).toBeNull();
  });

  it('copies values as text and as $type JSON', () => {
    expect(copyValueText(py.str('alice'))).toBe('alice');
    expect(copyValueText(py.tuple([py.str('a')]))).toBe("('a',)");
    expect(JSON.parse(copyJsonText(py.tuple([py.str('a')])))).toEqual({ $type: 'tuple', items: ['a'] });
    expect(copyJsonText(py.float(1))).toBe('1.0');
  });
});

describe('cookie facts', () => {
  it('lists attributes with size against the limit, and the signing times', () => {
    const cookie = flaskCookie('k');
    const exchange: CapturedExchange = {
      seq: 1,
      startedAt: NOW * 1000,
      method: 'POST',
      url: `${ORIGIN}/login`,
      status: 200,
      requestHeaders: [],
      responseHeaders: [{ name: 'Set-Cookie', value: `session=${cookie}; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax` }],
    };
    const store = new PanelStore(fakePlatform({ exchanges: [exchange] }).platform);
    store.start();
    return settle().then(() => {
      const { selected, analysis } = store.getState();
      const facts = Object.fromEntries(attributeFacts(selected!, NOW * 1000).map((f) => [f.label, f.value]));
      expect(facts).toMatchObject({
        'Seen in': 'Set-Cookie response',
        'Expires / Max-Age': 'Max-Age=3600 (1h) → 2025-11-25 17:00:00 UTC, in 1h',
        HttpOnly: 'yes',
        SameSite: 'Lax',
        Size: `${'session'.length + cookie.length} of 4093 bytes`,
      });
      expect(formatTitle(analysis!)).toBe('Flask signed cookie');
      const times = Object.fromEntries(sessionFacts(analysis!, settingsWith([]), NOW * 1000).map((f) => [f.label, f.value]));
      expect(times).toMatchObject({ Age: '1m', 'Expires (lifetime 31d)': '2025-12-26 15:59:00 UTC, in 30d 23h' });
      expect(rawSegments(analysis!, cookie).map((f) => f.value).join('.')).toBe(cookie);
    });
  });
});

// ------------------------------------------------------------------ the store

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function fakePlatform(init: { exchanges?: CapturedExchange[]; origin?: string | null; access?: boolean; jar?: JarCookie[]; deferTimers?: boolean; deferTasks?: boolean } = {}) {
  const timers: (() => void)[] = [];
  let listener: ExchangeBatchListener | undefined;
  let origin = init.origin === undefined ? ORIGIN : init.origin;
  let access = init.access ?? false;
  let jarCookies = init.jar ?? [];
  let jarListener: ((c: JarChange) => void) | undefined;
  const written: JarCookie[] = [];
  let accessListener: (() => void) | undefined;
  let nowMs = NOW * 1000;
  const jar: CookieJar = {
    hasHostAccess: async () => access,
    requestHostAccess: async () => {
      access = true;
      return true;
    },
    read: async () => (access ? jarCookies : []),
    write: async (_origin, cookie) => {
      if (!access) throw new Error('no host access');
      written.push(cookie);
      jarCookies = [...jarCookies.filter((c) => c.name !== cookie.name), cookie];
      jarListener?.({ seq: written.length, at: nowMs, name: cookie.name, value: cookie.value, domain: cookie.domain, removed: false, cause: 'explicit' });
    },
    watch: (_origin, l) => {
      jarListener = l;
      return () => (jarListener = undefined);
    },
    onHostAccessChanged: (l) => {
      accessListener = l;
      return () => (accessListener = undefined);
    },
  };
  const platform: PanelPlatform = {
    subscribeExchanges: (l) => {
      listener = l;
      l(init.exchanges ?? [], { dropped: 0 });
      return () => (listener = undefined);
    },
    inspectedOrigin: async () => origin,
    settings: createSettingsStore({ local: { get: async () => ({}), set: async () => {}, remove: async () => {} } }),
    jar,
    now: () => nowMs,
    every: () => () => {},
    later: (ms, fn) => {
      // Delays wait for runTimers(); the store's next-task derivations (0 ms) run at once.
      if ((init.deferTimers && ms > 0) || init.deferTasks) timers.push(fn);
      else fn();
      return () => {};
    },
  };
  return {
    platform,
    emit: (batch: CapturedExchange[], dropped = 0) => listener!(batch, { dropped }),
    navigate: (to: string | null) => (origin = to),
    setJar: (cookies: JarCookie[]) => (jarCookies = cookies),
    jarChange: (change: JarChange) => jarListener!(change),
    written,
    grantElsewhere: () => {
      access = true;
      accessListener!();
    },
    tick: (ms: number) => (nowMs += ms),
    runTimers: () => timers.splice(0).forEach((fn) => fn()),
  };
}

let seq = 0;
function exchange(url: string, setCookie: string[] = [], resourceType = 'fetch', cookieHeader?: string): CapturedExchange {
  seq += 1;
  return {
    seq,
    startedAt: NOW * 1000,
    method: 'GET',
    url,
    status: 200,
    requestHeaders: cookieHeader ? [{ name: 'Cookie', value: cookieHeader }] : [],
    responseHeaders: setCookie.map((value) => ({ name: 'Set-Cookie', value })),
    resourceType,
  };
}

function verdictOf(store: PanelStore): string | null {
  const analysis = store.getState().analysis;
  return analysis && analysis.format !== 'unknown' ? analysis.verification.verdict : null;
}

describe('panel store', () => {
  it('finds the session from traffic, verifies as secrets are typed, and saves them', async () => {
    const cookie = flaskCookie('right');
    const fake = fakePlatform({ exchanges: [exchange(`${ORIGIN}/login`, [`session=${cookie}; HttpOnly; Path=/`])] });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    let state = store.getState();
    expect(state.inspectedOrigin).toBe(ORIGIN);
    expect(state.settingsLoaded).toBe(true);
    expect(state.hostAccess).toBe('not-granted');
    expect(state.selected).toMatchObject({ name: 'session', source: 'response' });
    expect(verdictOf(store)).toBe('unverified');

    const typed: OriginSettings['secrets'] = [{ value: 'right', encoding: 'text' }];
    store.updateSettings({ secrets: typed });
    state = store.getState();
    expect(state.sessionSettings.secrets).toEqual([{ text: 'right' }]);
    expect(verdictOf(store)).toBe('valid');
    await settle();
    expect((await fake.platform.settings.load(ORIGIN)).secrets).toEqual(typed);

    // What window.__sessionLens shows: everything but the keys.
    const shown = stateWithoutSecrets(store.getState());
    expect(JSON.stringify(shown, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('right');
    expect(shown.settings.secrets).toEqual([{ value: '(hidden)', encoding: 'text' }]);
    expect(shown.analysis).toBe(store.getState().analysis);

    store.updateSettings({ secrets: [{ value: '7269676874', encoding: 'hex' }] }); // "right" in hex
    expect(verdictOf(store)).toBe('valid');
    store.updateSettings({ secrets: [{ value: '7269676875', encoding: 'hex' }] });
    expect(verdictOf(store)).toBe('bad_signature');
  });

  it('keeps a key typed before the stored settings arrive, and saves it', async () => {
    const cookie = flaskCookie('early');
    const fake = fakePlatform({ exchanges: [exchange(`${ORIGIN}/login`, [`session=${cookie}; HttpOnly; Path=/`])] });
    const stored = fake.platform.settings;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.platform.settings = { ...stored, load: async (origin) => (await held, stored.load(origin)) };
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    expect(store.getState().settingsLoaded).toBe(false);
    store.updateSettings({ secrets: [{ value: 'early', encoding: 'text' }] });
    expect(verdictOf(store)).toBe('valid');

    release();
    await settle();
    expect(store.getState().settingsLoaded).toBe(true);
    expect(store.getState().settings.secrets).toEqual([{ value: 'early', encoding: 'text' }]);
    expect(verdictOf(store)).toBe('valid');
    expect((await stored.load(ORIGIN)).secrets).toEqual([{ value: 'early', encoding: 'text' }]);

    // A navigation to another origin starts from that origin's own settings.
    fake.navigate('http://other.test:8000');
    await store.refreshOrigin();
    expect(store.getState().settings.secrets).toEqual([{ value: '', encoding: 'text' }]);
  });

  it('ignores other hosts, lists several candidates and honours the pin', async () => {
    const fake = fakePlatform({
      exchanges: [
        exchange('http://cdn.test/lib.js', ['session=elsewhere']),
        exchange(`${ORIGIN}/`, [`session=${flaskCookie('k')}`, `remember_token=${flaskCookie('k')}`, 'theme=dark']),
      ],
    });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    expect(store.getState().candidates.map((c) => c.name)).toEqual(['session', 'remember_token']);
    expect(siteExchanges(store.getState().exchanges, ORIGIN)).toHaveLength(1);
    store.selectCandidate('remember_token');
    expect(store.getState().selected?.name).toBe('remember_token');
    store.pinCandidate('remember_token');
    store.selectCandidate('session');
    expect(store.getState().selected?.name).toBe('remember_token');
    expect(store.getState().candidates[0]).toMatchObject({ name: 'remember_token', reason: 'pinned' });
    store.pinCandidate(null);
    expect(store.getState().selected?.name).toBe('session');
  });

  it('writes a forged value only when asked, keeping the attributes, and gives back the old cookie for Undo', async () => {
    const cookie = flaskCookie('k');
    const jarCookie: JarCookie = { name: 'session', value: cookie, domain: '127.0.0.1', path: '/app', secure: true, httpOnly: true, sameSite: 'Lax', expirationDate: 2_000_000_000 };
    const fake = fakePlatform({ jar: [jarCookie] });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    expect(await store.writeSessionCookie('session', 'forged')).toBeNull(); // no host access yet
    expect(store.getState().problem).toContain('allow reading cookies');
    expect(fake.written).toEqual([]);
    await store.requestHostAccess();
    const before = await store.writeSessionCookie('session', 'forged');
    expect(before).toEqual(jarCookie);
    expect(fake.written).toEqual([{ ...jarCookie, value: 'forged' }]);
    expect(store.getState().jar.find((c) => c.name === 'session')?.value).toBe('forged');
    expect(await store.writeSessionCookie('session', before!.value)).toMatchObject({ value: 'forged' });
    expect(fake.written.at(-1)).toEqual(jarCookie);
    expect(await store.writeSessionCookie('other', 'x')).toBeNull(); // not in the jar: its attributes are unknown
  });

  it('reads the jar once host access is granted, and follows jar changes', async () => {
    const cookie = flaskCookie('k');
    const jarCookie: JarCookie = { name: 'session', value: cookie, domain: '127.0.0.1', path: '/', secure: false, httpOnly: true };
    const fake = fakePlatform({ jar: [jarCookie] });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    expect(store.getState().candidates).toEqual([]);
    await store.requestHostAccess();
    expect(store.getState().hostAccess).toBe('granted');
    expect(store.getState().selected).toMatchObject({ name: 'session', source: 'jar', attributes: { httpOnly: true } });

    const newer = flaskCookie('k', py.dict([['user', py.str('bob')]]));
    fake.setJar([{ ...jarCookie, value: newer }]);
    const change: JarChange = { seq: 1, at: 0, name: 'session', value: newer, domain: '127.0.0.1', removed: false, cause: 'explicit' };
    fake.jarChange(change);
    await settle();
    expect(store.getState().jarChanges).toEqual([change]);
    expect(store.getState().selected?.value).toBe(newer);
  });

  it('notices access granted elsewhere (permissions.onAdded)', async () => {
    const fake = fakePlatform({ jar: [{ name: 'session', value: flaskCookie('k'), domain: '127.0.0.1', path: '/', secure: false, httpOnly: true }] });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    fake.grantElsewhere();
    await settle();
    expect(store.getState().selected?.source).toBe('jar');
  });

  it('re-reads the origin after a navigation and loads that origin’s settings', async () => {
    const fake = fakePlatform();
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    store.updateSettings({ salt: 'mine' });
    await settle();
    fake.navigate('http://localhost:8000');
    fake.emit([exchange('http://localhost:8000/', [], 'document')]);
    await settle();
    await settle();
    expect(store.getState().inspectedOrigin).toBe('http://localhost:8000');
    expect(store.getState().settings.salt).toBe('');
    fake.navigate(ORIGIN);
    fake.emit([exchange(`${ORIGIN}/`, [], 'document')]);
    await settle();
    await settle();
    expect(store.getState().settings.salt).toBe('mine');
    await store.forgetSettings();
    expect(store.getState().settings.salt).toBe('');
  });

  it('keeps exchanges once each, bounded, with the dropped count', async () => {
    const fake = fakePlatform();
    const store = new PanelStore(fake.platform, { exchangeCapacity: 3 });
    store.start();
    await settle();
    const batch = [1, 2, 3, 4].map(() => exchange(`${ORIGIN}/x`));
    fake.emit(batch.slice(0, 2));
    fake.emit(batch, 1); // a re-delivered backlog
    expect(store.getState().exchanges.map((e) => e.seq)).toEqual(batch.slice(1).map((e) => e.seq));
    expect(store.getState().droppedExchanges).toBe(1);
  });

  it('re-derives the candidates from live traffic at most once per delay, the backlog at once', async () => {
    const fake = fakePlatform({ exchanges: [exchange(`${ORIGIN}/`, [`session=${flaskCookie('k')}`])], deferTimers: true });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    expect(store.getState().candidates.map((c) => c.name)).toEqual(['session']);
    fake.emit([exchange(`${ORIGIN}/a`, [`remember=${flaskCookie('k')}`])]);
    fake.emit([exchange(`${ORIGIN}/b`, [`other=${flaskCookie('k')}`])]);
    expect(store.getState().exchanges).toHaveLength(3);
    expect(store.getState().candidates.map((c) => c.name)).toEqual(['session']);
    fake.runTimers();
    expect(store.getState().candidates.map((c) => c.name)).toEqual(['session', 'other', 'remember']);
  });

  it('derives the candidates and the analysis in tasks of their own, the selection always with its analysis', async () => {
    const fake = fakePlatform({ exchanges: [exchange(`${ORIGIN}/`, [`session=${flaskCookie('k')}`])], deferTasks: true });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    const step = () => {
      fake.runTimers();
      const { candidates, selected, analysis } = store.getState();
      return { candidates: candidates.map((c) => c.name), selected: selected?.name ?? null, verdict: analysis ? verdictOf(store) : null };
    };
    expect(store.getState().exchanges).toHaveLength(1);
    expect(step()).toEqual({ candidates: ['session'], selected: null, verdict: null });
    expect(step()).toEqual({ candidates: ['session'], selected: 'session', verdict: 'unverified' });
    store.updateSettings({ secrets: [{ value: 'k', encoding: 'text' }] });
    expect(verdictOf(store)).toBe('unverified');
    expect(step()).toEqual({ candidates: ['session'], selected: 'session', verdict: 'valid' });
  });

  it('survives hostile cookie values', async () => {
    const hostile = ['', '.', '...', `.${'A'.repeat(5000)}.x.y`, 'e30.AAAAAAAAAAAAAA.x', '"\\"', 'a'.repeat(70_000)];
    const fake = fakePlatform({ exchanges: hostile.map((v, i) => exchange(`${ORIGIN}/`, [`session${i}=${v}`])) });
    const store = new PanelStore(fake.platform);
    store.start();
    await settle();
    store.updateSettings({ cookieNames: hostile.map((_, i) => `session${i}`), secrets: [{ value: 'zz', encoding: 'hex' }] });
    for (const c of store.getState().candidates) {
      store.selectCandidate(c.name);
      const { analysis, sessionSettings, selected } = store.getState();
      expect(() => {
        describeVerdict(analysis!, sessionSettings, NOW * 1000);
        attributeFacts(selected!, NOW * 1000);
        sessionFacts(analysis!, sessionSettings, NOW * 1000);
        if (analysis!.format === 'flask' && analysis!.verification.decoded.payload?.ok) payloadRows(analysis!.verification.decoded.payload.value.value, new Set());
      }).not.toThrow();
    }
  });

  it('gives the timeline the settings in the core’s shape', () => {
    expect(
      toSessionSettings({
        cookieNames: [' sid ', ''],
        pinnedCookie: null,
        secrets: [
          { value: 'new', encoding: 'text' },
          { value: '', encoding: 'text' },
          { value: '00ff', encoding: 'hex' },
        ],
        salt: '',
        digest: 'sha256',
        keyDerivation: 'hmac',
        lifetimeSeconds: 60,
        remember: false,
      }),
    ).toEqual({ cookieNames: ['sid'], secrets: [{ text: 'new' }, { hex: '00ff' }], salt: undefined, digest: 'sha256', keyDerivation: 'hmac', lifetimeSeconds: 60 });
  });
});
