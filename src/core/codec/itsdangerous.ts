import { b64urlDecodePython, b64urlDecodeStrict, b64urlEncode, bigUintToBytes, bytesEqual, bytesToBigUint, toHex, utf8Encode } from './bytes';
import { DIGEST_SIZE, deriveKey, keyedMac, secretBytes, type DigestName, type KeyDerivation, type SecretInput } from './crypto';
import { SessionLensError } from '../errors';

/** The signing layer under Flask and Flask-Session (SPEC §1). */

export interface SignerParams {
  salt: string | Uint8Array;
  digest: DigestName;
  keyDerivation: KeyDerivation;
}

/** A secret turned into a ready-to-use MAC, remembering its position in the caller's list. */
export interface PreparedKey {
  index: number;
  /** MAC length in bytes: a signature of another length cannot match, whatever the key. */
  size: number;
  /** A string message is text, MACed as its UTF-8 bytes. */
  mac: (message: Uint8Array | string) => Uint8Array;
}

type Mac = PreparedKey['mac'];

/**
 * MACs ready for a secret and signer settings, most recently used last: the panel and the
 * Timeline verify thousands of cookies with the same few keys, and deriving costs more than
 * checking. Held in memory only, like the secrets themselves.
 */
const macCache = new Map<string, Mac>();
const MAC_CACHE_ENTRIES = 256;

/** A cache key naming the secret as given: text keeps its own characters, bytes their hex (no encoding per call). */
function secretCacheKey(secret: SecretInput | Uint8Array): string {
  if (secret instanceof Uint8Array) return `x${toHex(secret)}`;
  return 'text' in secret ? `t${secret.text}` : `h${secret.hex}`;
}

function cachedMac(params: SignerParams, secret: SecretInput | Uint8Array): Mac {
  const salt = params.salt;
  const key = `${params.digest}|${params.keyDerivation}|${typeof salt === 'string' ? `t${salt.length}:${salt}` : `x${toHex(salt)}`}|${secretCacheKey(secret)}`;
  let mac = macCache.get(key);
  if (mac) {
    macCache.delete(key);
  } else {
    const saltBytes = typeof salt === 'string' ? utf8Encode(salt) : salt;
    mac = keyedMac(params.digest, deriveKey(params.digest, params.keyDerivation, secretBytes(secret), saltBytes));
    if (macCache.size >= MAC_CACHE_ENTRIES) macCache.delete(macCache.keys().next().value!);
  }
  macCache.set(key, mac);
  return mac;
}

interface PreparedList {
  params: SignerParams;
  /** The secrets as they were when prepared: a caller may reuse its array with new contents. */
  secrets: (SecretInput | Uint8Array)[];
  texts: (string | null)[];
  keys: PreparedKey[];
}

/** The keys last prepared for a secrets array: the panel verifies every Timeline cookie with the same list. */
const preparedLists = new WeakMap<readonly (SecretInput | Uint8Array)[], PreparedList>();

function secretText(secret: SecretInput | Uint8Array): string | null {
  return secret instanceof Uint8Array ? null : 'text' in secret ? secret.text : secret.hex;
}

function sameList(list: PreparedList, secrets: readonly (SecretInput | Uint8Array)[], params: SignerParams): boolean {
  if (list.params.salt !== params.salt || list.params.digest !== params.digest || list.params.keyDerivation !== params.keyDerivation) return false;
  if (list.secrets.length !== secrets.length) return false;
  for (let i = 0; i < secrets.length; i++) {
    if (list.secrets[i] !== secrets[i] || list.texts[i] !== secretText(secrets[i]!)) return false;
  }
  return true;
}

export function prepareKeys(secrets: readonly (SecretInput | Uint8Array)[], params: SignerParams): PreparedKey[] {
  const known = preparedLists.get(secrets);
  if (known && sameList(known, secrets, params)) return known.keys;
  const keys = secrets.map((secret, index): PreparedKey => {
    // Checked now: a bad hex secret is an error whether or not its MAC is needed.
    if (!(secret instanceof Uint8Array) && 'hex' in secret) secretBytes(secret);
    // Looked up on first use: a signature of the wrong length never needs any key.
    let mac: Mac | null = null;
    return { index, size: DIGEST_SIZE[params.digest], mac: (message) => (mac ??= cachedMac(params, secret))(message) };
  });
  // Bytes could change in place unseen, so only lists of text and hex secrets with a text salt are kept.
  if (typeof params.salt === 'string' && !secrets.some((secret) => secret instanceof Uint8Array)) {
    preparedLists.set(secrets, { params: { ...params }, secrets: [...secrets], texts: secrets.map(secretText), keys });
  }
  return keys;
}

/**
 * `valid_noncanonical`: the MAC matches only when the signature text is read
 * with Python's lenient base64 (extra padding, stray or non-ASCII characters,
 * non-zero unused bits) — Flask accepts it, a strict decoder would not.
 */
export type SignatureStatus = 'valid' | 'valid_noncanonical' | 'invalid';

export interface SignatureCheck {
  status: SignatureStatus;
  /** Index (in the caller's secret list) of the first secret that verifies, or null. */
  matchedIndex: number | null;
}

/** Checks `signatureSegment` against `signingInput` for every key, as `Signer.verify_signature` does. */
export function checkSignature(signingInput: string, signatureSegment: string, keys: readonly PreparedKey[]): SignatureCheck {
  const strict = b64urlDecodeStrict(signatureSegment);
  let lenient: Uint8Array | null = strict;
  if (!strict) {
    try {
      lenient = b64urlDecodePython(signatureSegment);
    } catch {
      lenient = null; // itsdangerous: an undecodable signature is simply not valid
    }
  }
  if (!lenient) return { status: 'invalid', matchedIndex: null };
  for (const key of keys) {
    if (key.size !== lenient.length) continue;
    if (bytesEqual(key.mac(signingInput), lenient)) {
      return { status: strict ? 'valid' : 'valid_noncanonical', matchedIndex: key.index };
    }
  }
  return { status: 'invalid', matchedIndex: null };
}

export function signatureFor(signingInput: string, key: PreparedKey): string {
  return b64urlEncode(key.mac(signingInput));
}

/** itsdangerous reads at most 8 timestamp bytes (struct ">Q"). */
const MAX_TIMESTAMP_BYTES = 8;

/** Reads a timestamp segment; throws ERR_TIMESTAMP_MALFORMED where itsdangerous reports "Malformed timestamp". */
export function decodeTimestamp(segment: string): bigint {
  let bytes: Uint8Array;
  try {
    bytes = b64urlDecodePython(segment);
  } catch (error) {
    throw new SessionLensError('ERR_TIMESTAMP_MALFORMED', `timestamp segment is not base64: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_TIMESTAMP_BYTES) {
    throw new SessionLensError('ERR_TIMESTAMP_MALFORMED', `timestamp is ${bytes.length} bytes long; itsdangerous reads at most ${MAX_TIMESTAMP_BYTES}`);
  }
  return bytesToBigUint(bytes);
}

export function encodeTimestamp(seconds: number | bigint): string {
  const value = BigInt(seconds);
  if (value < 0n || value >= 1n << 64n) {
    throw new SessionLensError('ERR_OPTION_INVALID', `timestamp ${value} is outside 0 … 2^64−1`);
  }
  return b64urlEncode(bigUintToBytes(value));
}

/** Unix time of itsdangerous 0.x's epoch (2011-01-01T00:00:00Z); 0.x timestamps count from here. */
export const LEGACY_EPOCH = 1293840000;
