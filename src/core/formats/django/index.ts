import type { PyValue } from '../../python/pyvalue';
import type { SessionFormat } from '../types';
import {
  DJANGO_DEFAULTS,
  decodeDjangoCookie,
  detectDjango,
  signDjangoCookie,
  verifyDjangoDecoded,
  type DjangoDecoded,
  type DjangoSignOptions,
  type DjangoVerification,
} from './signed-cookie';

export * from './signed-cookie';

/** Django's signed_cookies session backend: the whole session in a signed cookie (SPEC §4). */
export const djangoFormat = {
  id: 'django',
  label: 'Django session',
  terms: {
    framework: 'Django',
    secretSetting: 'SECRET_KEY',
    fallbackSetting: 'SECRET_KEY_FALLBACKS',
    lifetimeSetting: 'SESSION_COOKIE_AGE',
    cookieSettings: {
      name: 'SESSION_COOKIE_NAME',
      secure: 'SESSION_COOKIE_SECURE',
      httpOnly: 'SESSION_COOKIE_HTTPONLY',
      sameSite: 'SESSION_COOKIE_SAMESITE',
      domain: 'SESSION_COOKIE_DOMAIN',
      path: 'SESSION_COOKIE_PATH',
    },
  },
  defaults: { cookieName: DJANGO_DEFAULTS.cookieName, salt: DJANGO_DEFAULTS.salt, digest: DJANGO_DEFAULTS.digest, keyDerivation: 'django-concat' },
  detect: detectDjango,
  decode: decodeDjangoCookie,
  verify: verifyDjangoDecoded,
  sign: signDjangoCookie,
  describe: (decoded) => (decoded.sessionKey !== null ? 'server-side session key' : decoded.compressed ? 'signed_cookies, zlib-compressed' : 'signed_cookies'),
  payload: (decoded) => (decoded.payload?.ok ? decoded.payload.value.value : null),
  reissueKeys: [],
  notation: 'python',
} as const satisfies SessionFormat<'django', DjangoDecoded, DjangoVerification, PyValue, DjangoSignOptions>;
