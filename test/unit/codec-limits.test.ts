import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFlaskCookie, detectFormats, MAX_COOKIE_VALUE_LENGTH, signFlaskCookie, verifyFlaskCookie } from '../../src/core';
import { b64urlEncode } from '../../src/core/codec/bytes';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, inflateZlib } from '../../src/core/codec/zlib';
import { parsePythonJson } from '../../src/core/python/pyjson';

describe('limits: hostile cookies get a clear error, quickly', () => {
  it('a zlib bomb stops at the decompression cap with ERR_DECOMPRESS_LIMIT', () => {
    const bomb = deflateSync(Buffer.alloc(30 * 1024 * 1024, 0x20));
    const cookie = `.${b64urlEncode(bomb)}.ZVPxAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const decoded = decodeFlaskCookie(cookie);
    expect(decoded.payload).toMatchObject({ ok: false, error: { code: 'ERR_DECOMPRESS_LIMIT' } });
    expect(decoded.payload?.ok === false && decoded.payload.error.message).toMatch(/exceeds 1048576 bytes/);
  });

  it('the cap is configurable', () => {
    const signed = signFlaskCookie({ type: 'dict', entries: new Map([['data', { type: 'str', value: 'x'.repeat(5000) }]]) }, { secret: { text: 'k' } });
    if (!signed.ok) throw new Error('sign failed');
    expect(decodeFlaskCookie(signed.value.cookie, { maxDecompressedBytes: 1000 }).payload?.ok).toBe(false);
    expect(decodeFlaskCookie(signed.value.cookie, { maxDecompressedBytes: 10000 }).payload?.ok).toBe(true);
  });

  it('zlib data Python rejects is rejected with its message; trailing bytes after the checksum are ignored as Python does', () => {
    const good = deflateSync(Buffer.from('{"a":1}'));
    expect(new TextDecoder().decode(inflateZlib(Buffer.concat([good, Buffer.from('junk')])))).toBe('{"a":1}');
    const badCheck = Buffer.from(good);
    badCheck[badCheck.length - 1]! ^= 1;
    expect(() => inflateZlib(badCheck)).toThrow(/incorrect data check/);
    expect(() => inflateZlib(good.subarray(0, good.length - 2))).toThrow(/incomplete or truncated stream/);
    expect(() => inflateZlib(Buffer.from('{"a":1}'))).toThrow(/incorrect header check/);
  });

  it('oversized values are refused without being processed', () => {
    const huge = 'a'.repeat(MAX_COOKIE_VALUE_LENGTH + 1) + '.ZVPxAA.sig';
    const result = verifyFlaskCookie(huge, { secrets: [{ text: 'k' }] });
    expect(result.verdict).toBe('malformed');
    expect(result.reason?.code).toBe('ERR_INPUT_TOO_LARGE');
    expect(detectFormats('session', huge)[0]!.format).toBe('unknown');
  });

  it('deep nesting and huge integers fail like Python does, without exhausting the stack', () => {
    expect(() => parsePythonJson('['.repeat(100_000) + ']'.repeat(100_000))).toThrow(/nesting too deep/);
    expect(() => parsePythonJson('9'.repeat(4301))).toThrow(/4300-digit/);
    expect(parsePythonJson('9'.repeat(4300))).toMatchObject({ type: 'int' });
  });

  it('a BOM before the JSON is an error, as in Python', () => {
    expect(() => parsePythonJson('\ufeff{}')).toThrow(/BOM/);
  });
});

describe('limits: the one-pass inflate of short streams', () => {
  it('stops exactly at the cap, also for a short stream that would expand past it', () => {
    const cap = DEFAULT_MAX_DECOMPRESSED_BYTES;
    for (const size of [cap - 1, cap, cap + 1, 2 * cap]) {
      const stream = deflateSync(Buffer.alloc(size, 0x61));
      expect(stream.length).toBeLessThan(4096);
      if (size <= cap) expect(inflateZlib(stream).length).toBe(size);
      else expect(() => inflateZlib(stream)).toThrow(/exceeds 1048576 bytes/);
    }
  });
});
