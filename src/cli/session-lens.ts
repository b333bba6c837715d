import {
  MAX_COOKIES_EXAMINED,
  MAX_COOKIE_VALUE_LENGTH,
  SessionLensError,
  analyzeCookie,
  DJANGO_SHAPE,
  JWT_SHAPE,
  detectFlaskSession,
  isDeletion,
  jsonString,
  parseSetCookie,
  parseTypedJson,
  signFlaskCookie,
  signFlaskSessionId,
  signDjangoCookie,
  signJwt,
  COOKIE_SESSION_DEFAULTS,
  COOKIE_SESSION_SHAPE,
  SIGNED_VALUE,
  cookieSessionSignature,
  nodeCookieValue,
  signCookieParserValue,
  signCookieSession,
  signRailsCookie,
  signExpressSessionId,
  signatureCookieName,
  type KnownFormatId,
  type DigestName,
  type HmacAlgorithm,
  type PyValue,
  type Result,
  unquoteCookieValue,
} from '../core';
import { randomBytes } from 'node:crypto';
import { isatty } from 'node:tty';
import { HELP, InputError, parseCli, UsageError, type CliOptions } from './args';
import { auditExitCode, auditJson, auditText, runAuditSearch, runHashcat, type ChunkSource } from './audit';
import { analysisExitCode, analysisJson, analysisText, deletionJson, deletionText, makePrinter, type Printer } from './output';
import { openChunkSource, processOutput, readStdinBounded } from './stdio';

declare const __SESSION_LENS_VERSION__: string;

interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  /** Standard input, read no further than `maxBytes + 1` bytes. */
  readStdin(maxBytes: number): Uint8Array;
  /** A wordlist read in pieces (audit); "-" is standard input. Default: the file system and fd 0. */
  openWordlist?(path: string): ChunkSource;
  /** Milliseconds, for audit's rate (default: performance.now). */
  now?(): number;
  stdout(text: string): void;
  stderr(text: string): void;
  color: boolean;
}

/** Standard input and `--payload` are refused beyond this: a cookie holds about 4 KB, a header line a few dozen. */
export const MAX_INPUT_BYTES = 1024 * 1024;

const COOKIE_PAIR = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(.*)$/s;
const SET_COOKIE_ATTRIBUTE = /^(?:expires|max-age|domain|path|secure|httponly|samesite|partitioned|priority)\s*(?:=|$)/i;
// The shape detectFlask looks for; its payload decodes to a JSON object when it starts with "e" ("{")
// or is zlib data (".eJ").
const FLASK_SHAPE = /^\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{0,11}\.[A-Za-z0-9_-]{20,}$/;

/** How much a value looks like a session cookie, from its shape alone: choosing decodes nothing. */
function shapeScore(value: string): number {
  if (value.length > MAX_COOKIE_VALUE_LENGTH) return 0;
  const cookie = unquoteCookieValue(value);
  if (FLASK_SHAPE.test(cookie)) return /^\.?e/.test(cookie) ? 3 : 1;
  if (DJANGO_SHAPE.test(cookie)) return /^ey[IJKL]|^\.eJ/.test(cookie) ? 3 : 1;
  if (JWT_SHAPE.test(cookie)) return 3;
  if (SIGNED_VALUE.test(nodeCookieValue(value))) return 3;
  if (value.length % 4 === 0 && COOKIE_SESSION_SHAPE.test(cookie)) return 2;
  return detectFlaskSession('', cookie) ? 2 : 0;
}

/** The first `max` non-blank `;`-separated parts, trimmed, and whether more follow. */
function firstParts(text: string, max: number): { parts: string[]; more: boolean } {
  const parts: string[] = [];
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf(';', start);
    const part = text.slice(start, end < 0 ? text.length : end).trim();
    if (part !== '') {
      if (parts.length === max) return { parts, more: true };
      parts.push(part);
    }
    if (end < 0) break;
    start = end + 1;
  }
  return { parts, more: false };
}

export interface CookieInput {
  name: string | undefined;
  value: string;
  /** The input is a Set-Cookie line that removes the cookie (Max-Age ≤ 0 or an Expires in the past). */
  deletion: boolean;
  /** What the reader should know about how the cookie was picked from the input. */
  notes: string[];
  /** A `<name>.sig` pair on the same Cookie line (cookie-session's signature). */
  signatureCookie?: string;
}

/**
 * Accepts what people paste: a bare value, `name=value`, or a whole
 * `Cookie:` / `Set-Cookie:` line. A bare value can itself contain `=` (Python
 * accepts padded signatures), so the reading whose value looks more like a session wins.
 */
export function extractCookie(input: string, preferredName: string | undefined, nowMs = Date.now()): CookieInput {
  const trimmed = input.trim();
  const prefix = /^(set-)?cookie:\s*/i.exec(trimmed);
  const headerless = prefix ? trimmed.slice(prefix[0].length) : trimmed;
  const { parts, more } = firstParts(headerless, MAX_COOKIES_EXAMINED);
  const notes = more ? [`the line has more than ${MAX_COOKIES_EXAMINED} cookies; only the first ${MAX_COOKIES_EXAMINED} were considered`] : [];
  const bare: CookieInput = { name: preferredName, value: headerless, deletion: false, notes };

  const setCookie = prefix ? prefix[1] !== undefined : parts.length > 1 && parts.slice(1).every((part) => SET_COOKIE_ATTRIBUTE.test(part));
  if (setCookie) {
    const parsed = parseSetCookie(parts.join('; '));
    if (!parsed || parsed.name === '') return { ...bare, value: parts[0] ?? '' };
    return { name: parsed.name, value: parsed.value, deletion: isDeletion(parsed, nowMs), notes };
  }

  // The first pair with the wanted name (the one Flask reads), else the one shaped most like a session.
  const wanted = preferredName ?? 'session';
  let best: { name: string; value: string; score: number } | undefined;
  for (const part of parts) {
    const m = COOKIE_PAIR.exec(part);
    if (!m) continue;
    if (m[1] === wanted) {
      best = { name: m[1], value: m[2]!, score: Infinity };
      break;
    }
    const score = shapeScore(m[2]!);
    if (!best || score > best.score) best = { name: m[1]!, value: m[2]!, score };
  }
  if (more && best?.score !== Infinity) {
    // Past the cookies examined by shape, the wanted name is still matched (a cheap comparison, as in the panel).
    const named = headerless.split(';').find((part) => part.trimStart().startsWith(`${wanted}=`));
    if (named !== undefined) best = { name: wanted, value: named.trimStart().slice(wanted.length + 1).trim(), score: Infinity };
  }
  if (!best) return bare;
  if (best.score !== Infinity && preferredName !== undefined) notes.push(`no cookie is named ${preferredName}; read ${best.name}, the one shaped most like a session`);
  const sigName = signatureCookieName(best.name);
  const sigPart = parts.find((part) => part.startsWith(`${sigName}=`));
  const pair: CookieInput = { name: best.name, value: best.value, deletion: false, notes };
  if (sigPart !== undefined) pair.signatureCookie = sigPart.slice(sigName.length + 1);
  if (prefix || headerless.includes(';') || best.score === Infinity) return pair;
  return best.score > shapeScore(headerless) ? pair : bare;
}

function readInput(value: string, io: Io, what: string): string {
  if (value !== '-') return value;
  const bytes = io.readStdin(MAX_INPUT_BYTES);
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new SessionLensError('ERR_INPUT_TOO_LARGE', `standard input (${what}) is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; a cookie holds about 4 KB`);
  }
  return new TextDecoder().decode(bytes);
}

function runSign(options: CliOptions, io: Io, print: Printer): number {
  const payloadText = readInput(options.payload!, io, 'the payload');
  const size = new TextEncoder().encode(payloadText).length;
  if (size > MAX_INPUT_BYTES) {
    throw new SessionLensError('ERR_INPUT_TOO_LARGE', `--payload is ${size} bytes; sign takes at most ${MAX_INPUT_BYTES / 1024 / 1024} MiB of JSON (a cookie holds about 4 KB)`);
  }
  let payload;
  try {
    payload = parseTypedJson(payloadText);
  } catch (error) {
    const message = error instanceof SessionLensError ? error.message : String(error);
    throw new UsageError(`--payload is not valid JSON in the "$type" representation: ${message}`);
  }
  if (options.format !== undefined && options.format !== 'flask') return signOther(options.format, payload, options, print);
  const signed = signFlaskCookie(payload, {
    secret: options.secrets[0]!,
    salt: options.salt,
    digest: options.digest,
    keyDerivation: options.keyDerivation,
    timestamp: options.timestamp,
    sortKeys: options.sortKeys,
    ensureAscii: options.ensureAscii,
  });
  if (!signed.ok) {
    print.error(`cannot sign: ${signed.error.message} [${signed.error.code}]`);
    return 2;
  }
  const { cookie, compressed, timestamp, jsonText } = signed.value;
  if (options.json) {
    print.json(`{"cookie":${jsonString(cookie, false)},"compressed":${compressed},"timestamp":${timestamp},"payload_json_text":${jsonString(jsonText, false)}}`);
  } else {
    print.lines([[cookie]]);
  }
  return 0;
}

const JWT_ALGORITHMS: Partial<Record<DigestName, HmacAlgorithm>> = { sha256: 'HS256', sha384: 'HS384', sha512: 'HS512' };

/** A session id given as --payload: a JSON string. */
function idPayload(payload: PyValue, format: string): string {
  if (payload.type !== 'str') throw new UsageError(`sign --format ${format} signs a session id: give --payload as a JSON string, e.g. '"9f0c…"'`);
  return payload.value;
}

/**
 * sign --format jwt (the payload a JSON object; --digest sha256|sha384|sha512 picks HS256/384/512),
 * django or cookie-session (a session: a JSON object), cookie-parser (any JSON value), flask-session
 * or express-session (the id, a JSON string).
 */
function signOther(format: Exclude<KnownFormatId, 'flask'>, payload: PyValue, options: CliOptions, print: Printer): number {
  let signed: Result<string>;
  const secret = options.secrets[0]!;
  let companion = '';
  if (format === 'cookie-session') {
    const name = options.name ?? COOKIE_SESSION_DEFAULTS.cookieName;
    signed = signCookieSession(payload, { secret });
    if (signed.ok) {
      const sig = cookieSessionSignature(name, signed.value, secret, options.digest);
      companion = `,"sig_cookie":${jsonString(signatureCookieName(name), false)},"sig":${jsonString(sig, false)}`;
      if (!options.json) {
        print.lines([[`${name}=${signed.value}`], [`${signatureCookieName(name)}=${sig}`]]);
        return 0;
      }
    }
  } else if (format === 'rails') {
    if (options.name === undefined) throw new UsageError("sign --format rails needs --cookie-name: the message's purpose is cookie.NAME, and Rails checks it");
    signed = signRailsCookie(payload, { secret, cookieName: options.name, digest: options.digest, iv: new Uint8Array(randomBytes(12)) });
  } else if (format === 'express-session') {
    signed = signExpressSessionId(idPayload(payload, format), { secret });
  } else if (format === 'cookie-parser') {
    signed = signCookieParserValue(payload, { secret });
  } else if (format === 'django') {
    signed = signDjangoCookie(payload, { secret, timestamp: options.timestamp, digest: options.digest, salt: options.salt });
  } else if (format === 'jwt') {
    const algorithm = JWT_ALGORITHMS[options.digest ?? 'sha256'];
    if (!algorithm) throw new UsageError(`sign --format jwt signs with HS256, HS384 or HS512: --digest must be sha256, sha384 or sha512, got ${options.digest}`);
    signed = signJwt(payload, { secret, algorithm });
  } else {
    signed = signFlaskSessionId(idPayload(payload, format), { secret, salt: options.salt, digest: options.digest, keyDerivation: options.keyDerivation });
  }
  if (!signed.ok) {
    print.error(`cannot sign: ${signed.error.message} [${signed.error.code}]`);
    return 2;
  }
  if (options.json) print.json(`{"cookie":${jsonString(signed.value, false)},"format":${jsonString(format, false)}${companion}}`);
  else print.lines([[signed.value]]);
  return 0;
}

function runAnalyze(options: CliOptions, io: Io, print: Printer): number {
  const nowMs = options.now !== undefined ? options.now * 1000 : Date.now();
  const input = extractCookie(readInput(options.input!, io, 'the cookie'), options.name, nowMs);
  if (input.deletion) {
    if (options.json) print.json(deletionJson(input.name!, input.notes));
    else print.lines(deletionText(input.name!, input.notes));
    return 0;
  }
  const analysis = analyzeCookie(input.name ?? 'session', input.value, {
    secrets: options.command === 'verify' ? options.secrets : [],
    salt: options.salt,
    digest: options.digest,
    keyDerivation: options.keyDerivation,
    // Absent: the framework's own default (none for Flask and JWT, SESSION_COOKIE_AGE for Django).
    maxAge: options.maxAge,
    now: options.now,
    format: options.format,
    // Where the name is signed (cookie-session) or is the purpose (Rails), each format has its default.
    cookieName: input.name,
    signatureCookie: options.signatureCookie ?? input.signatureCookie ?? null,
    // Flask first: a value of no known shape is read the way a Flask server would read it.
    fallbackFormat: 'flask',
  });
  if (options.json) print.json(analysisJson(analysis, input.notes));
  else print.lines(analysisText(analysis, options.secrets.length, input.notes));
  return analysisExitCode(analysis);
}

function openWordlist(io: Io, path: string): ChunkSource {
  try {
    return (io.openWordlist ?? openChunkSource)(path);
  } catch (error) {
    throw new InputError(`cannot read wordlist ${path}: ${(error as Error).message}`);
  }
}

function runAudit(options: CliOptions, io: Io, print: Printer): number {
  const input = extractCookie(readInput(options.input!, io, 'the cookie'), options.name);
  if (input.deletion) throw new InputError(`the input is a Set-Cookie that deletes ${input.name}: there is no signed value to audit`);
  const name = input.name ?? 'session';
  if (options.hashcat) return runHashcat(name, input.value, options, print);
  const withSig = { ...options, signatureCookie: options.signatureCookie ?? input.signatureCookie };
  const report = runAuditSearch(name, input.value, withSig, {
    openWordlist: (path) => {
      const source = openWordlist(io, path);
      return {
        read: (buffer) => {
          try {
            return source.read(buffer);
          } catch (error) {
            throw new InputError(`cannot read wordlist ${path}: ${(error as Error).message}`);
          }
        },
        close: () => source.close(),
      };
    },
    now: io.now ?? (() => performance.now()),
  });
  if (options.json) print.json(auditJson(report));
  else print.lines(auditText(report));
  for (const note of input.notes) print.error(`note: ${note}`);
  return auditExitCode(report);
}

export function main(io: Io): number {
  const print = makePrinter(io);
  try {
    const parsed = parseCli(io.argv, io.env);
    if (parsed.kind === 'version') {
      print.lines([[`session-lens ${__SESSION_LENS_VERSION__}`]]);
      return 0;
    }
    if (parsed.kind === 'help') {
      print.lines(HELP[parsed.command ?? 'main'].split('\n').map((line) => [line]));
      return 0;
    }
    const { options } = parsed;
    if (options.command === 'sign') return runSign(options, io, print);
    return options.command === 'audit' ? runAudit(options, io, print) : runAnalyze(options, io, print);
  } catch (error) {
    if (error instanceof UsageError) {
      print.error(`${error.message}\nRun "session-lens --help" for usage.`);
      return 2;
    }
    if (error instanceof InputError) {
      print.error(error.message);
      return 2;
    }
    if (error instanceof SessionLensError) {
      print.error(`${error.message} [${error.code}]`);
      return 2;
    }
    // Status 1 means "verified but not valid", so a crash must not end with Node's default 1.
    print.error(`internal error (a bug in session-lens): ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntryPoint) {
  const output = processOutput();
  const status = main({
    argv: process.argv.slice(2),
    env: process.env,
    readStdin: readStdinBounded,
    stdout: output.stdout,
    stderr: output.stderr,
    // isatty, not process.stdout.isTTY: creating process.stdout would make a piped fd 1 non-blocking.
    color: isatty(1) && !process.env.NO_COLOR,
  });
  // Output that could not be written is a failure of the run, not an answer about the cookie.
  process.exitCode = output.failed ? 2 : status;
}
