import { SessionLensError } from '../errors';

const utf8Encoder = new TextEncoder();
/** Up to this length, ASCII is converted here faster than TextEncoder/TextDecoder's native calls cost (npm run bench). */
const ASCII_COPY_MAX_LENGTH = 4096;
// fatal: reject what Python's strict UTF-8 rejects; ignoreBOM: a BOM must reach the JSON reader, which rejects it as Python does.
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

export function utf8Encode(text: string): Uint8Array {
  if (text.length > ASCII_COPY_MAX_LENGTH) return utf8Encoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return utf8Encoder.encode(text);
    out[i] = code;
  }
  return out;
}

/** `utf8Encode(text).length` without the copy (a lone surrogate counts as U+FFFD, as TextEncoder writes it). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // the pair's two code units become four bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

export function utf8DecodeStrict(bytes: Uint8Array): string {
  if (bytes.length <= ASCII_COPY_MAX_LENGTH) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    // ASCII is valid UTF-8 as it is; a BOM is not ASCII, so it still reaches TextDecoder.
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    throw new SessionLensError('ERR_UTF8', 'payload is not valid UTF-8');
  }
}

/** Latin-1 view of bytes, one char per byte (for showing binary data losslessly). */
export function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new SessionLensError('ERR_SECRET_INVALID', 'hex input must be an even number of hex digits');
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Maps ASCII code → 6-bit value for the standard alphabet, 255 elsewhere. */
const STD_TABLE = new Uint8Array(256).fill(255);
const URL_TABLE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  STD_TABLE[STD_ALPHABET.charCodeAt(i)] = i;
  URL_TABLE[URL_ALPHABET.charCodeAt(i)] = i;
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** RFC 4648 §5 without padding, as itsdangerous writes every segment. */
export function b64urlEncode(bytes: Uint8Array): string {
  return encode(bytes, URL_ALPHABET, false);
}

/** Standard alphabet with padding (Flask's ` b` tag). */
export function b64StdEncode(bytes: Uint8Array): string {
  return encode(bytes, STD_ALPHABET, true);
}

/**
 * Canonical unpadded base64url only: every character from the alphabet, a
 * length that real data can have, and zero unused bits in the last character.
 * Returns null for anything else.
 */
export function b64urlDecodeStrict(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let i = 0;
  // Whole quads first, four characters to three bytes (the table maps characters outside the alphabet to 255).
  for (const whole = text.length - (text.length % 4); i < whole; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) >= 256) return null;
    const va = URL_TABLE[a]!;
    const vb = URL_TABLE[b]!;
    const vc = URL_TABLE[c]!;
    const vd = URL_TABLE[d]!;
    if (((va | vb | vc | vd) & 0xc0) !== 0) return null;
    const n = (va << 18) | (vb << 12) | (vc << 6) | vd;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  let acc = 0;
  let bits = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 256 ? URL_TABLE[code]! : 255;
    if (v === 255) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return null;
  return out;
}

const URL_SAFE_TEXT = /^[A-Za-z0-9_-]*$/;

/**
 * Canonical unpadded base64url (as b64urlDecodeStrict accepts it) of bytes that are all ASCII,
 * decoded straight to that text; null for anything else. `atob` (a standard global wherever the
 * core runs) is native, so a JSON payload needs no byte array on its way to the parser.
 */
export function b64urlDecodeAscii(text: string): string | null {
  const rest = text.length % 4;
  if (rest === 1 || !URL_SAFE_TEXT.test(text)) return null;
  // The unused low bits of a final partial quad must be zero, as the strict decoder requires.
  if (rest !== 0 && (URL_TABLE[text.charCodeAt(text.length - 1)]! & (rest === 2 ? 0x0f : 0x03)) !== 0) return null;
  const latin1 = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return isAscii(latin1) ? latin1 : null;
}

/**
 * CPython's non-strict `binascii.a2b_base64` over a byte string: characters
 * outside the table are skipped, padding may end the data early, and the
 * length must still work out. Throws with Python's message otherwise.
 */
export function a2bBase64Lenient(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let quadPos = 0;
  let leftChar = 0;
  let pads = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === 0x3d /* = */) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = STD_TABLE[ch]!;
    if (v === 255) continue;
    pads = 0;
    switch (quadPos) {
      case 0:
        quadPos = 1;
        leftChar = v;
        break;
      case 1:
        quadPos = 2;
        out.push(((leftChar << 2) | (v >> 4)) & 0xff);
        leftChar = v & 0x0f;
        break;
      case 2:
        quadPos = 3;
        out.push(((leftChar << 4) | (v >> 2)) & 0xff);
        leftChar = v & 0x03;
        break;
      default:
        quadPos = 0;
        out.push(((leftChar << 6) | v) & 0xff);
        leftChar = 0;
    }
  }
  if (quadPos === 1) {
    throw new SessionLensError(
      'ERR_BASE64',
      `Invalid base64-encoded string: number of data characters (${Math.floor(out.length / 3) * 4 + 1}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (quadPos !== 0) throw new SessionLensError('ERR_BASE64', 'Incorrect padding');
  return Uint8Array.from(out);
}

/**
 * itsdangerous' `base64_decode`: drop non-ASCII characters, pad to a multiple
 * of four, map the URL-safe alphabet onto the standard one, then decode
 * leniently as CPython does (§0.1 of the spec).
 */
export function b64urlDecodePython(text: string): Uint8Array {
  // Canonical text (what itsdangerous writes) decodes to the same bytes either way; the strict decoder allocates less.
  const canonical = b64urlDecodeStrict(text);
  if (canonical) return canonical;
  const ascii: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) continue;
    ascii.push(code === 0x2d ? 0x2b : code === 0x5f ? 0x2f : code);
  }
  while (ascii.length % 4 !== 0) ascii.push(0x3d);
  return a2bBase64Lenient(Uint8Array.from(ascii));
}

/**
 * Python's `base64.b64decode(str)` without validation (Flask's ` b` tag):
 * non-ASCII text is an error, everything else decodes leniently.
 */
export function b64StdDecodePython(text: string): Uint8Array {
  const ascii = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      throw new SessionLensError('ERR_BASE64', 'string argument should contain only ASCII characters');
    }
    ascii[i] = code;
  }
  return a2bBase64Lenient(ascii);
}

/** Unsigned big-endian integer from bytes (itsdangerous timestamps). */
export function bytesToBigUint(bytes: Uint8Array): bigint {
  if (bytes.length <= 6) {
    // Exact in a double (< 2^48): one BigInt instead of one per byte.
    let small = 0;
    for (const byte of bytes) small = small * 256 + byte;
    return BigInt(small);
  }
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}

/** Minimal big-endian bytes of a non-negative integer; 0 gives no bytes, as itsdangerous writes it. */
export function bigUintToBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let n = value;
  while (n > 0n) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from(out);
}
