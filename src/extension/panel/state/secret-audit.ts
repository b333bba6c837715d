import { toHex, utf8DecodeStrict } from '../../../core/codec/bytes';
import { createAuditor, isAuditFormat, formatById, signerSettingsFor, type AuditFormat, type AuditSignerOptions, type CookieAnalysis, type SessionCandidate, type SessionSettings } from '../../../core';
import { AuditJobRunner, BUILT_IN_COUNT, type AuditReply, type AuditRequest } from './audit-jobs';

/**
 * "Check for a known secret": looks for the key that signs the chosen cookie among the core's
 * built-in list of published placeholder secrets, then the user's own wordlist file, in Web
 * Workers — one per core, started once and reused for every run. Plain TypeScript over a
 * `SecretAuditEnv` (how to start a worker, how many, a clock), so tests drive it with fakes.
 *
 * The built-in list goes first, split between the workers. The file is then streamed
 * (`file.stream()`) and cut into pieces of whole lines, each transferred, not copied, to whichever
 * worker has room (at most two jobs queued per worker, so a huge file streams through in bounded
 * memory); the worker reads the lines as flask-unsign does and tries them in one kernel call. A second pass over `file.stream()` counts the file's lines
 * for the progress total. Nothing is stored: the file is read while a run needs it, and a found
 * secret goes to the listeners of `onFound` (the panel puts it in the secret field), not into
 * this state.
 */

export interface AuditWorker {
  postMessage(message: AuditRequest, transfer?: Transferable[]): void;
  onmessage: ((event: { data: AuditReply }) => void) | null;
  onerror: ((event: { message?: string; preventDefault?: () => void }) => void) | null;
  terminate(): void;
}

export interface SecretAuditEnv {
  /** Starts one worker running `panel/audit-worker.ts`; may throw when the page cannot run workers. */
  createWorker(): AuditWorker;
  /** How many workers to start: one per core (navigator.hardwareConcurrency). */
  workerCount: number;
  /** Milliseconds on a monotonic clock (performance.now). */
  now(): number;
}

/** The cookie a run checks and how it is signed. */
export interface AuditTarget {
  cookieName: string;
  cookie: string;
  format: AuditFormat;
  options: AuditSignerOptions;
}

/** A wordlist file (a File, or any Blob with a name). */
export interface WordlistFile extends Blob {
  readonly name: string;
}

export interface FoundSecret {
  value: string;
  encoding: 'text' | 'hex';
}

export type SecretAuditStatus = 'idle' | 'running' | 'found' | 'not-found' | 'cancelled' | 'failed';

export interface SecretAuditState {
  status: SecretAuditStatus;
  /** The wordlist chosen for the next run (kept in memory only), or null: the built-in list alone. */
  wordlist: { name: string; size: number } | null;
  /** What the current or last run checked. */
  cookieName: string | null;
  format: AuditFormat | null;
  runWordlist: { name: string; size: number } | null;
  /** Candidates tried so far: built-in entries, then wordlist lines (a blank line counts, and can never match). */
  tried: number;
  /** Built-in entries plus the wordlist's lines; null while the lines are still being counted. */
  total: number | null;
  builtInCount: number;
  elapsedMs: number;
  /** Candidates per second over the run so far. */
  rate: number | null;
  /** Where the secret was found: built-in entry or wordlist line (1-based). */
  hit: { source: 'built-in' | 'wordlist'; line: number; encoding: 'text' | 'hex' } | null;
  error: string | null;
  /** Workers the runs use (0 before the first run; 1 with `inline`). */
  threads: number;
  /** True when no worker could be started and the checks run in the panel's own thread. */
  inline: boolean;
  /** The hash kernel the workers report once warmed up: WebAssembly SIMD or plain JavaScript. */
  kernel: 'simd' | 'js' | null;
}

/** Wordlist bytes per job (more for a line longer than this). */
export const SLICE_BYTES = 96 * 1024;
/** How much of a chosen wordlist the workers warm up on (read once, when it is chosen). */
const WARM_BYTES = 128 * 1024;
/** Jobs queued per worker: one running, one waiting, so no worker idles between jobs. */
const JOBS_PER_WORKER = 2;
/** A line longer than this is refused rather than read into memory whole. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Progress is published at most this often while a run lasts (the end is published at once). */
const PROGRESS_MS = 100;
const MAX_WORKERS = 16;

interface Slot {
  worker: AuditWorker;
  queued: number;
}

interface Job {
  source: 'built-in' | 'wordlist';
  /** The first built-in entry or wordlist line of the job (0-based). */
  first: number;
}

interface Run {
  id: number;
  startedAt: number;
  file: WordlistFile | null;
  jobs: Map<number, Job>;
  nextJob: number;
  /** Every job has been sent. */
  fed: boolean;
  finished: boolean;
}

function idleState(): SecretAuditState {
  return {
    status: 'idle',
    wordlist: null,
    cookieName: null,
    format: null,
    runWordlist: null,
    tried: 0,
    total: null,
    builtInCount: BUILT_IN_COUNT,
    elapsedMs: 0,
    rate: null,
    hit: null,
    error: null,
    threads: 0,
    inline: false,
    kernel: null,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `cookie` can be checked with these options at all; the reason in words when not. */
export function auditProblem(target: AuditTarget): string | null {
  try {
    createAuditor(target.cookie, { ...target.options, simd: false });
    return null;
  } catch (error) {
    return messageOf(error);
  }
}

/** What "Check for a known secret" would check for the cookie shown, or why it cannot. */
export function knownSecretTarget(
  candidate: SessionCandidate | null,
  analysis: CookieAnalysis | null,
  settings: SessionSettings,
): { target: AuditTarget; unavailable: null } | { target: null; unavailable: string } {
  if (!candidate || !analysis) return { target: null, unavailable: 'No session cookie to check yet.' };
  if (analysis.format === 'unknown') return { target: null, unavailable: 'This cookie is of no known session format: no signature to check.' };
  const format = analysis.format;
  if (!isAuditFormat(format)) {
    const { framework, secretSetting } = formatById(format).terms;
    return { target: null, unavailable: `${framework}'s keys come from ${secretSetting} by PBKDF2 (1,000 iterations per guess), by design too slow to search here.` };
  }
  if (analysis.format === 'flask-session' && analysis.verification.decoded.signature === null) {
    return { target: null, unavailable: 'This Flask-Session id is not signed (SESSION_USE_SIGNER is off): no secret signs it.' };
  }
  const options: AuditSignerOptions = { format, cookieName: candidate.name, signatureCookie: candidate.signatureCookie };
  // The panel's signer settings are Flask's (as for verification: signerSettingsFor).
  Object.assign(options, signerSettingsFor(format, settings));
  const target: AuditTarget = { cookieName: candidate.name, cookie: candidate.value, format, options };
  const problem = auditProblem(target);
  return problem === null ? { target, unavailable: null } : { target: null, unavailable: `This cookie cannot be checked: ${problem}.` };
}

export class SecretAudit {
  readonly #env: SecretAuditEnv;
  readonly #listeners = new Set<() => void>();
  readonly #foundListeners = new Set<(secret: FoundSecret, target: AuditTarget) => void>();
  #state: SecretAuditState = idleState();
  #slots: Slot[] | null = null;
  #waiting: (() => void)[] = [];
  #file: WordlistFile | null = null;
  #run: Run | null = null;
  #target: AuditTarget | null = null;
  #runs = 0;
  #notifiedAt = -Infinity;

  constructor(env: SecretAuditEnv) {
    this.#env = env;
  }

  getState = (): SecretAuditState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Called once per run that finds the secret, with the secret. */
  onFound(listener: (secret: FoundSecret, target: AuditTarget) => void): () => void {
    this.#foundListeners.add(listener);
    return () => this.#foundListeners.delete(listener);
  }

  /** The wordlist for the next runs (null: the built-in list alone). Only a reference is kept, in memory. */
  chooseWordlist(file: WordlistFile | null): void {
    this.#file = file;
    this.#update({ wordlist: file ? { name: file.name, size: file.size } : null }, true);
    // A check is likely next: let the workers start and warm up meanwhile, on the file's first lines.
    if (file) void this.#warmOn(file);
  }

  /** Starts the workers ahead of the first run (they compile the kernel and warm up meanwhile). */
  prepare(): void {
    this.#ensureWorkers();
  }

  /** Starts a run on `target` (a running one is cancelled first). */
  check(target: AuditTarget): void {
    this.cancel();
    const problem = auditProblem(target);
    const file = this.#file;
    const base = {
      cookieName: target.cookieName,
      format: target.format,
      runWordlist: file ? { name: file.name, size: file.size } : null,
      tried: 0,
      elapsedMs: 0,
      rate: null,
      hit: null,
      error: null,
    };
    if (problem !== null) {
      this.#update({ ...base, status: 'failed', total: null, error: `This cookie cannot be checked: ${problem}.` }, true);
      return;
    }
    const slots = this.#ensureWorkers();
    const run: Run = { id: ++this.#runs, startedAt: this.#env.now(), file, jobs: new Map(), nextJob: 0, fed: false, finished: false };
    this.#run = run;
    this.#target = target;
    for (const slot of slots) this.#post(slot, { type: 'start', run: run.id, cookie: target.cookie, options: target.options });
    // The jobs go out first, the re-render after.
    this.#state = { ...this.#state, ...base, status: 'running', total: file ? null : BUILT_IN_COUNT };
    void this.#feed(run, slots);
    this.#update({}, true);
    if (file) {
      countLines(file, () => run.finished).then(
        (lines) => {
          if (this.#run === run && !run.finished) this.#update({ total: BUILT_IN_COUNT + lines }, false);
        },
        () => undefined, // the reading pass reports the error
      );
    }
  }

  /** Stops the run: no more jobs are sent, and what the workers still hold is ignored. */
  cancel(): void {
    const run = this.#run;
    if (!run || run.finished) return;
    this.#finish(run, { status: 'cancelled' });
  }

  /** Cancels and forgets the last result (another site); the chosen wordlist stays. */
  reset(): void {
    this.cancel();
    this.#run = null;
    const { wordlist, threads, inline, kernel } = this.#state;
    this.#update({ ...idleState(), wordlist, threads, inline, kernel }, true);
  }

  /** Stops the workers (the panel is going away). */
  dispose(): void {
    this.cancel();
    for (const slot of this.#slots ?? []) slot.worker.terminate();
    this.#slots = null;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  // ------------------------------------------------------------------ workers

  async #warmOn(file: WordlistFile): Promise<void> {
    const slots = this.#ensureWorkers();
    let head: Uint8Array;
    try {
      head = new Uint8Array(await file.slice(0, WARM_BYTES).arrayBuffer());
    } catch {
      return; // the run will say what is wrong with the file
    }
    const length = file.size <= WARM_BYTES ? head.length : head.lastIndexOf(0x0a) + 1;
    if (length <= 0 || this.#slots !== slots || this.#file !== file) return;
    for (const slot of slots) {
      const copy = head.slice(0, length);
      this.#post(slot, { type: 'warm', buffer: copy.buffer, length }, [copy.buffer]);
    }
  }

  #ensureWorkers(): Slot[] {
    if (this.#slots && this.#slots.length > 0) return this.#slots;
    const wanted = Math.max(1, Math.min(MAX_WORKERS, Math.floor(this.#env.workerCount) || 1));
    const slots: Slot[] = [];
    let inline = false;
    try {
      for (let i = 0; i < wanted; i++) slots.push(this.#attach(this.#env.createWorker()));
    } catch {
      // No workers here: one runner in the panel's own thread.
      for (const slot of slots) slot.worker.terminate();
      slots.length = 0;
      slots.push(this.#attach(inlineWorker()));
      inline = true;
    }
    this.#slots = slots;
    for (const slot of slots) this.#post(slot, { type: 'warm' });
    this.#update({ threads: slots.length, inline }, true);
    return slots;
  }

  #attach(worker: AuditWorker): Slot {
    const slot: Slot = { worker, queued: 0 };
    worker.onmessage = (event) => this.#reply(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.#workerFailed(slot, event.message || 'the worker could not be started');
    };
    return slot;
  }

  #post(slot: Slot, message: AuditRequest, transfer: Transferable[] = []): void {
    if (message.type === 'built-in' || message.type === 'lines' || message.type === 'warm') slot.queued++;
    slot.worker.postMessage(message, transfer);
  }

  #workerFailed(failed: Slot, message: string): void {
    failed.worker.terminate();
    const slots = (this.#slots ?? []).filter((s) => s !== failed);
    // The next run starts new workers (or, if none can start, runs in the panel).
    this.#slots = slots.length > 0 ? slots : null;
    for (const wake of this.#waiting.splice(0)) wake();
    const run = this.#run;
    if (run && !run.finished) this.#finish(run, { status: 'failed', error: `A checking thread stopped: ${message}` });
  }

  /** A worker with room for another job (waits for one). */
  async #slot(run: Run): Promise<Slot | null> {
    for (;;) {
      if (run.finished || !this.#slots) return null;
      let best: Slot | null = null;
      for (const slot of this.#slots) if (slot.queued < JOBS_PER_WORKER && (!best || slot.queued < best.queued)) best = slot;
      if (best) return best;
      await new Promise<void>((wake) => this.#waiting.push(wake));
    }
  }

  async #send(run: Run, job: Job, message: (id: number) => AuditRequest, transfer: Transferable[] = []): Promise<boolean> {
    const slot = await this.#slot(run);
    if (!slot) return false;
    this.#sendTo(slot, run, job, message, transfer);
    return true;
  }

  #sendTo(slot: Slot, run: Run, job: Job, message: (id: number) => AuditRequest, transfer: Transferable[] = []): void {
    const id = run.nextJob++;
    run.jobs.set(id, job);
    this.#post(slot, message(id), transfer);
  }

  async #feed(run: Run, slots: readonly Slot[]): Promise<void> {
    // The built-in list first, a part for each worker, sent at once (before the panel re-renders).
    const per = Math.ceil(BUILT_IN_COUNT / slots.length);
    slots.forEach((slot, i) => {
      const from = i * per;
      const to = Math.min(BUILT_IN_COUNT, from + per);
      if (from < to) this.#sendTo(slot, run, { source: 'built-in', first: from }, (job) => ({ type: 'built-in', run: run.id, job, from, to }));
    });
    try {
      const file = run.file;
      if (file) {
        let line = 0;
        const pieces = wordlistPieces(file);
        try {
          for await (const piece of pieces) {
            if (run.finished) return;
            const first = line;
            line += piece.lines;
            const { buffer } = piece.bytes;
            const sent = await this.#send(run, { source: 'wordlist', first }, (job) => ({ type: 'lines', run: run.id, job, buffer, length: piece.bytes.length }), [buffer]);
            if (!sent) return;
          }
        } finally {
          // Stops reading the file when the run ends early.
          await pieces.return(undefined);
        }
      }
      run.fed = true;
      if (run.jobs.size === 0 && !run.finished) this.#finish(run, { status: 'not-found' });
    } catch (error) {
      if (!run.finished) this.#finish(run, { status: 'failed', error: `Could not read ${run.file?.name ?? 'the wordlist'}: ${messageOf(error)}` });
    }
  }

  #reply(slot: Slot, message: AuditReply): void {
    slot.queued = Math.max(0, slot.queued - 1);
    this.#waiting.shift()?.();
    if (message.type === 'warm') {
      if (this.#state.kernel !== message.kernel) this.#update({ kernel: message.kernel }, true);
      return;
    }
    const run = this.#run;
    if (!run || run.finished || message.run !== run.id) return;
    const job = run.jobs.get(message.job);
    if (!job) return;
    run.jobs.delete(message.job);
    if (message.type === 'failed') {
      this.#finish(run, { status: 'failed', error: `The check failed: ${message.message}` });
      return;
    }
    const tried = this.#state.tried + message.tried;
    if (message.hit) {
      const secret = foundSecret(message.hit.bytes);
      const line = job.first + message.hit.line + 1;
      this.#finish(run, { status: 'found', tried, hit: { source: job.source, line, encoding: secret.encoding } });
      const target = this.#target!;
      for (const listener of [...this.#foundListeners]) listener(secret, target);
      return;
    }
    if (run.fed && run.jobs.size === 0) {
      this.#finish(run, { status: 'not-found', tried, total: tried });
      return;
    }
    const elapsedMs = this.#env.now() - run.startedAt;
    this.#update({ tried, elapsedMs, rate: rateOf(tried, elapsedMs) }, false);
  }

  #finish(run: Run, patch: Partial<SecretAuditState>): void {
    run.finished = true;
    const elapsedMs = this.#env.now() - run.startedAt;
    const tried = patch.tried ?? this.#state.tried;
    this.#update({ elapsedMs, rate: rateOf(tried, elapsedMs), ...patch }, true);
    // Senders waiting for a slot see the run is over.
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #update(patch: Partial<SecretAuditState>, now: boolean): void {
    this.#state = { ...this.#state, ...patch };
    const at = this.#env.now();
    if (!now && at - this.#notifiedAt < PROGRESS_MS) return;
    this.#notifiedAt = at;
    for (const listener of [...this.#listeners]) listener();
  }
}

function rateOf(tried: number, elapsedMs: number): number | null {
  return elapsedMs > 0 ? (tried * 1000) / elapsedMs : null;
}

/** The secret as the form takes it: text when its bytes are UTF-8, else hex. */
function foundSecret(bytes: Uint8Array): FoundSecret {
  try {
    return { value: utf8DecodeStrict(bytes), encoding: 'text' };
  } catch {
    return { value: toHex(bytes), encoding: 'hex' };
  }
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < end; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

/**
 * The file as pieces of whole lines, at most about SLICE_BYTES each (a longer line makes a longer
 * piece), each in an ArrayBuffer of its own (to transfer), with its number of lines; the last piece
 * may end without a line break. Read with `file.stream()`, which reads ahead as pieces are taken;
 * each byte is copied once, into its piece.
 */
export async function* wordlistPieces(file: Blob): AsyncGenerator<{ bytes: Uint8Array<ArrayBuffer>; lines: number }> {
  const reader = file.stream().getReader();
  // The bytes after the last piece (a line not finished yet): views into the chunks read.
  let parts: Uint8Array[] = [];
  let partsLength = 0;
  let line = 0;
  const take = (chunk: Uint8Array, start: number, end: number): Uint8Array<ArrayBuffer> => {
    const piece = new Uint8Array(partsLength + end - start);
    let at = 0;
    for (const part of parts) {
      piece.set(part, at);
      at += part.length;
    }
    piece.set(chunk.subarray(start, end), at);
    parts = [];
    partsLength = 0;
    return piece;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const last = value.lastIndexOf(0x0a);
      if (last < 0) {
        parts.push(value);
        partsLength += value.length;
        if (partsLength > MAX_LINE_BYTES) throw new Error(`line ${line + 1} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB`);
        continue;
      }
      for (let start = 0; start <= last; ) {
        const budget = Math.max(1, SLICE_BYTES - partsLength);
        let cut = start + budget - 1 >= last ? last : value.lastIndexOf(0x0a, start + budget - 1);
        if (cut < start) cut = value.indexOf(0x0a, start + budget); // a line longer than a piece
        const bytes = take(value, start, cut + 1);
        const lines = countNewlines(bytes, bytes.length);
        line += lines;
        yield { bytes, lines };
        start = cut + 1;
      }
      if (last + 1 < value.length) {
        parts = [value.subarray(last + 1)];
        partsLength = value.length - last - 1;
      }
    }
    if (partsLength > 0) {
      const bytes = take(new Uint8Array(0), 0, 0);
      yield { bytes, lines: countNewlines(bytes, bytes.length) + (bytes[bytes.length - 1] === 0x0a ? 0 : 1) };
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The file's lines as flask-unsign counts them (split on \n; a last line without one counts). `stop`: give up (NaN). */
export async function countLines(file: Blob, stop: () => boolean = () => false): Promise<number> {
  const reader = file.stream().getReader();
  let lines = 0;
  let last = 0x0a;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (stop()) {
      await reader.cancel().catch(() => undefined);
      return NaN;
    }
    if (value.length === 0) continue;
    lines += countNewlines(value, value.length);
    last = value[value.length - 1]!;
  }
  return lines + (last === 0x0a ? 0 : 1);
}

/**
 * The same runner in the panel's thread, each job in its own task so the panel stays responsive;
 * used only where no worker starts.
 */
export function inlineWorker(): AuditWorker {
  const runner = new AuditJobRunner();
  let closed = false;
  const worker: AuditWorker = {
    onmessage: null,
    onerror: null,
    postMessage(message) {
      setTimeout(() => {
        if (closed) return;
        runner.handle(message, (reply) => worker.onmessage?.({ data: reply }));
      }, 0);
    },
    terminate() {
      closed = true;
    },
  };
  return worker;
}
