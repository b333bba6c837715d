import { readFileSync } from 'node:fs';
import { analyzeCookie, detectFormats, jsonString, parseTypedJson, signFlaskCookie, SessionLensError } from '../core';
import { HELP, parseCli, UsageError, type CliOptions } from './args';
import { analysisExitCode, analysisJson, analysisText, makeStyle } from './output';

declare const __SESSION_LENS_VERSION__: string;

interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  readStdin(): string;
  stdout(text: string): void;
  stderr(text: string): void;
  color: boolean;
}

const CONFIDENCE_SCORE = { high: 3, medium: 2, low: 1 } as const;

function recognition(name: string | undefined, value: string): number {
  const best = detectFormats(name ?? 'session', value)[0]!;
  return best.format === 'unknown' ? 0 : CONFIDENCE_SCORE[best.confidence];
}

/**
 * Accepts what people paste: a bare value, `name=value`, or a whole
 * `Cookie:` / `Set-Cookie:` line. A bare value can itself contain `=` (Python
 * accepts padded signatures), so the reading whose value is recognised best wins.
 */
export function extractCookie(input: string, preferredName: string | undefined): { name: string | undefined; value: string } {
  const trimmed = input.trim();
  const headerless = trimmed.replace(/^(set-)?cookie:\s*/i, '');
  const looksLikeHeader = headerless !== trimmed || headerless.includes(';');
  const pairs = headerless
    .split(/;\s*/)
    .map((pair) => /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(.*)$/s.exec(pair))
    .filter((m): m is RegExpExecArray => m !== null);
  // The pair with the wanted name, else the one that looks most like a session cookie.
  const chosen =
    pairs.find((m) => m[1] === (preferredName ?? 'session')) ??
    pairs.reduce<RegExpExecArray | undefined>((best, m) => (!best || recognition(m[1], m[2]!) > recognition(best[1], best[2]!) ? m : best), undefined);
  if (!chosen) return { name: preferredName, value: headerless };
  const pair = { name: preferredName ?? chosen[1], value: chosen[2]! };
  if (looksLikeHeader) return pair;
  const bare = { name: preferredName, value: headerless };
  return recognition(pair.name, pair.value) > recognition(bare.name, bare.value) ? pair : bare;
}

function readInput(value: string, io: Io): string {
  return value === '-' ? io.readStdin() : value;
}

function runSign(options: CliOptions, io: Io): number {
  const payloadText = readInput(options.payload!, io);
  let payload;
  try {
    payload = parseTypedJson(payloadText);
  } catch (error) {
    const message = error instanceof SessionLensError ? error.message : String(error);
    throw new UsageError(`--payload is not valid JSON in the "$type" representation: ${message}`);
  }
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
    io.stderr(`session-lens: cannot sign: ${signed.error.message} [${signed.error.code}]\n`);
    return 2;
  }
  const { cookie, compressed, timestamp, jsonText } = signed.value;
  if (options.json) {
    io.stdout(`{"cookie":${jsonString(cookie, false)},"compressed":${compressed},"timestamp":${timestamp},"payload_json_text":${jsonString(jsonText, false)}}\n`);
  } else {
    io.stdout(`${cookie}\n`);
  }
  return 0;
}

function runAnalyze(options: CliOptions, io: Io): number {
  const { name, value } = extractCookie(readInput(options.input!, io), options.name);
  const analysis = analyzeCookie(name ?? 'session', value, {
    secrets: options.command === 'verify' ? options.secrets : [],
    salt: options.salt,
    digest: options.digest,
    keyDerivation: options.keyDerivation,
    maxAge: options.maxAge ?? null,
    now: options.now,
    format: options.format,
    // Flask first: a value of no known shape is read the way a Flask server would read it.
    fallbackFormat: 'flask',
  });
  io.stdout(options.json ? `${analysisJson(analysis)}\n` : `${analysisText(analysis, makeStyle(io.color), options.secrets.length)}\n`);
  return analysisExitCode(analysis);
}

export function main(io: Io): number {
  try {
    const parsed = parseCli(io.argv, io.env);
    if (parsed.kind === 'version') {
      io.stdout(`session-lens ${__SESSION_LENS_VERSION__}\n`);
      return 0;
    }
    if (parsed.kind === 'help') {
      io.stdout(`${HELP[parsed.command ?? 'main']}\n`);
      return 0;
    }
    return parsed.options.command === 'sign' ? runSign(parsed.options, io) : runAnalyze(parsed.options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`session-lens: ${error.message}\nRun "session-lens --help" for usage.\n`);
      return 2;
    }
    throw error;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isEntryPoint) {
  process.exitCode = main({
    argv: process.argv.slice(2),
    env: process.env,
    readStdin: () => readFileSync(0, 'utf8'),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  });
}
