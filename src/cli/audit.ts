import { UsageError } from './args';
import {
  BUILT_IN_SECRETS,
  CandidateBatch,
  FLASK_DEFAULTS,
  WordlistReader,
  createAuditor,
  isAuditFormat,
  detectFormats,
  formatById,
  jsonString,
  pyRepr,
  reprStr,
  unquoteCookieValue,
  type AuditFormat,
  type Auditor,
} from '../core';
import { InputError, type CliOptions } from './args';
import type { Line, Printer } from './output';

/** Where wordlist bytes come from: a file, or standard input for `--wordlist -`. */
export interface ChunkSource {
  /** Fills `buffer` from the start; 0 at the end of the input. */
  read(buffer: Uint8Array): number;
  close(): void;
}

export interface AuditIo {
  /** Opens a wordlist (`-` is standard input); throws InputError when it cannot be read. */
  openWordlist(path: string): ChunkSource;
  /** Milliseconds from an arbitrary origin. */
  now(): number;
}

/** Bytes read from a wordlist at a time: the memory a run needs does not grow with the list. */
export const WORDLIST_CHUNK_BYTES = 1024 * 1024;

/** A secret the audit found, and where. */
export interface AuditFinding {
  bytes: Uint8Array;
  /** The secret as text when its bytes are valid UTF-8, else null. */
  text: string | null;
  source: 'built-in' | 'wordlist';
  /** The wordlist as given on the command line, and its 1-based line (blank lines counted). */
  wordlist: string | null;
  line: number | null;
}

export interface AuditReport {
  format: AuditFormat;
  finding: AuditFinding | null;
  candidatesTried: number;
  seconds: number;
  /** Candidates per second, rounded; null when no time could be measured. */
  ratePerSecond: number | null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function textOf(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Which line of `block` (complete lines only) gave candidate `index` of the batch a
 * WordlistReader made from it: the block is read again one line at a time. Runs once, on a hit.
 */
function lineOfCandidate(block: Uint8Array, index: number, literal: boolean): number {
  const reader = new WordlistReader({ literal });
  const batch = new CandidateBatch();
  let start = 0;
  while (start < block.length) {
    const newline = block.indexOf(0x0a, start);
    const end = newline < 0 ? block.length : newline + 1;
    reader.push(block.subarray(start, end), batch);
    if (newline < 0) reader.end(batch);
    if (batch.count > index) return reader.lines;
    start = end;
  }
  throw new Error('lineOfCandidate: the candidate is not in the block');
}

/** The format to search as: the one asked for, else the detected one (Flask when none fits, as verify reads it). */
export function auditFormat(name: string, value: string, asked: CliOptions['format']): AuditFormat {
  const format = asked ?? detectFormats(name, value)[0]!.format;
  if (format === 'unknown') return 'flask';
  if (!isAuditFormat(format)) {
    throw new UsageError(`audit does not search ${formatById(format).terms.framework} secrets: its keys come from ${formatById(format).terms.secretSetting} by PBKDF2 (1,000 iterations per guess), by design too slow to search`);
  }
  return format;
}

/**
 * Looks for the secret among the built-in list, then each wordlist in turn, read in
 * chunks of WORDLIST_CHUNK_BYTES. Throws SessionLensError when the cookie carries no
 * signature to check, InputError when a wordlist cannot be read.
 */
export function runAuditSearch(name: string, value: string, options: CliOptions, io: AuditIo): AuditReport {
  const format = auditFormat(name, value, options.format);
  const auditor = createAuditor(value, {
    format,
    salt: options.salt,
    digest: options.digest,
    keyDerivation: options.keyDerivation,
    cookieName: name,
    signatureCookie: options.signatureCookie ?? null,
  });
  // Every wordlist is opened before the search, so a mistyped path fails at once, whatever the built-in list finds.
  const sources: ChunkSource[] = [];
  try {
    for (const path of options.wordlists) sources.push(io.openWordlist(path));
    return search(format, auditor, options, sources, io);
  } finally {
    for (const source of sources) source.close();
  }
}

function search(format: AuditFormat, auditor: Auditor, options: CliOptions, sources: readonly ChunkSource[], io: AuditIo): AuditReport {
  const literal = options.literalEval;
  const started = io.now();
  let tried = 0;
  const batch = new CandidateBatch();
  const report = (finding: AuditFinding | null): AuditReport => {
    const seconds = (io.now() - started) / 1000;
    return { format, finding, candidatesTried: tried, seconds, ratePerSecond: seconds > 0 ? Math.round(tried / seconds) : null };
  };
  const check = (): number => {
    if (batch.count === 0) return -1;
    const hit = auditor.tryBatch(batch);
    tried += hit >= 0 ? hit + 1 : batch.count;
    return hit;
  };

  for (const secret of BUILT_IN_SECRETS) batch.add(secret);
  const builtInHit = check();
  if (builtInHit >= 0) {
    const bytes = batch.get(builtInHit);
    return report({ bytes, text: textOf(bytes), source: 'built-in', wordlist: null, line: null });
  }

  const buffer = new Uint8Array(WORDLIST_CHUNK_BYTES);
  for (const [i, path] of options.wordlists.entries()) {
    const source = sources[i]!;
    const reader = new WordlistReader({ literal });
    // The start of the line the last chunk left unfinished (the reader keeps its own copy).
    let tail: Uint8Array = new Uint8Array(0);
    const found = (hit: number, block: Uint8Array, linesBefore: number): AuditReport => {
      const bytes = batch.get(hit);
      return report({ bytes, text: textOf(bytes), source: 'wordlist', wordlist: path, line: linesBefore + lineOfCandidate(block, hit, literal) });
    };
    for (;;) {
      const n = source.read(buffer);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      const linesBefore = reader.lines;
      batch.clear();
      reader.push(chunk, batch);
      const lastNewline = chunk.lastIndexOf(0x0a);
      const hit = check();
      if (hit >= 0) return found(hit, concat(tail, chunk.subarray(0, lastNewline + 1)), linesBefore);
      tail = lastNewline < 0 ? concat(tail, chunk) : chunk.slice(lastNewline + 1);
    }
    const linesBefore = reader.lines;
    batch.clear();
    reader.end(batch);
    const hit = check();
    if (hit >= 0) return found(hit, tail, linesBefore);
  }
  return report(null);
}

function sourceText(finding: AuditFinding): string {
  return finding.source === 'built-in' ? 'built-in list' : `wordlist line ${finding.line} of ${finding.wordlist === '-' ? 'standard input' : finding.wordlist}`;
}

/** Python's repr of the secret: what a Flask developer would find in their config. */
function secretRepr(finding: AuditFinding): string {
  return finding.text !== null ? reprStr(finding.text) : pyRepr({ type: 'bytes', value: finding.bytes });
}

export function auditText(report: AuditReport): Line[] {
  const f = report.finding;
  if (f) {
    const { secretSetting, fallbackSetting } = formatById(report.format).terms;
    const what = report.format === 'flask-session' ? "the app's SECRET_KEY is public (it signs these session ids)" : `this app's ${secretSetting} is public`;
    const smooth = fallbackSetting === null ? '' : ` (keep the old one in ${fallbackSetting} for a smooth rotation)`;
    return [[{ tone: 'bad', text: `Secret found: ${secretRepr(f)}` }, ` (${sourceText(f)}) — ${what}: rotate it${smooth}`]];
  }
  const rate = report.ratePerSecond === null ? '' : ` (${report.ratePerSecond}/s)`;
  return [[{ tone: 'good', text: `No known secret among ${report.candidatesTried} candidates` }, rate]];
}

export function auditJson(report: AuditReport): string {
  const f = report.finding;
  const str = (s: string | null) => (s === null ? 'null' : jsonString(s, false));
  const fields: [string, string][] = [
    ['format', str(report.format)],
    ['found', String(f !== null)],
    ['secret', str(f?.text ?? null)],
    ['secret_hex', str(f ? Array.from(f.bytes, (b) => b.toString(16).padStart(2, '0')).join('') : null)],
    ['source', str(f?.source ?? null)],
    ['wordlist', str(f?.wordlist ?? null)],
    ['line', f?.line != null ? String(f.line) : 'null'],
    ['candidates_tried', String(report.candidatesTried)],
    ['seconds', String(Math.round(report.seconds * 1e6) / 1e6)],
    ['rate_per_second', report.ratePerSecond === null ? 'null' : String(report.ratePerSecond)],
  ];
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

export function auditExitCode(report: AuditReport): number {
  return report.finding ? 3 : 0;
}

/** hashcat's hash-mode for Flask's session cookie (`Flask Session Cookie ($salt.$salt.$pass)`). */
export const HASHCAT_MODE = 29100;
/** Longest payload segment the mode's parser takes in current hashcat (since 2023), and in the 6.2.6 release. */
export const HASHCAT_MAX_PAYLOAD = 120;
export const HASHCAT_626_MAX_PAYLOAD = 27;

export interface HashcatLine {
  line: string;
  notes: string[];
}

/**
 * The cookie as a hash line for hashcat -m 29100: the cookie value itself,
 * `payload.timestamp.signature`. The mode hard-codes Flask's default signer
 * (salt cookie-session, HMAC key derivation, SHA-1) and splits the line on
 * '.', so what it cannot take is refused here with the reason rather than left
 * to hashcat's "Token length exception".
 */
export function hashcatLine(name: string, rawValue: string, options: CliOptions): HashcatLine {
  const value = unquoteCookieValue(rawValue.trim());
  const refuse = (why: string): never => {
    throw new InputError(`hashcat's mode ${HASHCAT_MODE} cannot take this cookie: ${why}; audit --wordlist checks it here instead`);
  };
  if (auditFormat(name, value, options.format) !== 'flask') refuse("it covers Flask's signed session cookie only, not Flask-Session ids");
  const salt = options.salt ?? FLASK_DEFAULTS.salt;
  if (salt !== FLASK_DEFAULTS.salt || (options.digest ?? 'sha1') !== 'sha1' || (options.keyDerivation ?? 'hmac') !== 'hmac') {
    refuse("it is fixed to Flask's default signer (salt cookie-session, HMAC key derivation, SHA-1)");
  }
  if (value.startsWith('.')) refuse("the cookie is zlib-compressed (it begins with '.'), and hashcat splits the line on '.'");
  const segments = value.split('.');
  if (segments.length !== 3) refuse(`it expects payload.timestamp.signature, and this value has ${segments.length} '.'-separated parts`);
  const [payload, timestamp, signature] = segments as [string, string, string];
  const b64url = /^[A-Za-z0-9_-]*$/;
  if (!b64url.test(payload) || !b64url.test(timestamp) || !b64url.test(signature)) refuse('a part is not base64url');
  if (timestamp.length < 1 || timestamp.length > 6) refuse(`the timestamp part must be 1 to 6 characters, not ${timestamp.length}`);
  if (signature.length !== 27) refuse(`the signature must be 27 base64url characters (20 bytes of HMAC-SHA1), not ${signature.length}`);
  if (payload.length > HASHCAT_MAX_PAYLOAD) refuse(`the payload part is ${payload.length} characters; the mode takes at most ${HASHCAT_MAX_PAYLOAD}`);
  const notes =
    payload.length > HASHCAT_626_MAX_PAYLOAD
      ? [`the payload part is ${payload.length} characters: hashcat 6.2.6 takes at most ${HASHCAT_626_MAX_PAYLOAD} (a newer build takes ${HASHCAT_MAX_PAYLOAD})`]
      : [];
  return { line: value, notes };
}

export function hashcatJson(result: HashcatLine): string {
  return `{"hashcat_mode":${HASHCAT_MODE},"hash":${jsonString(result.line, false)},"notes":${JSON.stringify(result.notes)}}`;
}

export function runHashcat(name: string, value: string, options: CliOptions, print: Printer): number {
  const result = hashcatLine(name, value, options);
  if (options.json) print.json(hashcatJson(result));
  else {
    print.lines([[result.line]]);
    for (const note of result.notes) print.error(`note: ${note}`);
  }
  return 0;
}
