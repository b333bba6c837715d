/**
 * The slice of the extension namespaces (`chrome.*`, or `browser.*` where only that exists) that
 * the panel uses for settings and the cookie jar, as structural, promise-style types (MV3 Chromium
 * and Firefox both return promises), so unit tests can pass a fake. Types only: the relay and the
 * API lookup both use them without importing each other.
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

/** chrome.cookies.SetDetails, the fields we write. */
export interface CookieSetDetails {
  url: string;
  name: string;
  value: string;
  /** Absent for a host-only cookie. */
  domain?: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: 'no_restriction' | 'lax' | 'strict';
  /** Absent for a browser-session cookie. */
  expirationDate?: number;
}

export interface CookiesLike {
  getAll(details: { url: string }): Promise<BrowserCookieLike[]>;
  set(details: CookieSetDetails): Promise<unknown>;
  onChanged: ExtensionEventLike<(info: CookieChangeInfoLike) => void>;
}

export interface ExtensionApiLike {
  storage: { session?: StorageAreaLike; local: StorageAreaLike };
  permissions: PermissionsLike;
  cookies: CookiesLike;
}
