import { bytesEqual, concatBytes, utf8Encode } from '../bytes';
import { deriveKey, hmacDigest, type DigestName, type KeyDerivation } from '../crypto';
import { BLOCK_BYTES, SHA1, SHA224, SHA256, WordHasher, type Compressor, type FixedMessage } from './sha';

/** Decides whether one candidate secret, given as a byte range, produces the expected signature. */
export interface SecretTester {
  test(data: Uint8Array, start: number, end: number): boolean;
}

export interface TesterParams {
  digest: DigestName;
  keyDerivation: KeyDerivation;
  salt: Uint8Array;
  /** The signed text (everything before the signature's `.`). */
  message: Uint8Array;
  /** The signature bytes from the cookie. */
  expected: Uint8Array;
}

const COMPRESSORS: Partial<Record<DigestName, Compressor>> = { sha1: SHA1, sha224: SHA224, sha256: SHA256 };

/** The word kernel for SHA-1 and SHA-2/256 digests; @noble/hashes for the rest. */
export function createTester(params: TesterParams): SecretTester {
  const compressor = COMPRESSORS[params.digest];
  return compressor ? new WordTester(compressor, params) : new NobleTester(params);
}

/** Big-endian words of data[start … end) into key[0 … 16), zero-padded; the range is at most one block. */
function loadKeyWords(data: Uint8Array, start: number, end: number, key: Int32Array): void {
  key.fill(0);
  let i = 0;
  const length = end - start;
  for (; i + 4 <= length; i += 4) {
    const p = start + i;
    key[i >> 2] = (data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
  }
  for (; i < length; i++) key[i >> 2]! |= data[start + i]! << (24 - 8 * (i & 3));
}

class WordTester implements SecretTester {
  private readonly hasher: WordHasher;
  private readonly derivation: KeyDerivation;
  private readonly digestWords: number;
  private readonly key = new Int32Array(16);
  private readonly out: Int32Array;
  private readonly expected: Int32Array;
  /** False when the signature has another length than this digest's: nothing can match. */
  private readonly matchable: boolean;
  private readonly salt: FixedMessage;
  private readonly message: FixedMessage;
  /** concat derivations: the hash input is prefix + secret, assembled here. */
  private readonly prefix: Uint8Array;
  private scratch: Uint8Array;

  constructor(c: Compressor, params: TesterParams) {
    this.hasher = new WordHasher(c);
    this.derivation = params.keyDerivation;
    this.digestWords = c.digestWords;
    this.out = new Int32Array(c.stateWords);
    this.salt = this.hasher.fixedMessage(params.salt, BLOCK_BYTES);
    this.message = this.hasher.fixedMessage(params.message, BLOCK_BYTES);
    this.expected = new Int32Array(c.digestWords);
    this.matchable = params.expected.length === c.digestWords * 4;
    const view = new DataView(params.expected.buffer, params.expected.byteOffset, params.expected.byteLength);
    if (this.matchable) for (let i = 0; i < c.digestWords; i++) this.expected[i] = view.getInt32(i * 4);
    this.prefix =
      params.keyDerivation === 'django-concat'
        ? concatBytes(params.salt, utf8Encode('signer'))
        : params.keyDerivation === 'concat'
          ? params.salt
          : new Uint8Array(0);
    this.scratch = new Uint8Array(this.prefix.length + 256);
    this.scratch.set(this.prefix);
  }

  /** The secret as an HMAC key: hashed first when longer than a block. */
  private loadSecret(data: Uint8Array, start: number, end: number): void {
    if (end - start <= BLOCK_BYTES) {
      loadKeyWords(data, start, end, this.key);
      return;
    }
    this.hasher.hashBytes(data, start, end, this.out);
    this.keyFromOut();
  }

  private keyFromOut(): void {
    const { key, out, digestWords } = this;
    for (let i = 0; i < digestWords; i++) key[i] = out[i]!;
    key.fill(0, digestWords);
  }

  test(data: Uint8Array, start: number, end: number): boolean {
    if (!this.matchable) return false;
    switch (this.derivation) {
      case 'hmac':
        this.loadSecret(data, start, end);
        this.hasher.hmac(this.key, this.salt, this.out);
        this.keyFromOut();
        break;
      case 'django-concat':
      case 'concat': {
        const length = this.prefix.length + end - start;
        if (length > this.scratch.length) {
          this.scratch = new Uint8Array(length * 2);
          this.scratch.set(this.prefix);
        }
        for (let i = start, o = this.prefix.length; i < end; i++, o++) this.scratch[o] = data[i]!;
        this.hasher.hashBytes(this.scratch, 0, length, this.out);
        this.keyFromOut();
        break;
      }
      case 'none':
        this.loadSecret(data, start, end);
        break;
    }
    const { out, expected } = this;
    this.hasher.hmac(this.key, this.message, out);
    for (let i = 0; i < this.digestWords; i++) if (out[i] !== expected[i]) return false;
    return true;
  }
}

/** sha384, sha512 and md5: the core's general hashers, correct but allocating per candidate. */
class NobleTester implements SecretTester {
  constructor(private readonly params: TesterParams) {}

  test(data: Uint8Array, start: number, end: number): boolean {
    const { digest, keyDerivation, salt, message, expected } = this.params;
    const key = deriveKey(digest, keyDerivation, data.subarray(start, end), salt);
    return bytesEqual(hmacDigest(digest, key, message), expected);
  }
}
