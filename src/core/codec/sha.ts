/**
 * SHA-1 and SHA-256/224 compression on Int32Array words: HMAC over a message fixed in advance
 * (the weak-secret search: nothing allocated per candidate, the fixed blocks' schedules expanded
 * once per cookie) and HMAC with a key fixed in advance (verification: the keyed inner and outer
 * states computed once per key). The general-purpose hashers spend most of their time allocating.
 */

export interface Compressor {
  readonly iv: Int32Array;
  /** State words (5 or 8); the digest is the first `digestWords` of them. */
  readonly stateWords: number;
  readonly digestWords: number;
  /** Words in an expanded message schedule (80 or 64). */
  readonly scheduleWords: number;
  /** Expands w[o … o+16) in place into the full schedule. */
  expand(w: Int32Array, o: number): void;
  /** Compresses the expanded schedule at w[o …] into state h. */
  rounds(h: Int32Array, w: Int32Array, o: number): void;
}

function sha1Expand(w: Int32Array, o: number): void {
  for (let t = o + 16, end = o + 80; t < end; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
}

// Five rounds per iteration, so the working variables rotate by renaming instead of moving.
function sha1Rounds(h: Int32Array, w: Int32Array, o: number): void {
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let t = o;
  for (const end = o + 20; t < end; t += 5) {
    e = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + w[t]! + 0x5a827999) | 0;
    b = (b << 30) | (b >>> 2);
    d = (((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + d + w[t + 1]! + 0x5a827999) | 0;
    a = (a << 30) | (a >>> 2);
    c = (((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + c + w[t + 2]! + 0x5a827999) | 0;
    e = (e << 30) | (e >>> 2);
    b = (((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + b + w[t + 3]! + 0x5a827999) | 0;
    d = (d << 30) | (d >>> 2);
    a = (((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + a + w[t + 4]! + 0x5a827999) | 0;
    c = (c << 30) | (c >>> 2);
  }
  for (const end = o + 40; t < end; t += 5) {
    e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! + 0x6ed9eba1) | 0;
    b = (b << 30) | (b >>> 2);
    d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + d + w[t + 1]! + 0x6ed9eba1) | 0;
    a = (a << 30) | (a >>> 2);
    c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + c + w[t + 2]! + 0x6ed9eba1) | 0;
    e = (e << 30) | (e >>> 2);
    b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + b + w[t + 3]! + 0x6ed9eba1) | 0;
    d = (d << 30) | (d >>> 2);
    a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + a + w[t + 4]! + 0x6ed9eba1) | 0;
    c = (c << 30) | (c >>> 2);
  }
  for (const end = o + 60; t < end; t += 5) {
    e = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + w[t]! - 0x70e44324) | 0;
    b = (b << 30) | (b >>> 2);
    d = (((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + d + w[t + 1]! - 0x70e44324) | 0;
    a = (a << 30) | (a >>> 2);
    c = (((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + c + w[t + 2]! - 0x70e44324) | 0;
    e = (e << 30) | (e >>> 2);
    b = (((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + b + w[t + 3]! - 0x70e44324) | 0;
    d = (d << 30) | (d >>> 2);
    a = (((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + a + w[t + 4]! - 0x70e44324) | 0;
    c = (c << 30) | (c >>> 2);
  }
  for (const end = o + 80; t < end; t += 5) {
    e = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! - 0x359d3e2a) | 0;
    b = (b << 30) | (b >>> 2);
    d = (((e << 5) | (e >>> 27)) + (a ^ b ^ c) + d + w[t + 1]! - 0x359d3e2a) | 0;
    a = (a << 30) | (a >>> 2);
    c = (((d << 5) | (d >>> 27)) + (e ^ a ^ b) + c + w[t + 2]! - 0x359d3e2a) | 0;
    e = (e << 30) | (e >>> 2);
    b = (((c << 5) | (c >>> 27)) + (d ^ e ^ a) + b + w[t + 3]! - 0x359d3e2a) | 0;
    d = (d << 30) | (d >>> 2);
    a = (((b << 5) | (b >>> 27)) + (c ^ d ^ e) + a + w[t + 4]! - 0x359d3e2a) | 0;
    c = (c << 30) | (c >>> 2);
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256Expand(w: Int32Array, o: number): void {
  for (let t = o + 16, end = o + 64; t < end; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
}

function sha256Rounds(h: Int32Array, w: Int32Array, o: number): void {
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + s1 + (g ^ (e & (f ^ g))) + K256[t]! + w[o + t]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) | (c & (a | b)))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

export const SHA1: Compressor = {
  iv: Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]),
  stateWords: 5,
  digestWords: 5,
  scheduleWords: 80,
  expand: sha1Expand,
  rounds: sha1Rounds,
};

export const SHA256: Compressor = {
  iv: Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]),
  stateWords: 8,
  digestWords: 8,
  scheduleWords: 64,
  expand: sha256Expand,
  rounds: sha256Rounds,
};

export const SHA224: Compressor = {
  iv: Int32Array.from([0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4]),
  stateWords: 8,
  digestWords: 7,
  scheduleWords: 64,
  expand: sha256Expand,
  rounds: sha256Rounds,
};

/** Block size in bytes of both hashes: the HMAC key limit. */
export const BLOCK_BYTES = 64;
const IPAD = 0x36363636;
const OPAD = 0x5c5c5c5c;

/** A message known in advance, padded as the tail of a hash that has already consumed `prefixBytes`, with its schedules expanded. */
export interface FixedMessage {
  schedules: Int32Array;
  blocks: number;
}

/** Hashing and HMAC with one compressor and scratch space owned by this instance. */
export class WordHasher {
  readonly c: Compressor;
  private readonly w: Int32Array;
  private readonly h: Int32Array;
  private readonly innerDigest: Int32Array;
  private readonly scheduleWords: number;

  constructor(c: Compressor) {
    this.c = c;
    this.scheduleWords = c.scheduleWords;
    this.w = new Int32Array(c.scheduleWords);
    this.h = new Int32Array(c.stateWords);
    this.innerDigest = new Int32Array(c.stateWords);
  }

  fixedMessage(message: Uint8Array, prefixBytes: number): FixedMessage {
    const blocks = Math.ceil((message.length + 9) / BLOCK_BYTES);
    const schedules = new Int32Array(blocks * this.scheduleWords);
    const padded = new Uint8Array(blocks * BLOCK_BYTES);
    padded.set(message);
    padded[message.length] = 0x80;
    const bits = (prefixBytes + message.length) * 8;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padded.length - 4, bits >>> 0);
    for (let b = 0; b < blocks; b++) {
      const o = b * this.scheduleWords;
      for (let i = 0; i < 16; i++) schedules[o + i] = view.getInt32(b * BLOCK_BYTES + i * 4);
      this.c.expand(schedules, o);
    }
    return { schedules, blocks };
  }

  /** Hash of data[start … end) into out[0 … digestWords). */
  hashBytes(data: Uint8Array, start: number, end: number, out: Int32Array): void {
    this.hashFrom(this.c.iv, 0, data, start, end, out);
  }

  /**
   * Continues a hash whose state after `prefixBytes` (a multiple of the block size) is `state`,
   * over data[start … end), into out[0 … digestWords). A string is read as one byte per character
   * (the caller makes sure every character is below 256): text needs no copy into bytes first.
   */
  hashFrom(state: Int32Array, prefixBytes: number, data: Uint8Array | string, start: number, end: number, out: Int32Array): void {
    const { w, h, c } = this;
    const text = typeof data === 'string' ? data : null;
    const bytes = typeof data === 'string' ? null : data;
    h.set(state);
    const length = prefixBytes + end - start;
    let p = start;
    for (; end - p >= BLOCK_BYTES; p += BLOCK_BYTES) {
      for (let i = 0, q = p; i < 16; i++, q += 4) {
        w[i] = text
          ? (text.charCodeAt(q) << 24) | (text.charCodeAt(q + 1) << 16) | (text.charCodeAt(q + 2) << 8) | text.charCodeAt(q + 3)
          : (bytes![q]! << 24) | (bytes![q + 1]! << 16) | (bytes![q + 2]! << 8) | bytes![q + 3]!;
      }
      c.expand(w, 0);
      c.rounds(h, w, 0);
    }
    // Tail: the remaining bytes, 0x80, zeros, then the bit length — one or two blocks.
    w.fill(0, 0, 16);
    const rest = end - p;
    for (let i = 0; i < rest; i++) w[i >> 2]! |= (text ? text.charCodeAt(p + i) : bytes![p + i]!) << (24 - 8 * (i & 3));
    w[rest >> 2]! |= 0x80 << (24 - 8 * (rest & 3));
    if (rest >= 56) {
      c.expand(w, 0);
      c.rounds(h, w, 0);
      w.fill(0, 0, 16);
    }
    w[14] = Math.floor(length / 2 ** 29);
    w[15] = length << 3;
    c.expand(w, 0);
    c.rounds(h, w, 0);
    for (let i = 0; i < c.digestWords; i++) out[i] = h[i]!;
  }

  /** The state after one block of `key` (≤ one block, zero-padded) XOR `pad`. */
  keyedState(key: Uint8Array, pad: number): Int32Array {
    const { w, c } = this;
    w.fill(0, 0, 16);
    for (let i = 0; i < key.length; i++) w[i >> 2]! |= key[i]! << (24 - 8 * (i & 3));
    for (let i = 0; i < 16; i++) w[i] = w[i]! ^ pad;
    c.expand(w, 0);
    const state = Int32Array.from(c.iv);
    c.rounds(state, w, 0);
    return state;
  }

  /**
   * HMAC(key, message): `key` holds a key of at most one block as big-endian
   * words, zero-padded to 16; `message` was prepared with a 64-byte prefix.
   */
  hmac(key: Int32Array, message: FixedMessage, out: Int32Array): void {
    const { w, h, c, innerDigest } = this;
    const size = this.scheduleWords;
    for (let i = 0; i < 16; i++) w[i] = key[i]! ^ IPAD;
    c.expand(w, 0);
    h.set(c.iv);
    c.rounds(h, w, 0);
    const schedules = message.schedules;
    for (let b = 0, o = 0; b < message.blocks; b++, o += size) c.rounds(h, schedules, o);
    const digestWords = c.digestWords;
    for (let i = 0; i < digestWords; i++) innerDigest[i] = h[i]!;

    for (let i = 0; i < 16; i++) w[i] = key[i]! ^ OPAD;
    c.expand(w, 0);
    h.set(c.iv);
    c.rounds(h, w, 0);
    for (let i = 0; i < digestWords; i++) w[i] = innerDigest[i]!;
    w[digestWords] = 0x80000000 | 0;
    for (let i = digestWords + 1; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK_BYTES + digestWords * 4) * 8;
    c.expand(w, 0);
    c.rounds(h, w, 0);
    for (let i = 0; i < digestWords; i++) out[i] = h[i]!;
  }
}

/**
 * HMAC with one key, any message: the keyed inner and outer states are computed once, so a
 * message costs its own blocks plus one outer block, and nothing is allocated but the result.
 */
export class KeyedWordHmac {
  private readonly hasher: WordHasher;
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly digest: Int32Array;

  /** `key` longer than a block is hashed first, as HMAC requires. */
  constructor(c: Compressor, key: Uint8Array) {
    this.hasher = new WordHasher(c);
    let block = key;
    if (key.length > BLOCK_BYTES) {
      const words = new Int32Array(c.stateWords);
      this.hasher.hashBytes(key, 0, key.length, words);
      block = wordsToBytes(words, c.digestWords);
    }
    this.inner = this.hasher.keyedState(block, IPAD);
    this.outer = this.hasher.keyedState(block, OPAD);
    this.digest = new Int32Array(c.stateWords);
  }

  /** A string message is one byte per character (each below 256). */
  mac(message: Uint8Array | string): Uint8Array {
    const { hasher, digest } = this;
    const size = hasher.c.digestWords * 4;
    hasher.hashFrom(this.inner, BLOCK_BYTES, message, 0, message.length, digest);
    const innerBytes = wordsToBytes(digest, hasher.c.digestWords);
    hasher.hashFrom(this.outer, BLOCK_BYTES, innerBytes, 0, size, digest);
    return wordsToBytes(digest, hasher.c.digestWords);
  }
}

function wordsToBytes(words: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    const x = words[i]!;
    out[i * 4] = x >>> 24;
    out[i * 4 + 1] = x >>> 16;
    out[i * 4 + 2] = x >>> 8;
    out[i * 4 + 3] = x;
  }
  return out;
}
