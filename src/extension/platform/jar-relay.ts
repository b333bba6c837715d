import type { BrowserCookieLike, CookieChangeInfoLike, CookieSetDetails, CookiesLike, ExtensionEventLike, PermissionsLike } from './extension-types';

/**
 * `cookies` and `permissions` for pages that do not get them. Firefox gives DevTools pages (the
 * devtools page and the panel) only the APIs of content scripts, so there the panel reaches the
 * cookie jar through the background script over a runtime port. Chromium gives the panel both
 * namespaces directly and never opens the port.
 *
 * A background script cannot show the host-permission prompt: browsers only show it during a
 * user gesture in the page that asks. So `request` opens a small extension page (the grant page)
 * whose button asks, and answers when the permission arrives or the page is closed.
 */
export const JAR_RELAY_PORT = 'session-lens:jar-relay';
/** The grant page, relative to the extension root; `?origins=` carries what to ask for. */
export const GRANT_PAGE = 'src/extension/grant/grant.html';
const RECONNECT_MS = 1_000;

type Origins = { origins: string[] };

type JarRelayCall =
  | { op: 'getAll'; url: string }
  | { op: 'set'; details: CookieSetDetails }
  | { op: 'contains'; origins: string[] }
  | { op: 'request'; origins: string[] };

export type JarRelayRequest = (JarRelayCall & { id: number }) | { op: 'watchCookies'; on: boolean };

export type JarRelayMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'cookieChanged'; info: CookieChangeInfoLike }
  | { event: 'permissionsChanged'; added: boolean; permissions: { origins?: string[] } };

/** runtime.Port, the parts used here. */
export interface PortLike {
  readonly name: string;
  postMessage(message: unknown): void;
  onMessage: ExtensionEventLike<(message: unknown) => void>;
  onDisconnect: ExtensionEventLike<() => void>;
  disconnect(): void;
}

/** What the background script needs for the relay. */
export interface RelayBackgroundApi {
  runtime: { onConnect: ExtensionEventLike<(port: PortLike) => void>; getURL(path: string): string };
  cookies: CookiesLike;
  permissions: Omit<PermissionsLike, 'request'>;
  windows: {
    create(options: { url: string; type: 'popup'; width: number; height: number }): Promise<{ id?: number }>;
    remove(windowId: number): Promise<void>;
    onRemoved: ExtensionEventLike<(windowId: number) => void>;
  };
}

function covers(granted: { origins?: string[] }, wanted: string[]): boolean {
  return wanted.every((origin) => granted.origins?.includes(origin));
}

/** Background side: answers relay ports until the extension unloads. */
export function serveJarRelay(api: RelayBackgroundApi): void {
  api.runtime.onConnect.addListener((port) => {
    if (port.name !== JAR_RELAY_PORT) return;
    const stops: (() => void)[] = [];
    const listen = <L>(event: ExtensionEventLike<L>, listener: L) => {
      event.addListener(listener);
      stops.push(() => event.removeListener(listener));
    };
    let stopCookies: (() => void) | undefined;
    const post = (message: JarRelayMessage) => {
      try {
        port.postMessage(message);
      } catch {
        /* the panel went away; onDisconnect cleans up */
      }
    };
    listen(api.permissions.onAdded, (permissions) => post({ event: 'permissionsChanged', added: true, permissions }));
    listen(api.permissions.onRemoved, (permissions) => post({ event: 'permissionsChanged', added: false, permissions }));
    listen(port.onMessage, (raw: unknown) => {
      const message = raw as JarRelayRequest;
      if (message.op === 'watchCookies') {
        stopCookies?.();
        stopCookies = undefined;
        if (message.on) {
          const forward = (info: CookieChangeInfoLike) => post({ event: 'cookieChanged', info });
          api.cookies.onChanged.addListener(forward);
          stopCookies = () => api.cookies.onChanged.removeListener(forward);
        }
        return;
      }
      const answer =
        message.op === 'getAll' ? api.cookies.getAll({ url: message.url })
        : message.op === 'set' ? api.cookies.set(message.details)
        : message.op === 'contains' ? api.permissions.contains({ origins: message.origins })
        : requestThroughGrantPage(api, message.origins);
      answer.then(
        (value) => post({ id: message.id, ok: true, value }),
        (error: unknown) => post({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
    listen(port.onDisconnect, () => {
      stopCookies?.();
      for (const stop of stops.splice(0)) stop();
    });
  });
}

/** Opens the grant page; true once the permission is granted, false if the page is closed first. */
async function requestThroughGrantPage(api: RelayBackgroundApi, origins: string[]): Promise<boolean> {
  if (await api.permissions.contains({ origins })) return true;
  const url = `${api.runtime.getURL(GRANT_PAGE)}?${new URLSearchParams({ origins: origins.join(' ') })}`;
  const win = await api.windows.create({ url, type: 'popup', width: 480, height: 260 });
  return new Promise<boolean>((resolve) => {
    const finish = (granted: boolean) => {
      api.permissions.onAdded.removeListener(onAdded);
      api.windows.onRemoved.removeListener(onRemoved);
      resolve(granted);
    };
    const onAdded = (permissions: { origins?: string[] }) => {
      if (!covers(permissions, origins)) return;
      finish(true);
      if (win.id !== undefined) void api.windows.remove(win.id).catch(() => undefined);
    };
    const onRemoved = (windowId: number) => {
      if (windowId === win.id) finish(false);
    };
    api.permissions.onAdded.addListener(onAdded);
    api.windows.onRemoved.addListener(onRemoved);
  });
}

/** Listeners of one relayed event, with a hook for the first added and the last removed. */
function relayedEvent<L>(onFirst: () => void = () => undefined, onNone: () => void = () => undefined): ExtensionEventLike<L> & { listeners: Set<L> } {
  const listeners = new Set<L>();
  return {
    listeners,
    addListener(listener) {
      listeners.add(listener);
      if (listeners.size === 1) onFirst();
    },
    removeListener(listener) {
      if (listeners.delete(listener) && listeners.size === 0) onNone();
    },
  };
}

/** Panel side: `cookies` and `permissions` answered by the background script over `connect()`'s port. */
export function jarRelayClient(connect: (info: { name: string }) => PortLike): { cookies: CookiesLike; permissions: PermissionsLike } {
  let port: PortLike | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const cookieChanged = relayedEvent<(info: CookieChangeInfoLike) => void>(
    () => (port ? send({ op: 'watchCookies', on: true }) : open()),
    () => port && send({ op: 'watchCookies', on: false }),
  );
  const permissionsAdded = relayedEvent<(permissions: { origins?: string[] }) => void>();
  const permissionsRemoved = relayedEvent<(permissions: { origins?: string[] }) => void>();

  const open = (): PortLike => {
    if (port) return port;
    const opened = connect({ name: JAR_RELAY_PORT });
    opened.onMessage.addListener((raw) => {
      const message = raw as JarRelayMessage;
      if ('event' in message) {
        if (message.event === 'cookieChanged') for (const listener of cookieChanged.listeners) listener(message.info);
        else for (const listener of (message.added ? permissionsAdded : permissionsRemoved).listeners) listener(message.permissions);
        return;
      }
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) call?.resolve(message.value);
      else call?.reject(new Error(message.error));
    });
    opened.onDisconnect.addListener(() => {
      port = undefined;
      for (const call of pending.values()) call.reject(new Error('the extension background script went away'));
      pending.clear();
      // Firefox unloads an idle background script, which closes the port. Come back to keep
      // watching (connecting wakes it); a second later, so a missing background cannot spin.
      if (cookieChanged.listeners.size > 0) setTimeout(() => void (cookieChanged.listeners.size > 0 && !port && open()), RECONNECT_MS);
    });
    port = opened;
    // A new port starts unwatched.
    if (cookieChanged.listeners.size > 0) opened.postMessage({ op: 'watchCookies', on: true } satisfies JarRelayRequest);
    return opened;
  };
  function send(message: JarRelayRequest): void {
    open().postMessage(message);
  }
  const call = <T>(message: JarRelayCall): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      send({ ...message, id });
    });

  return {
    cookies: {
      getAll: (details) => call<BrowserCookieLike[]>({ op: 'getAll', url: details.url }),
      set: (details) => call<unknown>({ op: 'set', details }),
      onChanged: cookieChanged,
    },
    permissions: {
      contains: (permissions: Origins) => call<boolean>({ op: 'contains', origins: permissions.origins }),
      request: (permissions: Origins) => call<boolean>({ op: 'request', origins: permissions.origins }),
      onAdded: permissionsAdded,
      onRemoved: permissionsRemoved,
    },
  };
}
