import type { PyValue } from '../../python/pyvalue';
import type { FrameworkTerms, SessionFormat } from '../types';
import {
  FLASK_DEFAULTS,
  decodeFlaskCookie,
  detectFlask,
  signFlaskCookie,
  verifyFlaskDecoded,
  type FlaskDecoded,
  type FlaskSignOptions,
  type FlaskVerification,
} from './cookie';

export * from './cookie';
export * from './session-times';

export const FLASK_TERMS: FrameworkTerms = {
  framework: 'Flask',
  secretSetting: 'SECRET_KEY',
  fallbackSetting: 'SECRET_KEY_FALLBACKS',
  lifetimeSetting: 'PERMANENT_SESSION_LIFETIME',
  cookieSettings: {
    name: 'SESSION_COOKIE_NAME',
    secure: 'SESSION_COOKIE_SECURE',
    httpOnly: 'SESSION_COOKIE_HTTPONLY',
    sameSite: 'SESSION_COOKIE_SAMESITE',
    domain: 'SESSION_COOKIE_DOMAIN',
    path: 'SESSION_COOKIE_PATH',
  },
};

/** Flask's built-in session: the whole session in an itsdangerous-signed cookie (SPEC §2). */
export const flaskFormat = {
  id: 'flask',
  label: 'Flask signed cookie',
  terms: FLASK_TERMS,
  defaults: FLASK_DEFAULTS,
  detect: detectFlask,
  decode: (value) => decodeFlaskCookie(value),
  verify: verifyFlaskDecoded,
  sign: (payload, options) => {
    const signed = signFlaskCookie(payload, options);
    return signed.ok ? { ok: true, value: signed.value.cookie } : signed;
  },
  describe: (decoded) => (decoded.compressed ? 'zlib-compressed' : null),
  payload: (decoded) => (decoded.payload?.ok ? decoded.payload.value.value : null),
  reissueKeys: [],
  notation: 'python',
} as const satisfies SessionFormat<'flask', FlaskDecoded, FlaskVerification, PyValue, FlaskSignOptions>;
