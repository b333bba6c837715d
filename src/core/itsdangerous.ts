import { b64urlDecodePython, b64urlDecodeStrict, b64urlEncode, bigUintToBytes, bytesEqual, bytesToBigUint, toHex, utf8Encode } from './bytes';
import { DIGEST_SIZE, deriveKey, keyedMac, secretBytes, type DigestName, type KeyDerivation, type SecretInput } from './crypto';
import { SessionLensError } from './errors';

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
  mac: (message: Uint8Array) => Uint8Array;
}

type Mac = (message: Uint8Array) => Uint8Array;

/**
 * MACs ready for a secret and signer settings, most recently used last: the panel and the
 * Timeline verify thousands of cookies with the same few keys, and deriving costs more than
 * checking. Held in memory only, like the secrets themselves.
 */
const macCache = new Map<string, Mac>();
const MAC_CACHE_ENTRIES = 256;

function cachedMac(params: SignerParams, salt: Uint8Array, secret: Uint8Array): Mac {
  const key = `${params.digest}|${params.keyDerivation}|${toHex(salt)}|${toHex(secret)}`;
  let mac = macCache.get(key);
  if (mac) {
    macCache.delete(key);
  } else {
    mac = keyedMac(params.digest, deriveKey(params.digest, params.keyDerivation, secret, salt));
    if (macCache.size >= MAC_CACHE_ENTRIES) macCache.delete(macCache.keys().next().value!);
  }
  macCache.set(key, mac);
  return mac;
}

export function prepareKeys(secrets: readonly (SecretInput | Uint8Array)[], params: SignerParams): PreparedKey[] {
  const salt = typeof params.salt === 'string' ? utf8Encode(params.salt) : params.salt;
  return secrets.map((secret, index) => {
    const bytes = secretBytes(secret); // checked now: a bad hex secret is an error whether or not its MAC is needed
    // Looked up on first use: a signature of the wrong length never needs any key.
    let mac: Mac | null = null;
    return { index, size: DIGEST_SIZE[params.digest], mac: (message) => (mac ??= cachedMac(params, salt, bytes))(message) };
  });
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
  const message = utf8Encode(signingInput);
  for (const key of keys) {
    if (key.size !== lenient.length) continue;
    if (bytesEqual(key.mac(message), lenient)) {
      return { status: strict ? 'valid' : 'valid_noncanonical', matchedIndex: key.index };
    }
  }
  return { status: 'invalid', matchedIndex: null };
}

export function signatureFor(signingInput: string, key: PreparedKey): string {
  return b64urlEncode(key.mac(utf8Encode(signingInput)));
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
