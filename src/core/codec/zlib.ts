import { Inflate, inflateSync, zlibSync } from 'fflate';
import { SessionLensError } from '../errors';
import { deflateStreamEnd } from './deflate-end';

/**
 * zlib as Python's `zlib.decompress` sees it: header checked, Adler-32
 * checked, bytes after the stream's checksum ignored. The output is capped so
 * a small cookie cannot expand into gigabytes.
 */

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 1024 * 1024;
const INPUT_CHUNK = 1024;

function zlibError(code: number, detail: string): SessionLensError {
  return new SessionLensError('ERR_DECOMPRESS', `Error ${code} while decompressing data: ${detail}`);
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function readUint32BE(data: Uint8Array, offset: number): number {
  return ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!) >>> 0;
}

/** Deflate data this short cannot inflate to more than ~4 MB (deflate's ratio is at most 1032:1), so one pass is cheap. */
const ONE_PASS_INPUT = 4096;
let scratch = new Uint8Array(0);

function deflateError(error: unknown): SessionLensError {
  const message = (error as Error).message;
  return message === 'unexpected EOF' ? zlibError(-5, 'incomplete or truncated stream') : zlibError(-3, `invalid deflate data (${message})`);
}

function overflowError(maxOutput: number): SessionLensError {
  return new SessionLensError('ERR_DECOMPRESS_LIMIT', `decompressed payload exceeds ${maxOutput} bytes; refusing to inflate further`);
}

function inflateCapped(raw: Uint8Array, maxOutput: number): Uint8Array {
  if (raw.length <= ONE_PASS_INPUT) {
    // Into one reused buffer one byte over the cap: output past its end is dropped, so a full buffer means too much.
    if (scratch.length !== maxOutput + 1) scratch = new Uint8Array(maxOutput + 1);
    let out: Uint8Array;
    try {
      out = inflateSync(raw, { out: scratch });
    } catch (error) {
      throw deflateError(error);
    }
    if (out.length > maxOutput) throw overflowError(maxOutput);
    return out.slice();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overflow: SessionLensError | null = null;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxOutput) throw (overflow = overflowError(maxOutput));
    chunks.push(chunk);
  });
  try {
    if (raw.length === 0) inflater.push(raw, true);
    for (let i = 0; i < raw.length; i += INPUT_CHUNK) inflater.push(raw.subarray(i, i + INPUT_CHUNK), i + INPUT_CHUNK >= raw.length);
  } catch (error) {
    if (overflow && error === overflow) throw overflow;
    throw deflateError(error);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The deflate data after a zlib header Python accepts. */
function deflateBody(data: Uint8Array): Uint8Array {
  if (data.length < 2) throw zlibError(-5, 'incomplete or truncated stream');
  const cmf = data[0]!;
  const flg = data[1]!;
  if (((cmf << 8) | flg) % 31 !== 0) throw zlibError(-3, 'incorrect header check');
  if ((cmf & 0x0f) !== 8) throw zlibError(-3, 'unknown compression method');
  if ((cmf >> 4) + 8 > 15) throw zlibError(-3, 'invalid window size');
  if (flg & 0x20) throw zlibError(2, 'a preset dictionary is required');
  return data.subarray(2);
}

/** Whether `data` starts with a zlib header Python's zlib would accept (two bytes; nothing inflated). */
export function hasZlibHeader(data: Uint8Array): boolean {
  try {
    deflateBody(data);
    return true;
  } catch {
    return false;
  }
}

export function inflateZlib(data: Uint8Array, maxOutput = DEFAULT_MAX_DECOMPRESSED_BYTES): Uint8Array {
  const raw = deflateBody(data);
  const output = inflateCapped(raw, maxOutput);
  const checksum = adler32(output);
  if (raw.length >= 4 && readUint32BE(raw, raw.length - 4) === checksum) return output;
  // The checksum belongs right after the deflate stream; anything after it is ignored, as Python does.
  let end: number;
  try {
    end = deflateStreamEnd(raw);
  } catch (error) {
    // The stream just inflated, so its walk cannot fail; should it, the checksum cannot be found.
    throw zlibError(-3, `invalid deflate data (${(error as Error).message})`);
  }
  if (raw.length - end < 4) throw zlibError(-5, 'incomplete or truncated stream');
  if (readUint32BE(raw, end) !== checksum) throw zlibError(-3, 'incorrect data check');
  return output;
}

/** zlib stream at Python's default level (6). Bytes may differ from CPython's zlib; only the decoded data must match. */
export function deflateZlib(data: Uint8Array): Uint8Array {
  return zlibSync(data, { level: 6 });
}
