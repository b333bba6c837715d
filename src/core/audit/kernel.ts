import { bytesEqual, concatBytes, utf8Encode } from '../codec/bytes';
import { deriveKey, hmacDigest, type DigestName, type KeyDerivation } from '../codec/crypto';
import type { CandidateBatch } from './candidates';
import { BLOCK_BYTES, SHA1, SHA224, SHA256, WordHasher, type Compressor, type FixedMessage } from '../codec/sha';
import { EXPECT, GROUP_BYTES, KEYS, SCHEDULE_BYTES, instantiateSimdSha1, type SimdSha1 } from './simd-sha1';

export interface SecretTester {
  /** Whether the candidate secret data[start … end) produces the expected signature. */
  test(data: Uint8Array, start: number, end: number): boolean;
  /** Index of the first non-empty candidate in the batch that does, or −1. */
  search(batch: CandidateBatch): number;
}

function searchEach(tester: SecretTester, batch: CandidateBatch): number {
  const { bytes, ends, count } = batch;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    // Flask refuses to sign with an empty SECRET_KEY, so an empty candidate never counts.
    if (end > start && tester.test(bytes, start, end)) return i;
    start = end;
  }
  return -1;
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

/**
 * SIMD lanes for the Flask default (sha1 + hmac) where WebAssembly SIMD
 * runs, the word kernel for SHA-1 and SHA-2/256 otherwise, @noble/hashes
 * for the other digests.
 */
export function createTester(params: TesterParams, options: { simd?: boolean } = {}): SecretTester {
  const compressor = COMPRESSORS[params.digest];
  if (!compressor) return new NobleTester(params);
  const words = new WordTester(compressor, params);
  if (options.simd === false || params.digest !== 'sha1' || params.keyDerivation !== 'hmac' || params.expected.length !== 20) return words;
  const simd = instantiateSimdSha1();
  return simd ? new SimdSha1Tester(simd, words, params) : words;
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
  readonly hasher: WordHasher;
  readonly salt: FixedMessage;
  readonly message: FixedMessage;
  private readonly derivation: KeyDerivation;
  private readonly digestWords: number;
  private readonly key = new Int32Array(16);
  private readonly out: Int32Array;
  private readonly expected: Int32Array;
  /** False when the signature has another length than this digest's: nothing can match. */
  private readonly matchable: boolean;
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

  search(batch: CandidateBatch): number {
    return searchEach(this, batch);
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

  search(batch: CandidateBatch): number {
    return searchEach(this, batch);
  }

  test(data: Uint8Array, start: number, end: number): boolean {
    const { digest, keyDerivation, salt, message, expected } = this.params;
    const key = deriveKey(digest, keyDerivation, data.subarray(start, end), salt);
    return bytesEqual(hmacDigest(digest, key, message), expected);
  }
}

/** Groups of four candidates per SIMD call. */
const GROUPS_PER_CALL = 128;

/**
 * Four candidates per lane group through the SIMD module, which compares
 * only the first signature word; the word kernel re-checks any group it
 * flags, so a one-in-2³² coincidence is never reported as a find.
 */
class SimdSha1Tester implements SecretTester {
  private readonly simd: SimdSha1;
  private readonly words: WordTester;
  private readonly heap: Int32Array;
  private readonly saltAt: number;
  private readonly messageAt: number;
  private readonly long = new Int32Array(8);

  constructor(simd: SimdSha1, words: WordTester, params: TesterParams) {
    this.simd = simd;
    this.words = words;
    this.saltAt = KEYS + GROUPS_PER_CALL * GROUP_BYTES;
    this.messageAt = this.saltAt + words.salt.blocks * SCHEDULE_BYTES;
    const bytes = this.messageAt + words.message.blocks * SCHEDULE_BYTES;
    const pages = Math.ceil(bytes / 65536) - simd.memory.buffer.byteLength / 65536;
    if (pages > 0) simd.memory.grow(pages);
    this.heap = new Int32Array(simd.memory.buffer);
    splatSchedules(this.heap, this.saltAt, words.salt);
    splatSchedules(this.heap, this.messageAt, words.message);
    const first = new DataView(params.expected.buffer, params.expected.byteOffset).getInt32(0);
    this.heap.fill(first, EXPECT / 4, EXPECT / 4 + 4);
  }

  test(data: Uint8Array, start: number, end: number): boolean {
    return this.words.test(data, start, end);
  }

  search(batch: CandidateBatch): number {
    const { bytes, ends, count } = batch;
    const { heap, words } = this;
    for (let first = 0; first < count; first += GROUPS_PER_CALL * 4) {
      const n = Math.min(count - first, GROUPS_PER_CALL * 4);
      const groups = (n + 3) >> 2;
      for (let k = 0; k < groups * 4; k++) {
        const at = KEYS / 4 + (k >> 2) * 64 + (k & 3);
        for (let i = 0; i < 16; i++) heap[at + i * 4] = 0;
        if (k >= n) continue;
        const start = batch.start(first + k);
        const end = ends[first + k]!;
        if (end - start > BLOCK_BYTES) {
          words.hasher.hashBytes(bytes, start, end, this.long);
          for (let i = 0; i < 5; i++) heap[at + i * 4] = this.long[i]!;
          continue;
        }
        for (let j = 0; j < end - start; j++) heap[at + (j >> 2) * 4]! |= bytes[start + j]! << (24 - 8 * (j & 3));
      }
      for (let g = 0; g < groups; ) {
        const hit = this.simd.run(groups - g, KEYS + g * GROUP_BYTES, this.saltAt, words.salt.blocks, this.messageAt, words.message.blocks);
        if (hit < 0) break;
        g += hit;
        for (let lane = 0; lane < 4; lane++) {
          const index = first + g * 4 + lane;
          if (index >= first + n) break;
          const start = batch.start(index);
          const end = ends[index]!;
          if (end > start && words.test(bytes, start, end)) return index;
        }
        g++;
      }
    }
    return -1;
  }
}

/** Each schedule word copied into all four lanes. */
function splatSchedules(heap: Int32Array, at: number, fixed: FixedMessage): void {
  const { schedules } = fixed;
  for (let t = 0; t < schedules.length; t++) heap.fill(schedules[t]!, at / 4 + t * 4, at / 4 + t * 4 + 4);
}
