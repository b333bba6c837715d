import { b64urlDecodePython, b64urlDecodeStrict, toHex, utf8DecodeStrict, utf8Encode } from '../codec/bytes';
import { DIGEST_SIZE, DIGESTS, type DigestName, type KeyDerivation } from '../codec/crypto';
import { SessionLensError, toErrorInfo, type ErrorInfo } from '../errors';
import { FLASK_DEFAULTS, MAX_COOKIE_VALUE_LENGTH, unquoteCookieValue } from '../formats/flask/cookie';
import { FLASK_SESSION_DEFAULTS } from '../formats/flask-session/session-id';
import { BUILT_IN_SECRETS } from './builtin-secrets';
import { CandidateBatch, type Candidate } from './candidates';
import { createTester, type TesterParams } from './kernel';
import { nodeBase64Decode, nodeCookieValue, stripCookieQuotes } from '../codec/node-cookies';
import { COOKIE_SESSION_DEFAULTS, decodeCookieSession, signatureCookieName } from '../formats/cookie-session/session-cookie';
import { DJANGO_DEFAULTS, DJANGO_SESSION_SALT, decodeDjangoCookie } from '../formats/django/signed-cookie';
import { signedPartsOf, wellFormedMac } from '../formats/express-session/session-id';
import { JWT_HMAC_DIGESTS, decodeJwt } from '../formats/jwt/token';

/** The formats whose secret is a plain HMAC key, searched at the kernel's speed (Rails' PBKDF2 is not). */
export type AuditFormat = 'flask' | 'flask-session' | 'django' | 'jwt' | 'express-session' | 'cookie-parser' | 'cookie-session';

export const AUDIT_FORMATS: readonly AuditFormat[] = ['flask', 'flask-session', 'django', 'jwt', 'express-session', 'cookie-parser', 'cookie-session'];

export function isAuditFormat(format: string): format is AuditFormat {
  return (AUDIT_FORMATS as readonly string[]).includes(format);
}

export interface AuditSignerOptions {
  /** `flask` (the signed session cookie, the default), `flask-session` (a signed session id), or another AuditFormat. */
  format?: AuditFormat;
  /** cookie-session: the cookie's name (its MAC covers `name=value`) and its `.sig` cookie. */
  cookieName?: string;
  signatureCookie?: string | null;
  /** Defaults to the format's own: `cookie-session` or `flask-session`. */
  salt?: string | Uint8Array;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
  /** Use the WebAssembly SIMD kernel where the host runs it (default true); false forces the plain-JS kernel. */
  simd?: boolean;
}

export interface Auditor {
  readonly format: AuditFormat;
  /** Index in `candidates` of the first one that signs the cookie, or −1. */
  tryBatch(candidates: CandidateBatch | readonly Candidate[]): number;
}

/**
 * Prepares the search for one cookie: the signed text, the expected
 * signature and the kernel. Throws SessionLensError when the value cannot
 * hold a signature at all.
 */
export function createAuditor(cookie: string, options: AuditSignerOptions = {}): Auditor {
  const format = options.format ?? 'flask';
  if (cookie.length > MAX_COOKIE_VALUE_LENGTH) {
    throw new SessionLensError('ERR_INPUT_TOO_LARGE', `cookie value is ${cookie.length} characters; the limit is ${MAX_COOKIE_VALUE_LENGTH}`);
  }
  const params = format === 'flask' || format === 'flask-session' ? itsdangerousParams(cookie, format, options) : signedTextOf(format, cookie, options);
  if (params.expected.length !== DIGEST_SIZE[params.digest]) {
    const fits = DIGESTS.filter((d) => DIGEST_SIZE[d] === params.expected.length);
    throw new SessionLensError(
      'ERR_SIGNATURE_MISMATCH',
      `the signature is ${params.expected.length} bytes; ${params.digest} gives ${DIGEST_SIZE[params.digest]}${fits.length > 0 ? ` (${fits.join(' or ')} would fit)` : ''}`,
    );
  }
  const tester = createTester(params, { simd: options.simd });
  const scratch = new CandidateBatch();
  return {
    format,
    tryBatch(candidates) {
      if (candidates instanceof CandidateBatch) return tester.search(candidates);
      scratch.clear();
      for (const candidate of candidates) scratch.add(candidate);
      return tester.search(scratch);
    },
  };
}

/** Flask's cookie or a Flask-Session id: itsdangerous' signer over everything before the last `.`. */
function itsdangerousParams(cookie: string, format: 'flask' | 'flask-session', options: AuditSignerOptions): TesterParams {
  const defaults = format === 'flask' ? FLASK_DEFAULTS : FLASK_SESSION_DEFAULTS;
  const salt = options.salt ?? defaults.salt;
  const value = unquoteCookieValue(cookie.trim());
  const dot = value.lastIndexOf('.');
  if (dot < 0) throw new SessionLensError('ERR_COOKIE_STRUCTURE', "no '.' found: the value carries no signature");
  return {
    digest: options.digest ?? defaults.digest,
    keyDerivation: options.keyDerivation ?? defaults.keyDerivation,
    salt: typeof salt === 'string' ? utf8Encode(salt) : salt,
    message: utf8Encode(value.slice(0, dot)),
    expected: readSignature(value.slice(dot + 1)),
  };
}

const NO_SALT = new Uint8Array(0);

/** The signed text and its MAC in the other HMAC formats, read as each framework reads them. */
function signedTextOf(format: Exclude<AuditFormat, 'flask' | 'flask-session'>, cookie: string, options: AuditSignerOptions): TesterParams {
  const structure = (message: string): never => {
    throw new SessionLensError('ERR_COOKIE_STRUCTURE', message);
  };
  switch (format) {
    case 'django': {
      const s = decodeDjangoCookie(cookie).segments ?? structure('not value:timestamp:signature: no signature to check');
      const salt = typeof options.salt === 'string' ? options.salt : DJANGO_SESSION_SALT;
      const expected = b64urlDecodeStrict(s.signature) ?? structure('the signature is not base64url');
      return { digest: options.digest ?? DJANGO_DEFAULTS.digest, keyDerivation: 'django-concat', salt: utf8Encode(salt), message: utf8Encode(`${s.body}:${s.timestamp}`), expected };
    }
    case 'jwt': {
      const d = decodeJwt(cookie);
      const s = d.segments ?? structure('not a JWT: no signature to check');
      const digest = d.alg !== null && Object.hasOwn(JWT_HMAC_DIGESTS, d.alg) ? JWT_HMAC_DIGESTS[d.alg] : undefined;
      if (!digest) structure(`alg ${JSON.stringify(d.alg)} has no shared secret (HS256, HS384 and HS512 do)`);
      const expected = b64urlDecodeStrict(s.signature) ?? structure('the signature is not base64url');
      return { digest: digest!, keyDerivation: 'none', salt: NO_SALT, message: utf8Encode(`${s.header}.${s.payload}`), expected };
    }
    case 'express-session':
    case 'cookie-parser': {
      const parts = signedPartsOf(nodeCookieValue(cookie)) ?? structure('not "s:" value "." signature: no signature to check');
      const expected = wellFormedMac(parts) ? nodeBase64Decode(parts.mac) : structure('the signature is not 43 characters of base64');
      return { digest: 'sha256', keyDerivation: 'none', salt: NO_SALT, message: utf8Encode(parts.value), expected };
    }
    case 'cookie-session': {
      const name = options.cookieName ?? COOKIE_SESSION_DEFAULTS.cookieName;
      if (!options.signatureCookie) throw new SessionLensError('ERR_SIGNATURE_MISSING', `no ${signatureCookieName(name)} cookie: its signature is what the search checks`);
      const { cookie: value } = decodeCookieSession(cookie);
      const sig = stripCookieQuotes(options.signatureCookie);
      const expected = b64urlDecodeStrict(sig) ?? structure(`${signatureCookieName(name)} is not unpadded base64url`);
      return { digest: options.digest ?? COOKIE_SESSION_DEFAULTS.digest, keyDerivation: 'none', salt: NO_SALT, message: utf8Encode(`${name}=${value}`), expected };
    }
  }
}

/** As `Signer.verify_signature` reads it: strict base64url, else Python's lenient decoder. */
function readSignature(segment: string): Uint8Array {
  const strict = b64urlDecodeStrict(segment);
  if (strict) return strict;
  try {
    return b64urlDecodePython(segment);
  } catch (error) {
    throw new SessionLensError('ERR_BASE64', `the signature is not base64: ${(error as Error).message}`);
  }
}

export interface AuditOptions extends AuditSignerOptions {
  /** Try the built-in list of published placeholder secrets first (default true). */
  builtIn?: boolean;
  /** Candidates per kernel call when candidates arrive one by one (default 4096). */
  batchSize?: number;
  /** Called after each batch with the number of candidates tried so far. */
  onProgress?: (tried: number) => void;
}

export interface AuditVerdict {
  format: AuditFormat;
  found: boolean;
  /** The secret as text when its bytes are valid UTF-8, else null (see secretHex). */
  secret: string | null;
  secretHex: string | null;
  /** Where the secret came from. */
  source: 'built-in' | 'candidates' | null;
  /** Position of the secret among everything tried, built-ins first (0-based). */
  candidateIndex: number | null;
  candidatesTried: number;
  /** Set when the value cannot be checked at all (no signature, wrong length for the digest…). */
  reason: ErrorInfo | null;
}

type Source = Iterable<Candidate | CandidateBatch>;

/**
 * Looks for the secret that signs `cookie` among the built-in list and then
 * `candidates` (strings, bytes, or packed batches, consumed lazily). Never throws.
 */
export function auditCookie(cookie: string, candidates: Source, options: AuditOptions = {}): AuditVerdict {
  const run = startRun(cookie, options);
  if ('verdict' in run) return run.verdict;
  if (options.builtIn !== false && run.feed(BUILT_IN_SECRETS, 'built-in')) return run.result();
  for (const item of candidates) if (run.feed(item, 'candidates')) return run.result();
  run.flush();
  return run.result();
}

/** auditCookie over an async source (a wordlist being read); yields to the event loop between batches. */
export async function auditCookieAsync(cookie: string, candidates: AsyncIterable<Candidate | CandidateBatch> | Source, options: AuditOptions = {}): Promise<AuditVerdict> {
  const run = startRun(cookie, options);
  if ('verdict' in run) return run.verdict;
  if (options.builtIn !== false && run.feed(BUILT_IN_SECRETS, 'built-in')) return run.result();
  for await (const item of candidates) if (run.feed(item, 'candidates')) return run.result();
  run.flush();
  return run.result();
}

interface Run {
  /** True once the secret is found. */
  feed(item: Candidate | CandidateBatch | readonly Candidate[], source: 'built-in' | 'candidates'): boolean;
  flush(): void;
  result(): AuditVerdict;
}

function startRun(cookie: string, options: AuditOptions): Run | { verdict: AuditVerdict } {
  const format = options.format ?? 'flask';
  const verdict: AuditVerdict = { format, found: false, secret: null, secretHex: null, source: null, candidateIndex: null, candidatesTried: 0, reason: null };
  let auditor: Auditor;
  try {
    auditor = createAuditor(cookie, options);
  } catch (error) {
    return { verdict: { ...verdict, reason: toErrorInfo(error, 'ERR_COOKIE_STRUCTURE') } };
  }
  const batchSize = Math.max(1, options.batchSize ?? 4096);
  const pending = new CandidateBatch();
  let pendingSource: 'built-in' | 'candidates' = 'candidates';

  const check = (batch: CandidateBatch, source: 'built-in' | 'candidates'): boolean => {
    const hit = auditor.tryBatch(batch);
    if (hit >= 0) {
      const bytes = batch.get(hit);
      let secret: string | null;
      try {
        secret = utf8DecodeStrict(bytes);
      } catch {
        secret = null;
      }
      Object.assign(verdict, { found: true, secret, secretHex: toHex(bytes), source, candidateIndex: verdict.candidatesTried + hit });
      verdict.candidatesTried += hit + 1;
    } else {
      verdict.candidatesTried += batch.count;
    }
    options.onProgress?.(verdict.candidatesTried);
    return hit >= 0;
  };
  const flush = (): boolean => {
    if (pending.count === 0) return false;
    const found = check(pending, pendingSource);
    pending.clear();
    return found;
  };

  return {
    feed(item, source) {
      if (source !== pendingSource && flush()) return true;
      pendingSource = source;
      if (item instanceof CandidateBatch) return flush() || check(item, source);
      if (typeof item === 'string' || item instanceof Uint8Array) {
        pending.add(item);
        return pending.count >= batchSize && flush();
      }
      for (const candidate of item) {
        pending.add(candidate);
        if (pending.count >= batchSize && flush()) return true;
      }
      return flush();
    },
    flush() {
      flush();
    },
    result: () => verdict,
  };
}
