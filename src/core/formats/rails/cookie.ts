import { cbc, gcm } from '@noble/ciphers/aes.js';
import { b64StdEncode, b64urlDecodeStrict, concatBytes, latin1Decode, toHex, utf8DecodeStrict, utf8Encode } from '../../codec/bytes';
import { hmacDigest, pbkdf2Key, secretBytes, type DigestName, type SecretInput } from '../../codec/crypto';
import { nodeCookieValue } from '../../codec/node-cookies';
import { SessionLensError, toErrorInfo } from '../../errors';
import { parsePythonJsonDocument, writePythonJson } from '../../python/pyjson';
import type { PyValue } from '../../python/pyvalue';
import { MAX_COOKIE_VALUE_LENGTH } from '../flask/cookie';
import type { Detection, Result, VerificationBase, VerifyInput } from '../types';
import { verificationOf } from '../verification';

/**
 * Rails cookies (SPEC §7, §11.7): the CookieStore session and `cookies.encrypted` (AES-256-GCM since
 * 5.2: `b64(ciphertext)--b64(iv)--b64(tag)`), the legacy AES-256-CBC + HMAC form, and
 * `cookies.signed` (`b64(data)--hex(HMAC)`). Keys come from `secret_key_base` by PBKDF2 (1,000
 * iterations; SHA-256 with load_defaults ≥ 7.0, SHA-1 before) with the framework's salts. The
 * message is enveloped with its purpose (`cookie.<name>`) and expiry since 6.0. Marshal-serialized
 * values are recognised and never decoded: they are Ruby objects.
 */

export const RAILS_ITERATIONS = 1000;

export const RAILS_SALTS = {
  authenticatedEncrypted: 'authenticated encrypted cookie',
  encrypted: 'encrypted cookie',
  signedEncrypted: 'signed encrypted cookie',
  signed: 'signed cookie',
};

export type RailsVersion = '6.1' | '7.0' | '7.1';
export const RAILS_VERSIONS: readonly RailsVersion[] = ['6.1', '7.0', '7.1'];

/** The key generator's digest for an app on each version's load_defaults. */
export const RAILS_KEY_DIGEST: Record<RailsVersion, DigestName> = { '6.1': 'sha1', '7.0': 'sha256', '7.1': 'sha256' };

export const RAILS_DEFAULTS = { cookieName: '_app_session', digest: 'sha256' as DigestName };

export type RailsKind = 'encrypted' | 'encrypted-cbc' | 'signed';

export interface RailsMessage {
  /** The value as the app reads it (for the session cookie, the session hash); null when Marshal-serialized. */
  value: PyValue | null;
  serializer: 'json' | 'marshal';
  /** In the `_rails` envelope (Rails ≥ 6.0), with its purpose and expiry. */
  enveloped: boolean;
  purpose: string | null;
  /** `exp` as written (ISO 8601), and in ms since the epoch; null: no expiry in the message. */
  expires: string | null;
  expiresAtMs: number | null;
}

export interface RailsDecoded {
  format: 'rails';
  cookie: string;
  /** Percent-decoded, as Rack hands it to the app. */
  text: string;
  kind: RailsKind | null;
  parts: string[];
  /** The message: readable without a key in a signed cookie; in an encrypted one, filled in by verify. */
  message: Result<RailsMessage> | null;
  /** The key generator's digest that opened it (set by verify). */
  keyDigest: DigestName | null;
}

export interface RailsVerification extends VerificationBase {
  format: 'rails';
  decoded: RailsDecoded;
}

/** Ruby's Base64.strict_decode64: the standard alphabet, padded, nothing else. */
function strictBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || /[-_]/.test(text)) return null;
  const body = text.endsWith('==') ? text.slice(0, -2) : text.endsWith('=') ? text.slice(0, -1) : text;
  if (body.includes('=')) return null;
  return b64urlDecodeStrict(body.replaceAll('+', '-').replaceAll('/', '_'));
}

const MARSHAL = [0x04, 0x08];

function readSerialized(bytes: Uint8Array): Pick<RailsMessage, 'value' | 'serializer'> {
  if (bytes[0] === MARSHAL[0] && bytes[1] === MARSHAL[1]) return { value: null, serializer: 'marshal' };
  return { value: parsePythonJsonDocument(utf8DecodeStrict(bytes)).value, serializer: 'json' };
}

/** The plaintext (or signed data) of a cookie: the `_rails` envelope, or the bare serialized value of older apps. */
function readMessage(bytes: Uint8Array): Result<RailsMessage> {
  try {
    const bare = { enveloped: false, purpose: null, expires: null, expiresAtMs: null };
    if (bytes[0] !== 0x7b) return { ok: true, value: { ...readSerialized(bytes), ...bare } };
    const doc = parsePythonJsonDocument(utf8DecodeStrict(bytes)).value;
    const envelope = doc.type === 'dict' && doc.entries.size === 1 ? doc.entries.get('_rails') : undefined;
    if (envelope?.type !== 'dict') return { ok: true, value: { value: doc, serializer: 'json', ...bare } };
    const message = envelope.entries.get('message');
    const exp = envelope.entries.get('exp');
    const pur = envelope.entries.get('pur');
    const inner = message?.type === 'str' ? strictBase64(message.value) : null;
    if (!inner) throw new SessionLensError('ERR_BASE64', 'the _rails envelope has no base64 message');
    const expires = exp?.type === 'str' ? exp.value : null;
    const expiresAtMs = expires === null ? null : Date.parse(expires);
    return {
      ok: true,
      value: { ...readSerialized(inner), enveloped: true, purpose: pur?.type === 'str' ? pur.value : null, expires, expiresAtMs: Number.isNaN(expiresAtMs) ? null : expiresAtMs },
    };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_JSON') };
  }
}

const ENCRYPTED_SHAPE = /^[A-Za-z0-9+/]+={0,2}--[A-Za-z0-9+/]{16}--[A-Za-z0-9+/]{22}==$/;
const SIGNED_SHAPE = /^[A-Za-z0-9+/]+={0,2}--(?:[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/;
const MAC_DIGEST_BY_HEX_LENGTH: Record<number, DigestName> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' };

/** Reads a Rails cookie without a key: its kind, and a signed cookie's message. Never throws. */
export function decodeRailsCookie(value: string): RailsDecoded {
  const cookie = value.length > MAX_COOKIE_VALUE_LENGTH ? value.slice(0, MAX_COOKIE_VALUE_LENGTH) : value;
  const text = nodeCookieValue(cookie);
  const parts = text.split('--');
  const decoded: RailsDecoded = { format: 'rails', cookie, text, kind: null, parts, message: null, keyDigest: null };
  if (ENCRYPTED_SHAPE.test(text)) return { ...decoded, kind: 'encrypted' };
  if (!SIGNED_SHAPE.test(text)) return decoded;
  const data = strictBase64(parts[0]!);
  if (!data) return decoded;
  // The legacy encryptor signs `b64(ciphertext)--b64(iv)`; a signed cookie, the message itself.
  const inner = data[0] !== 0x7b ? latin1Decode(data) : '';
  if (/^[A-Za-z0-9+/]+={0,2}--[A-Za-z0-9+/]{22}==$/.test(inner)) return { ...decoded, kind: 'encrypted-cbc' };
  return { ...decoded, kind: 'signed', message: readMessage(data) };
}

/** Derived keys, per secret and setting: PBKDF2 costs a millisecond or more, and the Timeline verifies every request. */
const derivedKeys = new Map<string, Uint8Array>();
const MAX_DERIVED_KEYS = 64;

function derive(secret: SecretInput, salt: string, digest: DigestName, length: number): Uint8Array {
  const id = `${digest}\u0000${salt}\u0000${length}\u0000${'text' in secret ? `t${secret.text}` : `h${secret.hex}`}`;
  let key = derivedKeys.get(id);
  if (!key) {
    // secret_key_base is used as text, never hex-decoded (SPEC §11.7).
    key = pbkdf2Key(digest, secretBytes(secret), utf8Encode(salt), RAILS_ITERATIONS, length);
    if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  return key;
}

/** The authenticated plaintext of the cookie with this key, or null when it does not open. */
function open(decoded: RailsDecoded, secret: SecretInput, digest: DigestName): Uint8Array | null {
  const [first, second, third] = decoded.parts;
  if (decoded.kind === 'encrypted') {
    const ct = strictBase64(first!);
    const iv = strictBase64(second!);
    const tag = strictBase64(third!);
    if (!ct || iv?.length !== 12 || tag?.length !== 16) return null;
    try {
      return gcm(derive(secret, RAILS_SALTS.authenticatedEncrypted, digest, 32), iv).decrypt(concatBytes(ct, tag));
    } catch {
      return null;
    }
  }
  const macDigest = MAC_DIGEST_BY_HEX_LENGTH[second!.length]!;
  const salt = decoded.kind === 'signed' ? RAILS_SALTS.signed : RAILS_SALTS.signedEncrypted;
  // MessageVerifier compares the hex text: an upper-case digest fails.
  if (toHex(hmacDigest(macDigest, derive(secret, salt, digest, 64), utf8Encode(first!))) !== second) return null;
  const data = strictBase64(first!);
  if (!data || decoded.kind === 'signed') return data;
  const [ct, iv] = latin1Decode(data).split('--').map(strictBase64);
  if (!ct || iv?.length !== 16) return null;
  try {
    return cbc(derive(secret, RAILS_SALTS.encrypted, digest, 32), iv).decrypt(ct);
  } catch {
    return null;
  }
}

const KIND_TEXT: Record<RailsKind, string> = {
  encrypted: 'AES-256-GCM',
  'encrypted-cbc': 'AES-256-CBC + HMAC',
  signed: 'HMAC',
};

/**
 * Verifies as Rails' cookie jar reads the cookie: each secret_key_base given, with the key
 * generator's digest (`input.digest`; both SHA-256 and SHA-1 when absent), then the purpose
 * (`input.cookieName`) and the expiry. A cookie that fails any of them reads as absent: the
 * session starts empty. Never throws.
 */
export function verifyRailsDecoded(decoded: RailsDecoded, input: VerifyInput): RailsVerification {
  const { notes, result: base } = verificationOf('rails', decoded);
  let opened = decoded;
  const result = (...args: Parameters<typeof base>): RailsVerification => ({ ...base(...args), decoded: opened });
  if (decoded.text === '') return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_EMPTY', message: 'the cookie value is empty' });
  if (!decoded.kind) {
    return result('malformed', 'not_checked', null, { code: 'ERR_COOKIE_STRUCTURE', message: 'neither ciphertext--iv--tag (encrypted) nor data--digest (signed)' });
  }
  const checkMessage = (matched: number | null): RailsVerification => {
    const signature = matched === null ? 'not_checked' : 'valid';
    const message = opened.message;
    if (!message) return result('unverified', 'not_checked', null, null);
    if (!message.ok) {
      return result(message.error.code === 'ERR_PAYLOAD_TOO_LARGE' ? 'too_large' : matched === null ? 'malformed' : 'bad_payload', signature, matched, message.error);
    }
    const m = message.value;
    if (m.serializer === 'marshal') notes.push('Marshal-serialized (cookies_serializer :marshal or :hybrid): Ruby objects, not decoded here');
    if (m.enveloped && m.purpose !== null) {
      const expected = input.cookieName === undefined ? null : `cookie.${input.cookieName}`;
      if (expected === null) notes.push(`its purpose is ${m.purpose}: Rails reads it only under that cookie name`);
      else if (m.purpose !== expected) {
        return result('bad_signature', signature, matched, { code: 'ERR_RAILS_PURPOSE', message: `its purpose is ${m.purpose}, not ${expected}: Rails reads it as absent` });
      }
    }
    const now = input.now ?? Math.floor(Date.now() / 1000);
    if (m.expiresAtMs !== null && now * 1000 >= m.expiresAtMs) {
      return result('expired', signature, matched, { code: 'ERR_RAILS_EXPIRED', message: `expired at ${m.expires} (the message's exp): Rails reads it as absent` });
    }
    return result(matched === null ? 'unverified' : 'valid', signature, matched, null);
  };
  if (input.secrets.length === 0) {
    if (decoded.kind !== 'signed') notes.push(`encrypted (${KIND_TEXT[decoded.kind]}): give secret_key_base to read it`);
    return checkMessage(null);
  }
  const digests: DigestName[] = input.digest ? [input.digest] : ['sha256', 'sha1'];
  try {
    for (let i = 0; i < input.secrets.length; i++) {
      for (const digest of digests) {
        const plain = open(decoded, input.secrets[i]!, digest);
        if (!plain) continue;
        opened = { ...decoded, message: readMessage(plain), keyDigest: digest };
        if (input.digest === undefined) {
          notes.push(digest === 'sha1' ? 'keys derived with PBKDF2-HMAC-SHA1: an app on load_defaults before 7.0 (Rails 6.1)' : 'keys derived with PBKDF2-HMAC-SHA256 (load_defaults 7.0 and later)');
        }
        return checkMessage(i);
      }
    }
  } catch (error) {
    return result('malformed', 'not_checked', null, toErrorInfo(error, 'ERR_SECRET_INVALID'));
  }
  return result('bad_signature', 'invalid', null, {
    code: 'ERR_SIGNATURE_MISMATCH',
    message: `${decoded.kind === 'signed' ? 'the HMAC does not match' : 'it does not decrypt'} with ${input.secrets.length === 1 ? 'this secret_key_base' : `any of the ${input.secrets.length} secret_key_base values`}: Rails reads it as absent`,
  });
}

export interface RailsSignOptions {
  secret: SecretInput;
  /** The cookie's name: the message's purpose is `cookie.<name>`. */
  cookieName: string;
  /** The key generator's digest (RAILS_KEY_DIGEST of the app's load_defaults); SHA-256 by default. */
  digest?: DigestName;
  /** `encrypted` (the session cookie, cookies.encrypted) or `signed` (cookies.signed). */
  kind?: 'encrypted' | 'signed';
  /** 12 random bytes (encrypted only): the caller's, so that the core stays free of platform APIs. */
  iv?: Uint8Array;
  /** ISO 8601 with milliseconds, as Rails writes `exp`; null: no expiry. */
  expires?: string | null;
}

/** A cookie as Rails' jar writes it, percent-encoded as Rack sends it. */
export function signRailsCookie(value: PyValue, options: RailsSignOptions): Result<string> {
  try {
    const serialized = writePythonJson(value, { sortKeys: false, ensureAscii: false });
    const envelope = `{"_rails":{"message":${JSON.stringify(b64StdEncode(utf8Encode(serialized)))},"exp":${options.expires ? JSON.stringify(options.expires) : 'null'},"pur":${JSON.stringify(`cookie.${options.cookieName}`)}}}`;
    const digest = options.digest ?? RAILS_DEFAULTS.digest;
    let text: string;
    if ((options.kind ?? 'encrypted') === 'encrypted') {
      if (options.iv?.length !== 12) throw new SessionLensError('ERR_OPTION_INVALID', 'an encrypted Rails cookie needs a 12-byte random IV');
      const sealed = gcm(derive(options.secret, RAILS_SALTS.authenticatedEncrypted, digest, 32), options.iv).encrypt(utf8Encode(envelope));
      text = [sealed.subarray(0, -16), options.iv, sealed.subarray(-16)].map(b64StdEncode).join('--');
    } else {
      const data = b64StdEncode(utf8Encode(envelope));
      text = `${data}--${toHex(hmacDigest('sha1', derive(options.secret, RAILS_SALTS.signed, digest, 64), utf8Encode(data)))}`;
    }
    return { ok: true, value: encodeURIComponent(text) };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, 'ERR_PAYLOAD_INVALID') };
  }
}

/** ciphertext--iv--tag (the session cookie, cookies.encrypted) or data--hex digest (cookies.signed, legacy CBC). */
export function detectRails(name: string, value: string): Detection<'rails'> | null {
  if (value.length > MAX_COOKIE_VALUE_LENGTH) return null;
  const decoded = decodeRailsCookie(value);
  if (!decoded.kind) return null;
  const reasons = [
    decoded.kind === 'encrypted'
      ? 'ciphertext--iv--tag in base64, a 12-byte IV and a 16-byte tag (AES-256-GCM)'
      : decoded.kind === 'encrypted-cbc'
        ? 'base64(ciphertext--iv)--HMAC (legacy AES-256-CBC)'
        : 'base64 data--hex HMAC (cookies.signed)',
  ];
  const sessionName = /^_[A-Za-z0-9_]+_session$/.test(name);
  if (sessionName) reasons.push('named like a Rails session cookie (_<app>_session)');
  const readable = decoded.kind !== 'signed' || decoded.message?.ok === true;
  return { format: 'rails', confidence: readable ? 'high' : 'medium', reasons };
}

/** For display: what protects the cookie. */
export function railsProtection(decoded: RailsDecoded): string | null {
  return decoded.kind ? KIND_TEXT[decoded.kind] : null;
}
