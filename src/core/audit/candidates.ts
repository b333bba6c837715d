/** A candidate secret: text (UTF-8 encoded, as itsdangerous does) or raw bytes. */
export type Candidate = string | Uint8Array;

/**
 * Candidates packed end to end in one growing byte buffer, so a batch of
 * thousands costs no allocation per candidate. Reuse it with `clear()`.
 */
export class CandidateBatch {
  bytes = new Uint8Array(16 * 1024);
  /** ends[i]: where candidate i stops in `bytes`; it starts where i − 1 stops. */
  ends = new Uint32Array(1024);
  count = 0;
  /** Bytes in use. */
  length = 0;

  clear(): void {
    this.count = 0;
    this.length = 0;
  }

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** A copy of candidate i's bytes. */
  get(i: number): Uint8Array {
    return this.bytes.slice(this.start(i), this.end(i));
  }

  add(candidate: Candidate): void {
    if (typeof candidate === 'string') {
      this.reserve(candidate.length * 3);
      this.length = encodeUtf8Into(candidate, this.bytes, this.length);
    } else {
      this.reserve(candidate.length);
      this.bytes.set(candidate, this.length);
      this.length += candidate.length;
    }
    this.finish();
  }

  addRange(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += end - start;
    this.finish();
  }

  /** Makes room for `extra` more bytes; write them at `length`, then call `finish()`. */
  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Closes the candidate written since the previous one. */
  finish(): void {
    if (this.count === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.count++] = this.length;
  }

  /** Drops the candidate being written (bytes after the last `finish()`). */
  discard(): void {
    this.length = this.start(this.count);
  }
}

/**
 * UTF-8 of `text` at out[offset …] (room for 3 bytes per UTF-16 unit
 * assumed); lone surrogates become U+FFFD, as TextEncoder writes them.
 * Returns the new offset. Hand-rolled: short ASCII secrets are the common
 * case, and TextEncoder.encodeInto allocates a result object per call.
 */
export function encodeUtf8Into(text: string, out: Uint8Array, offset: number): number {
  let o = offset;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[o++] = code;
      continue;
    }
    if (code < 0x800) {
      out[o++] = 0xc0 | (code >> 6);
      out[o++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[o++] = 0xf0 | (code >> 18);
        out[o++] = 0x80 | ((code >> 12) & 0x3f);
        out[o++] = 0x80 | ((code >> 6) & 0x3f);
        out[o++] = 0x80 | (code & 0x3f);
        continue;
      }
      code = 0xfffd;
    }
    out[o++] = 0xe0 | (code >> 12);
    out[o++] = 0x80 | ((code >> 6) & 0x3f);
    out[o++] = 0x80 | (code & 0x3f);
  }
  return o;
}
