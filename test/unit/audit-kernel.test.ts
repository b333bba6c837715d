import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256 } from '@noble/hashes/sha2.js';
import { deriveKey, hmacDigest, keyedMac, DIGESTS, KEY_DERIVATIONS, type DigestName, type KeyDerivation } from '../../src/core/codec/crypto';
import { CandidateBatch } from '../../src/core/audit/candidates';
import { createTester } from '../../src/core/audit/kernel';
import { SHA1, SHA224, SHA256, WordHasher } from '../../src/core/codec/sha';
import { instantiateSimdSha1 } from '../../src/core/audit/simd-sha1';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** Lengths that straddle the padding boundaries of a 64-byte block, and some random ones. */
const boundaryLength = fc.oneof(fc.constantFrom(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129), fc.nat({ max: 200 }));
const bytesOf = (length: fc.Arbitrary<number>) => length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

function wordsToBytes(words: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) view.setInt32(i * 4, words[i]!);
  return out;
}

/** itsdangerous' signature computed by node:crypto (an independent implementation of the same primitives). */
function nodeSignature(digest: DigestName, derivation: KeyDerivation, secret: Uint8Array, salt: Uint8Array, message: Uint8Array): Uint8Array {
  const hash = (...parts: Uint8Array[]) => {
    const h = createHash(digest);
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  const key =
    derivation === 'hmac'
      ? new Uint8Array(createHmac(digest, secret).update(salt).digest())
      : derivation === 'django-concat'
        ? hash(salt, new TextEncoder().encode('signer'), secret)
        : derivation === 'concat'
          ? hash(salt, secret)
          : secret;
  return new Uint8Array(createHmac(digest, key).update(message).digest());
}

describe('word hashers', () => {
  it.each(DIGESTS)('keyedMac(%s) of any key and message matches @noble/hashes and node:crypto, call after call', (digest) => {
    fc.assert(
      fc.property(bytesOf(fc.oneof(boundaryLength, fc.constantFrom(64, 65, 128, 129, 200))), fc.array(bytesOf(boundaryLength), { minLength: 1, maxLength: 3 }), (key, messages) => {
        const mac = keyedMac(digest, key);
        for (const message of messages) {
          const ours = mac(message);
          expect(ours).toEqual(hmacDigest(digest, key, message));
          expect(ours).toEqual(new Uint8Array(createHmac(digest, key).update(message).digest()));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['sha1', SHA1, sha1],
    ['sha224', SHA224, sha224],
    ['sha256', SHA256, sha256],
  ] as const)('%s of any bytes matches @noble/hashes and node:crypto', (name, compressor, noble) => {
    const hasher = new WordHasher(compressor);
    const out = new Int32Array(8);
    fc.assert(
      fc.property(bytesOf(boundaryLength), fc.nat({ max: 8 }), (data, offset) => {
        const padded = new Uint8Array(offset + data.length);
        padded.set(data, offset);
        hasher.hashBytes(padded, offset, padded.length, out);
        const ours = wordsToBytes(out, compressor.digestWords);
        expect(ours).toEqual(noble(data));
        expect(ours).toEqual(new Uint8Array(createHash(name).update(data).digest()));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('secret testers', () => {
  const params = fc.record({
    digest: fc.constantFrom(...DIGESTS),
    keyDerivation: fc.constantFrom(...KEY_DERIVATIONS),
    secret: bytesOf(fc.integer({ min: 1, max: 200 })),
    salt: bytesOf(fc.oneof(fc.constant(14), fc.nat({ max: 130 }))),
    message: bytesOf(boundaryLength),
    simd: fc.boolean(),
  });

  it('accept the secret that signs, by node:crypto and by @noble/hashes, and reject a different one', () => {
    fc.assert(
      fc.property(params, ({ digest, keyDerivation, secret, salt, message, simd }) => {
        const expected = nodeSignature(digest, keyDerivation, secret, salt, message);
        expect(hmacDigest(digest, deriveKey(digest, keyDerivation, secret, salt), message)).toEqual(expected);
        const tester = createTester({ digest, keyDerivation, salt, message, expected }, { simd });
        const framed = new Uint8Array(secret.length + 6);
        framed.set(secret, 3);
        expect(tester.test(framed, 3, 3 + secret.length)).toBe(true);
        const other = secret.slice();
        other[other.length - 1]! ^= 1;
        expect(tester.test(other, 0, other.length)).toBe(false);
        // HMAC pads short keys with zero bytes, so dropping a trailing zero would sign the same.
        if (secret[secret.length - 1] !== 0) expect(tester.test(secret, 0, secret.length - 1)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('find the signing secret anywhere in a batch, lanes and long keys included', () => {
    const batchCase = fc.record({
      candidates: fc.array(bytesOf(fc.oneof(fc.nat({ max: 70 }), fc.constantFrom(0, 64, 65))), { minLength: 1, maxLength: 700 }),
      position: fc.nat(),
      message: bytesOf(boundaryLength),
      simd: fc.boolean(),
    });
    fc.assert(
      fc.property(batchCase, ({ candidates, position, message, simd }) => {
        const salt = new TextEncoder().encode('cookie-session');
        const secret = candidates[position % candidates.length]!;
        const expected = nodeSignature('sha1', 'hmac', secret, salt, message);
        const tester = createTester({ digest: 'sha1', keyDerivation: 'hmac', salt, message, expected }, { simd });
        const batch = new CandidateBatch();
        for (const candidate of candidates) batch.add(candidate);
        const hit = tester.search(batch);
        const first = candidates.findIndex((c) => c.length > 0 && c.length === secret.length && c.every((b, i) => b === secret[i]));
        expect(hit).toBe(first);
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it('the SIMD kernel runs here (Node has WebAssembly SIMD), so the properties above covered it', () => {
    expect(instantiateSimdSha1()).not.toBeNull();
  });
});
