/**
 * Stable error codes. Internal steps throw `SessionLensError`; the public API
 * catches them and returns typed verdicts that carry `{ code, message }`.
 */
export type ErrorCode =
  | 'ERR_COOKIE_EMPTY'
  | 'ERR_COOKIE_STRUCTURE'
  | 'ERR_BASE64'
  | 'ERR_DECOMPRESS'
  | 'ERR_DECOMPRESS_LIMIT'
  | 'ERR_UTF8'
  | 'ERR_JSON'
  | 'ERR_TAG'
  | 'ERR_TIMESTAMP_MALFORMED'
  | 'ERR_TIMESTAMP_RANGE'
  | 'ERR_SIGNATURE_MISMATCH'
  /** The signature travels in a companion cookie (cookie-session's `.sig`) that did not come. */
  | 'ERR_SIGNATURE_MISSING'
  | 'ERR_NO_SECRET'
  | 'ERR_SECRET_INVALID'
  | 'ERR_OPTION_INVALID'
  | 'ERR_PAYLOAD_INVALID'
  | 'ERR_INPUT_TOO_LARGE'
  /** Decoding or rendering would exceed the work/output budget (amplifying tags, huge renders). */
  | 'ERR_PAYLOAD_TOO_LARGE'
  /** Nested deeper than Flask's JSON loading can recurse (Python's RecursionError → HTTP 500). */
  | 'ERR_NESTING_DEPTH'
  /** JWT: an unsigned (`alg: none`) token; an algorithm that cannot be verified with a shared secret. */
  | 'ERR_JWT_ALG_NONE'
  | 'ERR_JWT_ALG_UNSUPPORTED'
  /** JWT: a time claim that is not a number; the token expired; not valid yet (`nbf`). */
  | 'ERR_JWT_CLAIM'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  /** Django: a timestamp that is not base62; a signature older than SESSION_COOKIE_AGE. */
  | 'ERR_DJANGO_TIMESTAMP'
  | 'ERR_DJANGO_EXPIRED'
  /** Rails: a message whose purpose is another cookie's; a message past its `exp`. */
  | 'ERR_RAILS_PURPOSE'
  | 'ERR_RAILS_EXPIRED';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class SessionLensError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SessionLensError';
    this.code = code;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Converts anything thrown inside the core into an ErrorInfo; unknown throwables keep a generic code. */
export function toErrorInfo(error: unknown, fallback: ErrorCode): ErrorInfo {
  if (error instanceof SessionLensError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message };
}
