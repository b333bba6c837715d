import type { PyValue } from '../../python/pyvalue';
import type { SessionFormat } from '../types';
import {
  RAILS_DEFAULTS,
  decodeRailsCookie,
  detectRails,
  railsProtection,
  signRailsCookie,
  verifyRailsDecoded,
  type RailsDecoded,
  type RailsSignOptions,
  type RailsVerification,
} from './cookie';

export * from './cookie';

/** Rails' encrypted and signed cookies, the CookieStore session among them (SPEC §7). */
export const railsFormat = {
  id: 'rails',
  label: 'Rails cookie',
  terms: {
    framework: 'Rails',
    secretSetting: 'secret_key_base',
    fallbackSetting: 'config.action_dispatch.cookies_rotations',
    lifetimeSetting: 'expire_after (session_store) / expires:',
    cookieSettings: {
      name: 'config.session_store … key:',
      secure: 'config.session_store … secure:',
      httpOnly: 'config.session_store … httponly:',
      sameSite: 'config.session_store … same_site:',
      domain: 'config.session_store … domain:',
      path: 'config.session_store … path:',
    },
  },
  defaults: { cookieName: RAILS_DEFAULTS.cookieName, salt: '', digest: RAILS_DEFAULTS.digest, keyDerivation: 'none' },
  detect: detectRails,
  decode: decodeRailsCookie,
  verify: verifyRailsDecoded,
  sign: signRailsCookie,
  describe: railsProtection,
  payload: (decoded) => (decoded.message?.ok ? decoded.message.value.value : null),
  reissueKeys: [],
  notation: 'json',
} as const satisfies SessionFormat<'rails', RailsDecoded, RailsVerification, PyValue, RailsSignOptions>;
