import type { SecretInput } from '../../codec/crypto';
import type { PyValue } from '../../python/pyvalue';
import type { SessionFormat } from '../types';
import {
  decodeCookieParser,
  detectCookieParser,
  signCookieParserValue,
  verifyCookieParserDecoded,
  type CookieParserDecoded,
  type CookieParserVerification,
} from './signed-cookie';

export * from './signed-cookie';

/** A cookie-parser signed cookie: data (not an id) signed with cookie-signature (SPEC §5). */
export const cookieParserFormat = {
  id: 'cookie-parser',
  label: 'cookie-parser signed cookie',
  terms: {
    framework: 'cookie-parser',
    secretSetting: 'cookieParser(secret)',
    fallbackSetting: 'the cookieParser([new, old]) array, after the new one',
    lifetimeSetting: 'maxAge (res.cookie option)',
    cookieSettings: { name: 'the cookie name', secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite', domain: 'domain', path: 'path' },
  },
  // No default name: the app names each cookie it signs.
  defaults: { cookieName: '', salt: '', digest: 'sha256', keyDerivation: 'none' },
  detect: detectCookieParser,
  decode: decodeCookieParser,
  verify: verifyCookieParserDecoded,
  sign: signCookieParserValue,
  describe: (decoded) => (decoded.json ? 'JSON value' : null),
  payload: (decoded) => decoded.value,
  reissueKeys: [],
  notation: 'json',
} as const satisfies SessionFormat<'cookie-parser', CookieParserDecoded, CookieParserVerification, PyValue, { secret: SecretInput }>;
