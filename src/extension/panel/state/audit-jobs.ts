import { BUILT_IN_SECRETS, CandidateBatch, WordlistReader, createAuditor, type Auditor, type AuditSignerOptions } from '../../../core/audit';
import { instantiateSimdSha1 } from '../../../core/audit/simd-sha1';

/**
 * What the panel and its audit workers say to each other, and the worker's side of it as plain
 * TypeScript (`AuditJobRunner`): the worker entry (`panel/audit-worker.ts`) only forwards
 * messages to it, and the panel runs the same code in its own thread when it cannot start workers.
 *
 * A run is `start` (the cookie and signer options), then jobs: a range of the built-in list, or a
 * slice of the user's wordlist as raw bytes that end on a line break (a transferred
 * ArrayBuffer), which the runner reads as flask-unsign reads wordlists (the core's
 * WordlistReader) into a packed CandidateBatch and tries in one kernel call.
 */

export type AuditRequest =
  | { type: 'start'; run: number; cookie: string; options: AuditSignerOptions }
  | { type: 'built-in'; run: number; job: number; from: number; to: number }
  | { type: 'lines'; run: number; job: number; buffer: ArrayBuffer; length: number }
  /**
   * Runs the reading and hashing code on made-up lines (and on `buffer`, the start of the chosen
   * wordlist, when given), against a made-up cookie, so that the first real run meets compiled code.
   */
  | { type: 'warm'; buffer?: ArrayBuffer; length?: number };

export type AuditReply =
  /**
   * A job is done. `tried`: the job's lines (built-in entries) that were tried, up to and
   * including the hit; `hit`: the matching secret's bytes and its line within the job (0-based).
   */
  | { type: 'done'; run: number; job: number; tried: number; hit: { bytes: Uint8Array; line: number } | null }
  | { type: 'failed'; run: number; job: number; message: string }
  | { type: 'warm'; kernel: 'simd' | 'js' };

export const BUILT_IN_COUNT = BUILT_IN_SECRETS.length;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The worker side: one auditor per run, reused batches. */
export class AuditJobRunner {
  #run = -1;
  #auditor: Auditor | null = null;
  #startError = 'no run was started';
  readonly #batch = new CandidateBatch();

  /** Handles one request; `reply` is called at most once, synchronously. */
  handle(request: AuditRequest, reply: (message: AuditReply) => void): void {
    switch (request.type) {
      case 'start':
        this.#run = request.run;
        try {
          this.#auditor = createAuditor(request.cookie, request.options);
        } catch (error) {
          this.#auditor = null;
          this.#startError = messageOf(error);
        }
        return;
      case 'warm':
        reply({ type: 'warm', kernel: warmUp(request.buffer ? new Uint8Array(request.buffer, 0, request.length) : null) });
        return;
      case 'built-in':
      case 'lines': {
        const { run, job } = request;
        const auditor = this.#auditor;
        if (run !== this.#run || !auditor) {
          reply({ type: 'failed', run, job, message: run !== this.#run ? 'the job belongs to another run' : this.#startError });
          return;
        }
        try {
          reply(request.type === 'built-in' ? this.#builtIn(auditor, request.from, request.to, run, job) : this.#lines(auditor, request.buffer, request.length, run, job));
        } catch (error) {
          reply({ type: 'failed', run, job, message: messageOf(error) });
        }
      }
    }
  }

  #builtIn(auditor: Auditor, from: number, to: number, run: number, job: number): AuditReply {
    const batch = this.#batch;
    batch.clear();
    for (let i = from; i < to; i++) batch.add(BUILT_IN_SECRETS[i]!);
    const hit = auditor.tryBatch(batch);
    return hit < 0 ? { type: 'done', run, job, tried: to - from, hit: null } : { type: 'done', run, job, tried: hit + 1, hit: { bytes: batch.get(hit), line: hit } };
  }

  #lines(auditor: Auditor, buffer: ArrayBuffer, length: number, run: number, job: number): AuditReply {
    const bytes = new Uint8Array(buffer, 0, length);
    const batch = this.#batch;
    batch.clear();
    const reader = new WordlistReader();
    reader.push(bytes, batch);
    reader.end(batch);
    const hit = auditor.tryBatch(batch);
    if (hit < 0) return { type: 'done', run, job, tried: reader.lines, hit: null };
    const found = batch.get(hit);
    const line = lineOfCandidate(bytes, hit);
    return { type: 'done', run, job, tried: line + 1, hit: { bytes: found, line } };
  }
}

/** The line (0-based) that yields candidate `index` of `bytes` (blank and skipped lines yield none). */
export function lineOfCandidate(bytes: Uint8Array, index: number): number {
  const reader = new WordlistReader();
  const batch = new CandidateBatch();
  let line = 0;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline + 1;
    reader.push(bytes.subarray(start, end), batch);
    reader.end(batch);
    if (batch.count > index) return line;
    start = end;
  }
  return Math.max(0, line - 1);
}

const WARM_COOKIE = 'eyJ3YXJtIjp0cnVlfQ.ZVBpAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Made-up lines of the shapes real wordlists have (double- and single-quoted literals, escapes,
 * non-ASCII text, keys longer than a hash block, bare words, blank lines), so that each path of
 * the reader and the kernel has run before the first real job.
 */
function warmUpLines(): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < 8000; i++) {
    const word = `warm-${i.toString(36)}-${(i * 2654435761) % 99991}`;
    switch (i % 8) {
      case 0:
        lines.push(`"${word}"`);
        break;
      case 1:
        lines.push(`'${word}'`);
        break;
      case 2:
        lines.push(`'${word}\\x41\\u00e9\\n'`);
        break;
      case 3:
        lines.push(`"${word} caf\u00e9 \u4e2d\u6587"`);
        break;
      case 4:
        lines.push(`'${word.repeat(4)}-a-key-longer-than-one-hash-block'`);
        break;
      case 5:
        lines.push(`  ${word}  `);
        break;
      case 6:
        lines.push(`b'${word}\\xff'`);
        break;
      default:
        lines.push(i % 16 === 7 ? '' : `"${word}\\"quoted\\""`);
    }
  }
  return new TextEncoder().encode(lines.join('\n'));
}

/** Runs the reader and the kernel over `lines` (else warmUpLines(), three times); returns which kernel runs here. */
function warmUp(lines: Uint8Array | null): 'simd' | 'js' {
  const bytes = lines ?? warmUpLines();
  const runner = new AuditJobRunner();
  runner.handle({ type: 'start', run: 0, cookie: WARM_COOKIE, options: {} }, () => undefined);
  for (let pass = 0; pass < (lines ? 1 : 3); pass++) {
    runner.handle({ type: 'lines', run: 0, job: pass, buffer: bytes.slice().buffer, length: bytes.length }, () => undefined);
  }
  return instantiateSimdSha1() ? 'simd' : 'js';
}
