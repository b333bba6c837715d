import type { SecretInput } from '../../codec/crypto';
import type { SessionFormat } from '../types';
import {
  EXPRESS_SESSION_DEFAULTS,
  decodeExpressSession,
  detectExpressSession,
  signExpressSessionId,
  verifyExpressSessionDecoded,
  type ExpressSessionDecoded,
  type ExpressSessionVerification,
} from './session-id';

export * from './session-id';

/** The options object of `session({...})`: what the diagnostics name. */
export const EXPRESS_COOKIE_OPTIONS = {
  name: 'name',
  secure: 'cookie.secure',
  httpOnly: 'cookie.httpOnly',
  sameSite: 'cookie.sameSite',
  domain: 'cookie.domain',
  path: 'cookie.path',
};

/** express-session's signed id of a server-side session (SPEC §5). */
export const expressSessionFormat = {
  id: 'express-session',
  label: 'express-session id',
  terms: {
    framework: 'express-session',
    secretSetting: 'secret',
    fallbackSetting: 'the secret array, after the new one',
    lifetimeSetting: 'cookie.maxAge',
    cookieSettings: EXPRESS_COOKIE_OPTIONS,
  },
  defaults: { cookieName: EXPRESS_SESSION_DEFAULTS.cookieName, salt: '', digest: 'sha256', keyDerivation: 'none' },
  detect: detectExpressSession,
  decode: decodeExpressSession,
  verify: verifyExpressSessionDecoded,
  sign: signExpressSessionId,
  describe: () => 'signed id',
  payload: () => null,
  reissueKeys: [],
  notation: 'json',
} as const satisfies SessionFormat<'express-session', ExpressSessionDecoded, ExpressSessionVerification, string, { secret: SecretInput }>;
