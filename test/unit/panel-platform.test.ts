import { describe, expect, it } from 'vitest';
import {
  cookieAppliesToHost,
  createCookieJar,
  hostPermissionPattern,
  toJarChange,
  toJarCookie,
} from '../../src/extension/platform/cookie-jar';
import type { CookieChangeInfoLike, ExtensionApiLike, StorageAreaLike } from '../../src/extension/platform/extension-types';
import {
  createSettingsStore,
  defaultOriginSettings,
  normalizeOriginSettings,
  settingsKey,
  type OriginSettings,
} from '../../src/extension/platform/settings-store';
import { followDevtoolsTheme, themeFromName } from '../../src/extension/platform/theme';

function memoryArea(): StorageAreaLike & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (keys) => Object.fromEntries([keys].flat().filter((k) => data.has(k)).map((k) => [k, structuredClone(data.get(k))])),
    set: async (items) => {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    remove: async (keys) => {
      for (const k of [keys].flat()) data.delete(k);
    },
  };
}

const ORIGIN = 'http://127.0.0.1:5000';
const withSecret = (value: string, remember: boolean): OriginSettings => ({
  ...defaultOriginSettings(),
  secrets: [{ value, encoding: 'text' }],
  remember,
});

describe('settings store', () => {
  it('keeps secrets in storage.session only, unless remembered', async () => {
    const session = memoryArea();
    const local = memoryArea();
    const store = createSettingsStore({ session, local });
    await store.save(ORIGIN, withSecret('s3cret', false));
    expect(session.data.get(settingsKey(ORIGIN))).toMatchObject({ secrets: [{ value: 's3cret', encoding: 'text' }] });
    expect(local.data.size).toBe(0);

    await store.save(ORIGIN, withSecret('s3cret', true));
    expect(local.data.get(settingsKey(ORIGIN))).toMatchObject({ secrets: [{ value: 's3cret' }], remember: true });

    // Unticking "Remember" removes the copy on the device.
    await store.save(ORIGIN, withSecret('s3cret', false));
    expect(local.data.size).toBe(0);
  });

  it('loads this session first, then the remembered copy, then defaults; forget wipes both', async () => {
    const local = memoryArea();
    await createSettingsStore({ session: memoryArea(), local }).save(ORIGIN, withSecret('remembered', true));
    // A new browser session: storage.session is empty, the remembered settings come back.
    const session = memoryArea();
    const store = createSettingsStore({ session, local });
    expect((await store.load(ORIGIN)).secrets[0]!.value).toBe('remembered');
    expect(session.data.has(settingsKey(ORIGIN))).toBe(true);
    expect(await store.load('http://other.test')).toEqual(defaultOriginSettings());

    await store.forget(ORIGIN);
    expect(session.data.size + local.data.size).toBe(0);
    expect(await store.load(ORIGIN)).toEqual(defaultOriginSettings());
  });

  it('applies writes in call order', async () => {
    const session = memoryArea();
    const store = createSettingsStore({ session, local: memoryArea() });
    const writes = ['a', 'ab', 'abc'].map((v) => store.save(ORIGIN, withSecret(v, false)));
    await Promise.all(writes);
    expect((await store.load(ORIGIN)).secrets[0]!.value).toBe('abc');
  });

  it('works without storage.session (settings stay in memory)', async () => {
    const local = memoryArea();
    const store = createSettingsStore({ local });
    await store.save(ORIGIN, withSecret('k', false));
    expect((await store.load(ORIGIN)).secrets[0]!.value).toBe('k');
    expect(local.data.size).toBe(0);
  });

  it('reads damaged records defensively', () => {
    expect(normalizeOriginSettings(null)).toEqual(defaultOriginSettings());
    expect(
      normalizeOriginSettings({
        cookieNames: ['sid', 3],
        pinnedCookie: 7,
        secrets: [{ value: 'ab', encoding: 'hex' }, { value: 1 }, 'x', { value: 'k', encoding: 'rot13' }],
        salt: 5,
        digest: 'sha3',
        keyDerivation: 'concat',
        lifetimeSeconds: -1,
        remember: 'yes',
      }),
    ).toEqual({
      ...defaultOriginSettings(),
      cookieNames: ['sid'],
      secrets: [
        { value: 'ab', encoding: 'hex' },
        { value: 'k', encoding: 'text' },
      ],
      keyDerivation: 'concat',
    });
  });
});

describe('cookie jar', () => {
  it('asks for the host, any port (cookies belong to hosts)', () => {
    expect(hostPermissionPattern('http://127.0.0.1:5000')).toBe('http://127.0.0.1/*');
    expect(hostPermissionPattern('https://app.example.com')).toBe('https://app.example.com/*');
  });

  it('tells which jar cookies are sent to the inspected host', () => {
    expect(cookieAppliesToHost({ domain: '127.0.0.1', hostOnly: true }, '127.0.0.1')).toBe(true);
    expect(cookieAppliesToHost({ domain: '.example.com', hostOnly: false }, 'app.example.com')).toBe(true);
    expect(cookieAppliesToHost({ domain: 'example.com', hostOnly: true }, 'app.example.com')).toBe(false);
    expect(cookieAppliesToHost({ domain: '.example.com' }, 'badexample.com')).toBe(false);
    expect(cookieAppliesToHost({ domain: 'other.test', hostOnly: true }, '127.0.0.1')).toBe(false);
  });

  it("maps chrome.cookies' fields to the core's JarCookie and JarChange", () => {
    const cookie = { name: 'session', value: 'v', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false, httpOnly: true, sameSite: 'lax', session: false, expirationDate: 1800000000.5 };
    expect(toJarCookie(cookie)).toEqual({ name: 'session', value: 'v', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true, sameSite: 'Lax', expirationDate: 1800000000.5, partitioned: false });
    expect(toJarCookie({ ...cookie, sameSite: 'unspecified', session: true, partitionKey: { topLevelSite: 'https://a.test' } })).toEqual({
      name: 'session',
      value: 'v',
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      httpOnly: true,
      partitioned: true,
    });
    expect(toJarChange({ removed: true, cookie, cause: 'expired_overwrite' }, 4, 1000)).toEqual({ seq: 4, at: 1000, name: 'session', value: 'v', domain: '127.0.0.1', removed: true, cause: 'expired_overwrite' });
  });

  it('watches only the inspected host, with increasing seq, and stops', async () => {
    const listeners = new Set<(info: CookieChangeInfoLike) => void>();
    const requested: string[][] = [];
    const api: Pick<ExtensionApiLike, 'cookies' | 'permissions'> = {
      cookies: {
        getAll: async ({ url }) => (url === `${ORIGIN}/` ? [{ name: 'session', value: 'x', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true }] : []),
        set: async () => undefined,
        onChanged: { addListener: (l) => void listeners.add(l), removeListener: (l) => void listeners.delete(l) },
      },
      permissions: {
        contains: async ({ origins }) => origins[0] === 'http://127.0.0.1/*',
        request: async ({ origins }) => {
          requested.push(origins);
          return true;
        },
        onAdded: { addListener() {}, removeListener() {} },
        onRemoved: { addListener() {}, removeListener() {} },
      },
    };
    let clock = 0;
    const jar = createCookieJar(api, () => ++clock);
    expect(await jar.hasHostAccess(ORIGIN)).toBe(true);
    expect(await jar.hasHostAccess('http://localhost:5000')).toBe(false);
    await jar.requestHostAccess(ORIGIN);
    expect(requested).toEqual([['http://127.0.0.1/*']]);
    expect((await jar.read(ORIGIN)).map((c) => c.name)).toEqual(['session']);

    const seen: [number, string][] = [];
    const stop = jar.watch(ORIGIN, (c) => seen.push([c.seq, c.name]));
    const fire = (name: string, domain: string) =>
      listeners.forEach((l) => l({ removed: false, cause: 'explicit', cookie: { name, value: '1', domain, path: '/', secure: false, httpOnly: false } }));
    fire('a', '127.0.0.1');
    fire('elsewhere', 'other.test');
    fire('b', '127.0.0.1');
    stop();
    fire('c', '127.0.0.1');
    expect(seen).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(listeners.size).toBe(0);
  });
});

describe('theme', () => {
  it('maps DevTools theme names', () => {
    expect(themeFromName('dark')).toBe('dark');
    expect(themeFromName('default')).toBe('light');
    expect(themeFromName(undefined)).toBe('light');
  });

  it('sets data-theme and follows changes (Chromium handler or Firefox event)', () => {
    const scope = globalThis as { chrome?: unknown };
    const saved = scope.chrome;
    try {
      let chromiumHandler: ((name: string) => void) | undefined;
      scope.chrome = { devtools: { panels: { themeName: 'dark', setThemeChangeHandler: (h: (name: string) => void) => (chromiumHandler = h) } } };
      const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
      expect(followDevtoolsTheme(root)).toBe('dark');
      expect(root.dataset.theme).toBe('dark');
      chromiumHandler!('default');
      expect(root.dataset.theme).toBe('light');

      let firefoxListener: ((name: string) => void) | undefined;
      scope.chrome = { devtools: { panels: { themeName: 'light', onThemeChanged: { addListener: (l: (name: string) => void) => (firefoxListener = l) } } } };
      expect(followDevtoolsTheme(root)).toBe('light');
      firefoxListener!('dark');
      expect(root.dataset.theme).toBe('dark');

      scope.chrome = undefined; // outside DevTools: light, no error
      expect(followDevtoolsTheme(root)).toBe('light');
    } finally {
      scope.chrome = saved;
    }
  });
});
