import type { PyValue } from '../../python/pyvalue';
import type { SessionFormat } from '../types';
import { JWT_DEFAULTS, decodeJwt, detectJwt, signJwt, verifyJwtDecoded, type JwtDecoded, type JwtSignOptions, type JwtVerification } from './token';

export * from './token';

/** A JWT (HS256/384/512) as the session cookie, as Express apps set one with jsonwebtoken (SPEC §8). */
export const jwtFormat = {
  id: 'jwt',
  label: 'JWT',
  terms: {
    framework: 'jsonwebtoken',
    secretSetting: 'the secret given to jwt.sign / jwt.verify',
    fallbackSetting: null,
    lifetimeSetting: 'expiresIn (the exp claim)',
    // The cookie is set by the app, e.g. Express's res.cookie(name, token, options).
    cookieSettings: { name: 'the cookie name', secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite', domain: 'domain', path: 'path' },
  },
  defaults: { cookieName: JWT_DEFAULTS.cookieName, salt: '', digest: 'sha256', keyDerivation: 'none' },
  detect: detectJwt,
  decode: decodeJwt,
  verify: verifyJwtDecoded,
  sign: signJwt,
  describe: (decoded) => decoded.alg,
  payload: (decoded) => decoded.payload,
  reissueKeys: ['iat', 'exp', 'nbf', 'jti'],
  notation: 'json',
} as const satisfies SessionFormat<'jwt', JwtDecoded, JwtVerification, PyValue, JwtSignOptions>;
