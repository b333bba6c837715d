import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeflateWalkError, deflateStreamEnd } from '../../src/core/codec/deflate-end';
import { inflateZlib } from '../../src/core/codec/zlib';

/** How many input bytes Node's zlib consumes before the stream ends (the reference). */
function zlibStreamEnd(raw: Uint8Array): number {
  // With `info`, Node returns the engine too (its typings omit that overload).
  const { engine } = inflateRawSync(raw, { info: true }) as unknown as { engine: { bytesWritten: number } };
  return engine.bytesWritten;
}

const text = fc.oneof(
  fc.string({ maxLength: 3000 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '{', '"', ' '), maxLength: 20_000 }),
  fc.uint8Array({ maxLength: 5000 }).map((bytes) => String.fromCharCode(...bytes)),
);
const STRATEGIES = [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FILTERED];

describe('deflateStreamEnd', () => {
  it('finds where Node zlib stops reading, for every level and strategy, with bytes after the stream', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 9 }), fc.constantFrom(...STRATEGIES), fc.uint8Array({ maxLength: 12 }), (input, level, strategy, trailing) => {
        const stream = deflateRawSync(Buffer.from(input, 'latin1'), { level, strategy });
        const raw = new Uint8Array([...stream, ...trailing]);
        expect(deflateStreamEnd(raw)).toBe(zlibStreamEnd(raw));
        expect(deflateStreamEnd(raw)).toBe(stream.length);
      }),
      { numRuns: 300 },
    );
  });

  it('walks stored blocks (level 0) and streams of several blocks', () => {
    const big = Buffer.alloc(200_000, 'xyz');
    for (const level of [0, 1, 9]) {
      const stream = deflateRawSync(big, { level });
      expect(deflateStreamEnd(new Uint8Array([...stream, 9, 9, 9]))).toBe(stream.length);
    }
  });

  it('refuses truncated and broken streams without throwing anything else', () => {
    const stream = deflateRawSync(Buffer.from('hello hello hello hello'.repeat(20)));
    expect(() => deflateStreamEnd(stream.subarray(0, stream.length - 2))).toThrow(DeflateWalkError);
    expect(() => deflateStreamEnd(new Uint8Array([0x07]))).toThrow(DeflateWalkError); // block type 3
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          deflateStreamEnd(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DeflateWalkError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lets inflateZlib find the checksum after a stream followed by bytes, as Python does', () => {
    const payload = Buffer.from(`[${'0,'.repeat(100_000)}0]`);
    const stream = deflateRawSync(payload);
    const adler = Buffer.alloc(4);
    let a = 1;
    let b = 0;
    for (const byte of payload) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    adler.writeUInt32BE(((b << 16) | a) >>> 0);
    const zlib = new Uint8Array([0x78, 0x9c, ...stream, ...adler, 0xde, 0xad]);
    expect(Buffer.from(inflateZlib(zlib)).equals(payload)).toBe(true);
    zlib[zlib.length - 3]! ^= 1; // the checksum's last byte
    expect(() => inflateZlib(zlib)).toThrow(/incorrect data check/);
  });
});
