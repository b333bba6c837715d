/**
 * Where a deflate stream ends (RFC 1951), found by walking its blocks and Huffman codes without
 * producing any output: linear in the compressed size, whatever the stream inflates to. zlib.ts
 * needs the end to find the Adler-32 checksum when bytes follow the stream; inflating prefixes to
 * find it cost up to ~100 ms for a 1.4 KB cookie that inflates to 1 MiB. fflate reports no
 * consumed length. Checked against Node's zlib in test/unit/deflate-end.test.ts.
 */

const MAX_BITS = 15;
/** Code length code order (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
/** Extra bits of length symbols 257..285 and of distance symbols 0..29. */
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

export class DeflateWalkError extends Error {}

/** A canonical Huffman code as counts per length and symbols in code order. */
interface HuffmanCode {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function huffmanCode(lengths: ArrayLike<number>): HuffmanCode {
  const counts = new Uint16Array(MAX_BITS + 1);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]!]!++;
  counts[0] = 0;
  const offsets = new Uint16Array(MAX_BITS + 2);
  for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len]! + counts[len]!;
  const symbols = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) if (lengths[i]) symbols[offsets[lengths[i]!]!++] = i;
  return { counts, symbols };
}

const FIXED_LITERALS = huffmanCode(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DISTANCES = huffmanCode(new Array<number>(30).fill(5));

class BitReader {
  private byte = 0;
  private bitBuffer = 0;
  private bitCount = 0;
  constructor(private readonly data: Uint8Array) {}

  bits(n: number): number {
    while (this.bitCount < n) {
      if (this.byte >= this.data.length) throw new DeflateWalkError('unexpected end of the deflate stream');
      this.bitBuffer |= this.data[this.byte++]! << this.bitCount;
      this.bitCount += 8;
    }
    const value = this.bitBuffer & ((1 << n) - 1);
    this.bitBuffer >>>= n;
    this.bitCount -= n;
    return value;
  }

  /** Drops the bits left in the current byte (stored blocks start on a byte boundary). */
  alignToByte(): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
  }

  skipBytes(n: number): void {
    if (this.byte + n > this.data.length) throw new DeflateWalkError('unexpected end of the deflate stream');
    this.byte += n;
  }

  /** Bytes consumed so far; bits of a partly used byte count it as consumed. */
  get consumed(): number {
    return this.byte;
  }

  /** One symbol, read code bit by code bit (codes are stored most significant bit first). */
  symbol(code: HuffmanCode): number {
    let value = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      value |= this.bits(1);
      const count = code.counts[len]!;
      if (value - first < count) return code.symbols[index + value - first]!;
      index += count;
      first = (first + count) << 1;
      value <<= 1;
    }
    throw new DeflateWalkError('invalid Huffman code');
  }
}

function dynamicCodes(reader: BitReader): [HuffmanCode, HuffmanCode] {
  const literalCount = reader.bits(5) + 257;
  const distanceCount = reader.bits(5) + 1;
  const codeLengthCount = reader.bits(4) + 4;
  const codeLengthLengths = new Uint8Array(19);
  for (let i = 0; i < codeLengthCount; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]!] = reader.bits(3);
  const codeLengths = huffmanCode(codeLengthLengths);
  const lengths = new Uint8Array(literalCount + distanceCount);
  for (let i = 0; i < lengths.length; ) {
    const symbol = reader.symbol(codeLengths);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (symbol === 16) {
      if (i === 0) throw new DeflateWalkError('a repeat with no previous length');
      value = lengths[i - 1]!;
      repeat = 3 + reader.bits(2);
    } else repeat = symbol === 17 ? 3 + reader.bits(3) : 11 + reader.bits(7);
    if (i + repeat > lengths.length) throw new DeflateWalkError('too many code lengths');
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  return [huffmanCode(lengths.subarray(0, literalCount)), huffmanCode(lengths.subarray(literalCount))];
}

/** The number of bytes the deflate stream at the start of `raw` occupies. Throws DeflateWalkError on a broken stream. */
export function deflateStreamEnd(raw: Uint8Array): number {
  const reader = new BitReader(raw);
  for (;;) {
    const final = reader.bits(1);
    const type = reader.bits(2);
    if (type === 0) {
      reader.alignToByte();
      const length = reader.bits(16);
      if ((reader.bits(16) ^ 0xffff) !== length) throw new DeflateWalkError('stored block length does not match its complement');
      reader.skipBytes(length);
    } else if (type === 1 || type === 2) {
      const [literals, distances] = type === 1 ? [FIXED_LITERALS, FIXED_DISTANCES] : dynamicCodes(reader);
      for (;;) {
        const symbol = reader.symbol(literals);
        if (symbol < 256) continue;
        if (symbol === 256) break;
        const extra = LENGTH_EXTRA[symbol - 257];
        if (extra === undefined) throw new DeflateWalkError('invalid length symbol');
        reader.bits(extra);
        const distanceExtra = DISTANCE_EXTRA[reader.symbol(distances)];
        if (distanceExtra === undefined) throw new DeflateWalkError('invalid distance symbol');
        reader.bits(distanceExtra);
      }
    } else throw new DeflateWalkError('invalid block type');
    if (final) return reader.consumed;
  }
}
