import type { PyValue } from '../../python/pyvalue';
import type { SessionFormat } from '../types';
import {
  COOKIE_SESSION_DEFAULTS,
  decodeCookieSession,
  detectCookieSession,
  signCookieSession,
  verifyCookieSessionDecoded,
  type CookieSessionDecoded,
  type CookieSessionSignOptions,
  type CookieSessionVerification,
} from './session-cookie';

export * from './session-cookie';

/** cookie-session: the session in a base64 JSON cookie, signed by its `.sig` companion (SPEC §6). */
export const cookieSessionFormat = {
  id: 'cookie-session',
  label: 'cookie-session',
  terms: {
    framework: 'cookie-session',
    secretSetting: 'keys',
    fallbackSetting: 'keys, after the new key',
    lifetimeSetting: 'maxAge',
    cookieSettings: { name: 'name', secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite', domain: 'domain', path: 'path' },
  },
  defaults: { cookieName: COOKIE_SESSION_DEFAULTS.cookieName, salt: '', digest: COOKIE_SESSION_DEFAULTS.digest, keyDerivation: 'none' },
  detect: detectCookieSession,
  decode: decodeCookieSession,
  verify: verifyCookieSessionDecoded,
  sign: signCookieSession,
  describe: () => null,
  payload: (decoded) => (decoded.payload.ok ? decoded.payload.value : null),
  reissueKeys: [],
  notation: 'json',
} as const satisfies SessionFormat<'cookie-session', CookieSessionDecoded, CookieSessionVerification, PyValue, CookieSessionSignOptions>;
