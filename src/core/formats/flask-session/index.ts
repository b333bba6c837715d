import { FLASK_TERMS } from '../flask';
import type { SessionFormat } from '../types';
import {
  FLASK_SESSION_DEFAULTS,
  decodeFlaskSessionId,
  detectFlaskSession,
  signFlaskSessionId,
  verifyFlaskSessionDecoded,
  type FlaskSessionDecoded,
  type FlaskSessionOptions,
  type FlaskSessionVerification,
} from './session-id';
import type { SecretInput } from '../../codec/crypto';

export * from './session-id';

/** Flask-Session's server-side sessions: the cookie holds only the id, signed or not (SPEC §3). */
export const flaskSessionFormat = {
  id: 'flask-session',
  label: 'Flask-Session id',
  // Flask's own settings, except that Flask-Session never accepts SECRET_KEY_FALLBACKS.
  terms: { ...FLASK_TERMS, framework: 'Flask-Session', fallbackSetting: null },
  defaults: FLASK_SESSION_DEFAULTS,
  detect: detectFlaskSession,
  decode: decodeFlaskSessionId,
  verify: verifyFlaskSessionDecoded,
  sign: signFlaskSessionId,
  describe: (decoded) => (decoded.signature === null ? 'unsigned' : 'signed'),
  payload: () => null,
  reissueKeys: [],
  notation: 'python',
} as const satisfies SessionFormat<'flask-session', FlaskSessionDecoded, FlaskSessionVerification, string, FlaskSessionOptions & { secret: SecretInput }>;
