import type { JarChange, JarCookie } from '../../core';
import { extensionApi } from './extension-api';
import type { BrowserCookieLike, CookieChangeInfoLike, CookieSetDetails, ExtensionApiLike } from './extension-types';

/**
 * The browser's cookie jar for the inspected site, through `cookies` and the optional host
 * permission. Without host access `cookies.getAll` answers `[]` and `onChanged` stays silent,
 * so the panel works from network traffic alone until the user allows access.
 */

/**
 * The optional host permission that covers `origin`'s cookies. Cookies belong to a host, not
 * to a port, so the pattern names the host only (Chromium matches any port then).
 */
export function hostPermissionPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Whether a cookie with this Domain attribute (as the jar reports it) is sent to `hostname`. */
export function cookieAppliesToHost(cookie: Pick<BrowserCookieLike, 'domain' | 'hostOnly'>, hostname: string): boolean {
  const domain = cookie.domain.replace(/^\./, '').toLowerCase();
  const host = hostname.toLowerCase();
  if (domain === host) return true;
  const hostOnly = cookie.hostOnly ?? !cookie.domain.startsWith('.');
  return !hostOnly && host.endsWith(`.${domain}`);
}

/** The attribute's value as a Set-Cookie header writes it → as chrome.cookies names it (it also has `unspecified`). */
const SAME_SITE_NAMES = { None: 'no_restriction', Lax: 'lax', Strict: 'strict' } as const;

export function toJarCookie(cookie: BrowserCookieLike): JarCookie {
  const jar: JarCookie = {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    partitioned: cookie.partitionKey !== undefined,
  };
  const sameSite = (Object.keys(SAME_SITE_NAMES) as (keyof typeof SAME_SITE_NAMES)[]).find((name) => SAME_SITE_NAMES[name] === cookie.sameSite);
  if (sameSite) jar.sameSite = sameSite;
  if (cookie.expirationDate !== undefined && cookie.session !== true) jar.expirationDate = cookie.expirationDate;
  return jar;
}

/** The `cookies.set` call that recreates `cookie` (as `toJarCookie` read it) on `origin`. */
export function toSetDetails(origin: string, cookie: JarCookie): CookieSetDetails {
  const details: CookieSetDetails = {
    url: `${origin}${cookie.path.startsWith('/') ? cookie.path : '/'}`,
    name: cookie.name,
    value: cookie.value,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
  };
  if (cookie.domain.startsWith('.')) details.domain = cookie.domain;
  const sameSite = cookie.sameSite ? SAME_SITE_NAMES[cookie.sameSite as keyof typeof SAME_SITE_NAMES] : undefined;
  if (sameSite) details.sameSite = sameSite;
  if (cookie.expirationDate !== undefined) details.expirationDate = cookie.expirationDate;
  return details;
}

const CAUSES: readonly JarChange['cause'][] = ['evicted', 'expired', 'explicit', 'expired_overwrite', 'overwrite'];

export function toJarChange(info: CookieChangeInfoLike, seq: number, at: number): JarChange {
  const cause = (CAUSES as readonly string[]).includes(info.cause) ? (info.cause as JarChange['cause']) : 'explicit';
  return { seq, at, name: info.cookie.name, value: info.cookie.value, domain: info.cookie.domain, removed: info.removed, cause };
}

export interface CookieJar {
  hasHostAccess(origin: string): Promise<boolean>;
  /**
   * Asks the user for host access to `origin`. Call it straight from a click handler: browsers
   * only show the prompt during a user gesture.
   */
  requestHostAccess(origin: string): Promise<boolean>;
  /** The jar's cookies for the origin's URL (HttpOnly included); `[]` without host access. */
  read(origin: string): Promise<JarCookie[]>;
  /**
   * Writes `cookie` for `origin` with its attributes as given (Domain only when the cookie is
   * not host-only, i.e. its domain starts with a dot). Needs host access.
   */
  write(origin: string, cookie: JarCookie): Promise<void>;
  /** Jar changes of cookies sent to `origin`'s host, with `seq` increasing across calls. */
  watch(origin: string, listener: (change: JarChange) => void): () => void;
  /** Fires when the extension gains or loses host permissions (the prompt, or the browser's settings). */
  onHostAccessChanged(listener: () => void): () => void;
}

export function createCookieJar(api: Pick<ExtensionApiLike, 'cookies' | 'permissions'>, now: () => number = Date.now): CookieJar {
  let seq = 0;
  return {
    hasHostAccess: (origin) => api.permissions.contains({ origins: [hostPermissionPattern(origin)] }),
    requestHostAccess: (origin) => api.permissions.request({ origins: [hostPermissionPattern(origin)] }),
    read: async (origin) => (await api.cookies.getAll({ url: `${origin}/` })).map(toJarCookie),
    write: async (origin, cookie) => {
      await api.cookies.set(toSetDetails(origin, cookie));
    },
    watch(origin, listener) {
      const hostname = new URL(origin).hostname;
      const onChanged = (info: CookieChangeInfoLike) => {
        if (!cookieAppliesToHost(info.cookie, hostname)) return;
        seq += 1;
        listener(toJarChange(info, seq, now()));
      };
      api.cookies.onChanged.addListener(onChanged);
      return () => api.cookies.onChanged.removeListener(onChanged);
    },
    onHostAccessChanged(listener) {
      const handler = () => listener();
      api.permissions.onAdded.addListener(handler);
      api.permissions.onRemoved.addListener(handler);
      return () => {
        api.permissions.onAdded.removeListener(handler);
        api.permissions.onRemoved.removeListener(handler);
      };
    },
  };
}

export function browserCookieJar(): CookieJar {
  return createCookieJar(extensionApi());
}
