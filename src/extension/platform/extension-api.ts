/**
 * The slice of the extension namespaces (`chrome.*`, or `browser.*` where only that exists) that
 * the panel uses for settings and the cookie jar. Structural, promise-style (MV3 Chromium and
 * Firefox both return promises), so unit tests can pass a fake.
 */
export interface ExtensionEventLike<L> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
}

export interface StorageAreaLike {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

/** chrome.cookies.Cookie, the fields we read. */
export interface BrowserCookieLike {
  name: string;
  value: string;
  domain: string;
  hostOnly?: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
  session?: boolean;
  expirationDate?: number;
  partitionKey?: object;
}

export interface CookieChangeInfoLike {
  removed: boolean;
  cookie: BrowserCookieLike;
  cause: string;
}

export interface PermissionsLike {
  contains(permissions: { origins: string[] }): Promise<boolean>;
  request(permissions: { origins: string[] }): Promise<boolean>;
  onAdded: ExtensionEventLike<(permissions: { origins?: string[] }) => void>;
  onRemoved: ExtensionEventLike<(permissions: { origins?: string[] }) => void>;
}

export interface CookiesLike {
  getAll(details: { url: string }): Promise<BrowserCookieLike[]>;
  onChanged: ExtensionEventLike<(info: CookieChangeInfoLike) => void>;
}

export interface ExtensionApiLike {
  storage: { session?: StorageAreaLike; local: StorageAreaLike };
  permissions: PermissionsLike;
  cookies: CookiesLike;
}

export function extensionApi(scope: object = globalThis): ExtensionApiLike {
  const g = scope as { chrome?: Partial<ExtensionApiLike>; browser?: Partial<ExtensionApiLike> };
  const api = g.chrome?.storage ? g.chrome : g.browser?.storage ? g.browser : undefined;
  if (!api?.storage || !api.permissions || !api.cookies) {
    throw new Error('Session Lens: the extension APIs (storage, permissions, cookies) are not available in this page.');
  }
  return api as ExtensionApiLike;
}
