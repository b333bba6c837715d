import { CandidateBatch } from './candidates';

/**
 * Wordlists as flask-unsign reads them: one candidate per line, the line
 * stripped and evaluated as a Python string literal (`"secret"`, `'it\'s'`,
 * `b'\x00…'`), and taken as its stripped text when it is not one. Lines are
 * split on `\n` only, so `\r\n` files lose the `\r` to the strip.
 *
 * Differences, all on lines flask-unsign could never crack with: blank lines
 * and empty strings are skipped (Flask refuses to sign with an empty key);
 * strings with lone surrogates (`'\ud800'`, not encodable as UTF-8) are
 * skipped; a line that is a literal but not a string (`12345`, `'a',`) is
 * taken as its text; `\N{name}` escapes are not resolved, so such a line is
 * taken as its text.
 */
export interface WordlistOptions {
  /** false: flask-unsign's `--no-literal-eval`, each stripped line as raw bytes. Default true. */
  literal?: boolean;
}

export class WordlistReader {
  /** Lines seen so far, blank ones included. */
  lines = 0;
  private readonly literal: boolean;
  private carry: Uint8Array = new Uint8Array(0);

  constructor(options: WordlistOptions = {}) {
    this.literal = options.literal ?? true;
  }

  /** Appends the candidates of every complete line in `chunk` to `out`; a partial last line waits for the next chunk. */
  push(chunk: Uint8Array, out: CandidateBatch): void {
    let start = 0;
    if (this.carry.length > 0) {
      const newline = chunk.indexOf(0x0a);
      if (newline < 0) {
        this.carry = join(this.carry, chunk);
        return;
      }
      const line = join(this.carry, chunk.subarray(0, newline));
      this.carry = new Uint8Array(0);
      this.line(line, 0, line.length, out);
      start = newline + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      this.line(chunk, start, newline, out);
      start = newline + 1;
    }
    if (start < chunk.length) this.carry = chunk.slice(start);
  }

  /** The last line, when the input does not end with a newline. */
  end(out: CandidateBatch): void {
    if (this.carry.length > 0) this.line(this.carry, 0, this.carry.length, out);
    this.carry = new Uint8Array(0);
  }

  private line(src: Uint8Array, start: number, end: number, out: CandidateBatch): void {
    this.lines++;
    if (!this.literal || !isUtf8(src, start, end)) {
      // flask-unsign strips bytes it cannot decode as ASCII whitespace only.
      while (start < end && isAsciiSpace(src[start]!)) start++;
      while (end > start && isAsciiSpace(src[end - 1]!)) end--;
      if (end > start) out.addRange(src, start, end);
      return;
    }
    for (let n; start < end && (n = spaceAt(src, start, end)) > 0; ) start += n;
    for (let n; end > start && (n = spaceBefore(src, start, end)) > 0; ) end -= n;
    if (end === start) return;
    const status = src.subarray(start, end).includes(0) ? FAIL : new LiteralParser(src, end, out).parse(start);
    if (status === OK) {
      if (out.length > out.start(out.count)) out.finish();
      else out.discard();
    } else {
      out.discard();
      if (status === FAIL) out.addRange(src, start, end);
    }
  }
}

/** Candidates from a stream of byte chunks. The same batch object is refilled for each chunk: read it before pulling the next. */
export async function* readWordlist(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: WordlistOptions = {}): AsyncGenerator<CandidateBatch> {
  const reader = new WordlistReader(options);
  const batch = new CandidateBatch();
  for await (const chunk of chunks) {
    batch.clear();
    reader.push(chunk, batch);
    if (batch.count > 0) yield batch;
  }
  batch.clear();
  reader.end(batch);
  if (batch.count > 0) yield batch;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Python's bytes.strip() set. */
function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** Strict UTF-8 as Python's decode() checks it: no overlongs, no surrogates, at most U+10FFFF. */
function isUtf8(src: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; ) {
    const b = src[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let code: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, code] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, code] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, code] = [3, 0x10000, b & 0x07];
    else return false;
    if (i + need >= end) return false;
    for (let k = 1; k <= need; k++) {
      const c = src[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** Byte length of the str.isspace() character at src[i], or 0. */
function spaceAt(src: Uint8Array, i: number, end: number): number {
  const b = src[i]!;
  if (b < 0x80) return b === 0x20 || (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x1f) ? 1 : 0;
  if (i + 1 >= end) return 0;
  const c = src[i + 1]!;
  if (b === 0xc2) return c === 0x85 || c === 0xa0 ? 2 : 0;
  if (i + 2 >= end) return 0;
  const d = src[i + 2]!;
  if (b === 0xe1) return c === 0x9a && d === 0x80 ? 3 : 0;
  if (b === 0xe2 && c === 0x80) return d <= 0x8a || d === 0xa8 || d === 0xa9 || d === 0xaf ? 3 : 0;
  if (b === 0xe2 && c === 0x81) return d === 0x9f ? 3 : 0;
  if (b === 0xe3) return c === 0x80 && d === 0x80 ? 3 : 0;
  return 0;
}

/** Byte length of the str.isspace() character ending at src[end − 1], or 0. */
function spaceBefore(src: Uint8Array, start: number, end: number): number {
  for (let n = 1; n <= 3 && end - n >= start; n++) {
    if ((src[end - n]! & 0xc0) === 0x80) continue;
    return spaceAt(src, end - n, end) === n ? n : 0;
  }
  return 0;
}

const OK = 0;
/** Not a string literal: the line is taken as text. */
const FAIL = 1;
/** A string literal that Python could not encode as UTF-8: no candidate. */
const UNENCODABLE = 2;

const QUOTE_SINGLE = 0x27;
const QUOTE_DOUBLE = 0x22;
const BACKSLASH = 0x5c;
const PREFIXES = new Set(['', 'r', 'u', 'b', 'br', 'rb']);
const SIMPLE_ESCAPES: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };

function isTokenSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0c;
}

function isLetter(byte: number): boolean {
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function isOctal(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}

/**
 * What ast.literal_eval accepts as a string: adjacent string literals of one
 * kind (str or bytes), optionally parenthesised, then an optional comment.
 * The value goes to `out` unfinished; the caller finishes or discards it.
 */
class LiteralParser {
  private p = 0;
  private unencodable = false;

  constructor(
    private readonly src: Uint8Array,
    private readonly end: number,
    private readonly out: CandidateBatch,
  ) {}

  parse(start: number): number {
    const { src, end } = this;
    this.p = start;
    let depth = 0;
    while (src[this.p] === 0x28 && this.p < end) {
      depth++;
      this.p++;
      this.skipSpace();
    }
    let kind: boolean | null = null; // bytes?
    for (;;) {
      let q = this.p;
      let prefix = '';
      while (q < end && q - this.p < 2 && isLetter(src[q]!)) prefix += String.fromCharCode(src[q++]! | 0x20);
      const quote = src[q];
      if (q >= end || (quote !== QUOTE_SINGLE && quote !== QUOTE_DOUBLE) || !PREFIXES.has(prefix)) {
        if (kind === null) return FAIL;
        break;
      }
      const bytes = prefix.includes('b');
      if (kind !== null && kind !== bytes) return FAIL;
      kind = bytes;
      const triple = src[q + 1] === quote && src[q + 2] === quote;
      this.p = q + (triple ? 3 : 1);
      if (!this.body(quote, triple, prefix.includes('r'), bytes)) return FAIL;
      this.skipSpace();
    }
    for (; depth > 0; depth--) {
      if (this.p >= end || src[this.p] !== 0x29) return FAIL;
      this.p++;
      this.skipSpace();
    }
    // What may follow: comments, and lone \r that Python reads as line ends.
    while (this.p < end) {
      const byte = src[this.p]!;
      if (byte === 0x23) while (this.p < end && src[this.p] !== 0x0d) this.p++;
      else if (byte === 0x0d || isTokenSpace(byte)) this.p++;
      else return FAIL;
    }
    return this.unencodable ? UNENCODABLE : OK;
  }

  private skipSpace(): void {
    while (this.p < this.end && isTokenSpace(this.src[this.p])) this.p++;
  }

  private put(byte: number): void {
    this.out.reserve(1);
    this.out.bytes[this.out.length++] = byte;
  }

  private putCodePoint(code: number): void {
    if (code < 0x80) this.put(code);
    else if (code < 0x800) {
      this.put(0xc0 | (code >> 6));
      this.put(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      this.put(0xe0 | (code >> 12));
      this.put(0x80 | ((code >> 6) & 0x3f));
      this.put(0x80 | (code & 0x3f));
    } else {
      this.put(0xf0 | (code >> 18));
      this.put(0x80 | ((code >> 12) & 0x3f));
      this.put(0x80 | ((code >> 6) & 0x3f));
      this.put(0x80 | (code & 0x3f));
    }
  }

  /** One literal's body up to and past its closing quote; false when malformed. */
  private body(quote: number, triple: boolean, raw: boolean, bytes: boolean): boolean {
    const { src, end } = this;
    while (this.p < end) {
      const byte = src[this.p]!;
      if (byte === quote && (!triple || (src[this.p + 1] === quote && src[this.p + 2] === quote))) {
        this.p += triple ? 3 : 1;
        return true;
      }
      if (bytes && byte >= 0x80) return false;
      this.p++;
      if (byte === 0x0d) {
        // Python reads a lone \r as a line end: a newline in a triple-quoted string, the end of any other.
        if (!triple) return false;
        this.put(0x0a);
        continue;
      }
      if (byte !== BACKSLASH) {
        this.put(byte);
        continue;
      }
      if (this.p >= end) return false;
      const next = src[this.p]!;
      this.p++;
      if (raw) {
        // A raw string keeps the backslash, though it still stops the next character from closing the string.
        this.put(byte);
        this.put(next === 0x0d ? 0x0a : next);
        continue;
      }
      if (next === 0x0d) continue; // backslash + line end: a continuation, nothing is kept
      const value = this.escape(next, bytes);
      if (value === -1) return false;
      if (value === -2) {
        // Unknown escape: Python keeps the backslash and the character.
        this.put(BACKSLASH);
        this.p--;
      } else if (value >= 0xd800 && value <= 0xdfff && !bytes) this.unencodable = true;
      else if (bytes) this.put(value);
      else this.putCodePoint(value);
    }
    return false;
  }

  /** The value of the escape `\` + next (its digits consumed), −1 when malformed, −2 when Python keeps it as written. */
  private escape(next: number, bytes: boolean): number {
    const { src, end } = this;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) return simple;
    if (isOctal(next)) {
      let value = next - 0x30;
      for (let k = 0; k < 2 && this.p < end && isOctal(src[this.p]); k++) value = value * 8 + src[this.p++]! - 0x30;
      return bytes ? value & 0xff : value;
    }
    const digits = next === 0x78 ? 2 : bytes ? 0 : next === 0x75 ? 4 : next === 0x55 ? 8 : 0;
    if (digits > 0) {
      let value = 0;
      for (let k = 0; k < digits; k++) {
        const h = this.p < end ? hexValue(src[this.p++]) : -1;
        if (h < 0) return -1;
        value = value * 16 + h;
      }
      return value > 0x10ffff ? -1 : value;
    }
    // \N{name} needs Unicode's name table, which the core does not carry: the line is taken as text.
    if (next === 0x4e && !bytes) return -1;
    return -2;
  }
}
