import { DIGESTS, KEY_DERIVATIONS, FLASK_DEFAULTS, type DigestName, type KeyDerivation } from '../../core';
import { extensionApi } from './extension-api';
import type { StorageAreaLike } from './extension-types';

/**
 * Per-origin settings of the Session panel. Everything (secrets included) lives in
 * `storage.session` — memory, for this browser session — unless the user ticks "Remember on
 * this device", which also writes it to `storage.local`. Never `storage.sync`, never logged,
 * never sent anywhere.
 */

export type SecretEncoding = 'text' | 'hex';

export interface SecretEntry {
  value: string;
  /** `text`: UTF-8 as typed (like `SECRET_KEY = "…"`); `hex`: raw bytes (like `os.urandom(24).hex()`). */
  encoding: SecretEncoding;
}

export interface OriginSettings {
  /** Session cookie names (SESSION_COOKIE_NAME); cookies that look like sessions are found as well. */
  cookieNames: string[];
  /** The cookie the user pinned as this origin's session, if any. */
  pinnedCookie: string | null;
  /** SECRET_KEY first, then SECRET_KEY_FALLBACKS. Form rows: values may be empty. */
  secrets: SecretEntry[];
  /** Empty: each format's default salt ("cookie-session", "flask-session"). */
  salt: string;
  digest: DigestName;
  keyDerivation: KeyDerivation;
  /** PERMANENT_SESSION_LIFETIME in seconds (Flask passes it as max_age for every session cookie). */
  lifetimeSeconds: number;
  /** "Remember on this device": also kept in storage.local. */
  remember: boolean;
}

export const DEFAULT_ORIGIN_SETTINGS: Readonly<OriginSettings> = Object.freeze({
  cookieNames: [FLASK_DEFAULTS.cookieName],
  pinnedCookie: null,
  secrets: [{ value: '', encoding: 'text' as const }],
  salt: '',
  digest: FLASK_DEFAULTS.digest,
  keyDerivation: FLASK_DEFAULTS.keyDerivation,
  lifetimeSeconds: FLASK_DEFAULTS.lifetimeSeconds,
  remember: false,
});

export function defaultOriginSettings(): OriginSettings {
  return { ...DEFAULT_ORIGIN_SETTINGS, cookieNames: [...DEFAULT_ORIGIN_SETTINGS.cookieNames], secrets: [{ value: '', encoding: 'text' }] };
}

const MAX_SECRETS = 32;

/** Reads a stored record defensively: anything missing or of the wrong type falls back to the default. */
export function normalizeOriginSettings(raw: unknown): OriginSettings {
  const d = defaultOriginSettings();
  if (typeof raw !== 'object' || raw === null) return d;
  const r = raw as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);
  const secrets = Array.isArray(r.secrets)
    ? r.secrets
        .filter((s): s is { value: string; encoding?: unknown } => typeof s === 'object' && s !== null && typeof (s as { value?: unknown }).value === 'string')
        .slice(0, MAX_SECRETS)
        .map((s): SecretEntry => ({ value: s.value, encoding: s.encoding === 'hex' ? 'hex' : 'text' }))
    : [];
  const lifetime = r.lifetimeSeconds;
  return {
    cookieNames: strings(r.cookieNames) ?? d.cookieNames,
    pinnedCookie: typeof r.pinnedCookie === 'string' ? r.pinnedCookie : null,
    secrets: secrets.length > 0 ? secrets : d.secrets,
    salt: typeof r.salt === 'string' ? r.salt : d.salt,
    digest: typeof r.digest === 'string' && (DIGESTS as readonly string[]).includes(r.digest) ? (r.digest as DigestName) : d.digest,
    keyDerivation:
      typeof r.keyDerivation === 'string' && (KEY_DERIVATIONS as readonly string[]).includes(r.keyDerivation)
        ? (r.keyDerivation as KeyDerivation)
        : d.keyDerivation,
    lifetimeSeconds: typeof lifetime === 'number' && Number.isFinite(lifetime) && lifetime >= 0 ? Math.floor(lifetime) : d.lifetimeSeconds,
    remember: r.remember === true,
  };
}

export interface SettingsStore {
  /** The origin's settings: this browser session's, else the remembered ones, else the defaults. */
  load(origin: string): Promise<OriginSettings>;
  /** Writes to storage.session; to storage.local as well only when `remember` is set (else removes it there). */
  save(origin: string, settings: OriginSettings): Promise<void>;
  /** Wipes the origin's settings from both areas. */
  forget(origin: string): Promise<void>;
}

export function settingsKey(origin: string): string {
  return `sessionLens.settings.${origin}`;
}

/**
 * A settings store over two storage areas. Writes are applied in call order. Without a
 * `session` area (very old browsers) settings stay in the panel's memory unless remembered.
 */
export function createSettingsStore(areas: { session?: StorageAreaLike; local: StorageAreaLike }): SettingsStore {
  const memory = new Map<string, OriginSettings>();
  const session: StorageAreaLike = areas.session ?? {
    get: async (key) => {
      const k = String(key);
      return memory.has(k) ? { [k]: memory.get(k) } : {};
    },
    set: async (items) => {
      for (const [k, v] of Object.entries(items)) memory.set(k, v as OriginSettings);
    },
    remove: async (key) => {
      for (const k of [key].flat()) memory.delete(k);
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T,>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    load: (origin) =>
      serial(async () => {
        const key = settingsKey(origin);
        const inSession = (await session.get(key))[key];
        if (inSession !== undefined) return normalizeOriginSettings(inSession);
        const remembered = (await areas.local.get(key))[key];
        if (remembered === undefined) return defaultOriginSettings();
        const settings = normalizeOriginSettings(remembered);
        await session.set({ [key]: settings });
        return settings;
      }),
    save: (origin, settings) =>
      serial(async () => {
        const key = settingsKey(origin);
        const record = normalizeOriginSettings(settings);
        await session.set({ [key]: record });
        if (record.remember) await areas.local.set({ [key]: record });
        else await areas.local.remove(key);
      }),
    forget: (origin) =>
      serial(async () => {
        const key = settingsKey(origin);
        await session.remove(key);
        await areas.local.remove(key);
      }),
  };
}

/** The settings store on the browser's `storage.session` and `storage.local`. */
export function browserSettingsStore(): SettingsStore {
  const { storage } = extensionApi();
  return createSettingsStore({ session: storage.session, local: storage.local });
}
