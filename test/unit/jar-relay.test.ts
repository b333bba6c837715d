import { describe, expect, it } from 'vitest';
import { createCookieJar } from '../../src/extension/platform/cookie-jar';
import type { BrowserCookieLike, CookieChangeInfoLike, CookieSetDetails, ExtensionEventLike } from '../../src/extension/platform/extension-types';
import { extensionApi } from '../../src/extension/platform/extension-api';
import { GRANT_PAGE, JAR_RELAY_PORT, jarRelayClient, serveJarRelay, type PortLike, type RelayBackgroundApi } from '../../src/extension/platform/jar-relay';

/** An event whose listeners the test can fire. */
function event<L extends (...args: never[]) => void>(): ExtensionEventLike<L> & { fire(...args: Parameters<L>): void; size(): number } {
  const listeners = new Set<L>();
  return {
    addListener: (l) => void listeners.add(l),
    removeListener: (l) => void listeners.delete(l),
    fire: (...args) => {
      for (const l of [...listeners]) l(...args);
    },
    size: () => listeners.size,
  };
}

/** Two connected ends of a runtime port; messages are structured-cloned and delivered asynchronously, as in browsers. */
function portPair(name: string): [PortLike, PortLike] {
  const ends = [0, 1].map(() => ({ onMessage: event<(m: unknown) => void>(), onDisconnect: event<() => void>() }));
  let open = true;
  const make = (self: number): PortLike => ({
    name,
    onMessage: ends[self]!.onMessage,
    onDisconnect: ends[self]!.onDisconnect,
    postMessage(message) {
      if (!open) throw new Error('Attempting to use a disconnected port object');
      const copy = structuredClone(message);
      queueMicrotask(() => open && ends[1 - self]!.onMessage.fire(copy));
    },
    disconnect() {
      if (!open) return;
      open = false;
      queueMicrotask(() => ends[1 - self]!.onDisconnect.fire());
    },
  });
  return [make(0), make(1)];
}

const COOKIE: BrowserCookieLike = { name: 'session', value: 'eyJ1Ijoi.x.y', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false, httpOnly: true, session: true };

function fakeBackground(granted: string[] = []) {
  const onConnect = event<(port: PortLike) => void>();
  const cookieChanged = event<(info: CookieChangeInfoLike) => void>();
  const permissionsAdded = event<(p: { origins?: string[] }) => void>();
  const permissionsRemoved = event<(p: { origins?: string[] }) => void>();
  const windowRemoved = event<(id: number) => void>();
  const opened: string[] = [];
  const removed: number[] = [];
  const written: CookieSetDetails[] = [];
  const api: RelayBackgroundApi = {
    runtime: { onConnect, getURL: (path) => `moz-extension://uuid/${path}` },
    cookies: {
      getAll: async ({ url }) => (granted.some((o) => url.startsWith(o.replace('/*', ''))) ? [COOKIE] : []),
      set: async (details) => void written.push(details),
      onChanged: cookieChanged,
    },
    permissions: {
      contains: async ({ origins }) => origins.every((o) => granted.includes(o)),
      onAdded: permissionsAdded,
      onRemoved: permissionsRemoved,
    },
    windows: {
      create: async ({ url }) => {
        opened.push(url);
        return { id: 7 };
      },
      remove: async (id) => void removed.push(id),
      onRemoved: windowRemoved,
    },
  };
  serveJarRelay(api);
  const ports: PortLike[] = [];
  const serverEnds: PortLike[] = [];
  const connect = ({ name }: { name: string }) => {
    const [client, server] = portPair(name);
    ports.push(client);
    serverEnds.push(server);
    onConnect.fire(server);
    return client;
  };
  const grant = (origin: string) => {
    granted.push(origin);
    permissionsAdded.fire({ origins: [origin] });
  };
  return { api, connect, ports, serverEnds, cookieChanged, permissionsRemoved, windowRemoved, opened, removed, written, grant };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('jar relay (Firefox DevTools pages reach cookies and permissions through the background)', () => {
  it('answers getAll and contains over one port, opened on first use', async () => {
    const bg = fakeBackground(['http://127.0.0.1/*']);
    const jar = createCookieJar(jarRelayClient(bg.connect));
    expect(bg.ports).toHaveLength(0);
    expect(await jar.hasHostAccess('http://127.0.0.1:5000')).toBe(true);
    expect(await jar.hasHostAccess('http://example.test')).toBe(false);
    expect((await jar.read('http://127.0.0.1:5000')).map((c) => [c.name, c.httpOnly])).toEqual([['session', true]]);
    expect(bg.ports.map((p) => p.name)).toEqual([JAR_RELAY_PORT]);
  });

  it('writes a cookie through the relay with its attributes (Domain only when not host-only)', async () => {
    const bg = fakeBackground(['http://127.0.0.1/*']);
    const jar = createCookieJar(jarRelayClient(bg.connect));
    await jar.write('http://127.0.0.1:5000', { name: 'session', value: 'v1', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true, sameSite: 'Lax', expirationDate: 2_000_000_000 });
    await jar.write('https://app.example.test', { name: 'session', value: 'v2', domain: '.example.test', path: '/app', secure: true, httpOnly: false });
    expect(bg.written).toEqual([
      { url: 'http://127.0.0.1:5000/', name: 'session', value: 'v1', path: '/', secure: false, httpOnly: true, sameSite: 'lax', expirationDate: 2_000_000_000 },
      { url: 'https://app.example.test/app', name: 'session', value: 'v2', domain: '.example.test', path: '/app', secure: true, httpOnly: false },
    ]);
  });

  it('relays cookie changes only while the panel watches, filtered to the inspected host by the jar', async () => {
    const bg = fakeBackground();
    const jar = createCookieJar(jarRelayClient(bg.connect));
    const seen: string[] = [];
    const stop = jar.watch('http://127.0.0.1:5000', (change) => seen.push(`${change.name} ${change.cause} removed=${change.removed}`));
    await tick();
    expect(bg.cookieChanged.size()).toBe(1);
    bg.cookieChanged.fire({ removed: true, cause: 'expired', cookie: COOKIE });
    bg.cookieChanged.fire({ removed: false, cause: 'explicit', cookie: { ...COOKIE, domain: 'other.test' } });
    await tick();
    expect(seen).toEqual(['session expired removed=true']);
    stop();
    await tick();
    expect(bg.cookieChanged.size()).toBe(0);
  });

  it('asks through the grant page and answers true once the permission arrives, closing the window', async () => {
    const bg = fakeBackground();
    const client = jarRelayClient(bg.connect);
    const accessChanged: string[] = [];
    createCookieJar(client).onHostAccessChanged(() => accessChanged.push('changed'));
    const answer = client.permissions.request({ origins: ['http://127.0.0.1/*'] });
    await tick();
    expect(bg.opened).toEqual([`moz-extension://uuid/${GRANT_PAGE}?origins=http%3A%2F%2F127.0.0.1%2F*`]);
    bg.grant('http://example.test/*'); // someone else's grant does not answer this request
    bg.grant('http://127.0.0.1/*');
    expect(await answer).toBe(true);
    expect(bg.removed).toEqual([7]);
    expect(accessChanged.length).toBeGreaterThanOrEqual(1);
  });

  it('answers false when the grant window is closed without allowing, and true at once when already granted', async () => {
    const bg = fakeBackground();
    const client = jarRelayClient(bg.connect);
    const answer = client.permissions.request({ origins: ['http://127.0.0.1/*'] });
    await tick();
    bg.windowRemoved.fire(99);
    bg.windowRemoved.fire(7);
    expect(await answer).toBe(false);

    const granted = fakeBackground(['http://127.0.0.1/*']);
    expect(await jarRelayClient(granted.connect).permissions.request({ origins: ['http://127.0.0.1/*'] })).toBe(true);
    expect(granted.opened).toEqual([]);
  });

  it('fails pending calls with a clear error when the background goes away, and reconnects for the next call', async () => {
    const bg = fakeBackground(['http://127.0.0.1/*']);
    const client = jarRelayClient(bg.connect);
    const never = client.permissions.request({ origins: ['http://127.0.0.1:1/*'] });
    await tick();
    bg.serverEnds[0]!.disconnect(); // Firefox unloads the idle background script
    await expect(never).rejects.toThrow('the extension background script went away');
    expect(await client.permissions.contains({ origins: ['http://127.0.0.1/*'] })).toBe(true);
    expect(bg.ports).toHaveLength(2);
  });

  it('keeps watching across a background unload: reconnects and watches again', async () => {
    const bg = fakeBackground();
    const jar = createCookieJar(jarRelayClient(bg.connect));
    const seen: string[] = [];
    jar.watch('http://127.0.0.1:5000', (change) => seen.push(change.cause));
    await tick();
    bg.serverEnds[0]!.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(bg.ports).toHaveLength(2);
    bg.cookieChanged.fire({ removed: true, cause: 'evicted', cookie: COOKIE });
    await tick();
    expect(seen).toEqual(['evicted']);
  });

  it('extensionApi uses the page APIs where they exist and the relay where only storage and runtime do', () => {
    const storage = { local: { get: async () => ({}), set: async () => undefined, remove: async () => undefined } };
    const direct = { storage, permissions: {}, cookies: {} };
    expect(extensionApi({ chrome: direct })).toBe(direct);
    const bg = fakeBackground();
    const relayed = extensionApi({ browser: { storage, runtime: { connect: bg.connect } } });
    expect(relayed.storage).toBe(storage);
    expect(typeof relayed.cookies.getAll).toBe('function');
    expect(() => extensionApi({ chrome: { storage } })).toThrow('neither the cookies API nor runtime messaging');
    expect(() => extensionApi({})).toThrow('storage API is not available');
  });
});
