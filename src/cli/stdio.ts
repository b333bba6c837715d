import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** Synchronous standard streams for the CLI: bounded reads, and write errors that never become stack traces. */

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

// A stream another process left non-blocking answers EAGAIN; wait briefly instead of spinning.
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}

/** Reads standard input, but never more than `maxBytes + 1` bytes: enough to tell that it is too long. */
export function readStdinBounded(maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = Buffer.alloc(Math.min(maxBytes + 1, 64 * 1024));
  while (total <= maxBytes) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, Math.min(buffer.length, maxBytes + 1 - total), null);
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') {
        pause();
        continue;
      }
      if (errorCode(error) === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks);
}

/** One read of up to `buffer.length` bytes from fd (0 at the end), waiting out EAGAIN. */
function readSome(fd: number, buffer: Uint8Array): number {
  for (;;) {
    try {
      return readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') {
        pause();
        continue;
      }
      if (errorCode(error) === 'EOF') return 0;
      throw error;
    }
  }
}

/** Reads a large input (a wordlist) piece by piece: a file by path, or standard input for "-". */
export function openChunkSource(path: string): { read(buffer: Uint8Array): number; close(): void } {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  // Refused at once rather than at the first read, which may come after the built-in list found the secret.
  if (fd !== 0 && fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new Error(`EISDIR: illegal operation on a directory, read '${path}'`);
  }
  return {
    read: (buffer) => readSome(fd, buffer),
    close: () => {
      if (fd !== 0) closeSync(fd);
    },
  };
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      if (errorCode(error) !== 'EAGAIN') throw error;
      pause();
    }
  }
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True once a write failed for another reason than a closed pipe (full disk, I/O error…). */
  readonly failed: boolean;
}

/**
 * Writers for fd 1 and 2. A reader that went away (EPIPE, e.g. `| head`) ends that stream quietly;
 * any other write error is reported once on stderr and marks the run as failed.
 */
export function processOutput(): Output {
  const closed = new Set<number>();
  let failed = false;
  const writer = (fd: number, streamName: string) => (text: string) => {
    if (closed.has(fd)) return;
    try {
      writeAll(fd, text);
    } catch (error) {
      closed.add(fd);
      if (errorCode(error) === 'EPIPE') return;
      failed = true;
      if (fd !== 2 && !closed.has(2)) {
        try {
          writeAll(2, `session-lens: cannot write to ${streamName}: ${(error as Error).message}\n`);
        } catch {
          closed.add(2);
        }
      }
    }
  };
  return {
    stdout: writer(1, 'standard output'),
    stderr: writer(2, 'standard error'),
    get failed() {
      return failed;
    },
  };
}
