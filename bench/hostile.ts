/**
 * `npm run bench:hostile`: the hostile inputs of issue 7 (§2's table, plus what the budgets found
 * since) through the CLI as it ships (dist-cli/session-lens.js, so `npm run build:cli` first), each
 * in a fresh process: wall time beyond the CLI's own start-up (`--version`, measured in the same
 * run), peak memory (GNU time's maximum resident set), the exit status and the first words of the
 * answer. Prints a table; writes nothing. The cases' payloads are test/support/hostile.ts's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE_SECRET, amplifyingCases, crowdedCookieHeader, linearCases, nest, rawFlaskCookie } from '../test/support/hostile';
import { b64urlEncode, utf8Encode } from '../src/core/codec/bytes';
import { prepareKeys, signatureFor, encodeTimestamp } from '../src/core/codec/itsdangerous';

const CLI = join(import.meta.dirname, '..', 'dist-cli', 'session-lens.js');
const GNU_TIME = '/usr/bin/time';
const RUNS = 3;

interface Case {
  name: string;
  args: string[];
  stdin?: string;
}

interface Measured {
  ms: number;
  maxRssMb: number;
  status: number | null;
  answer: string;
}

function runOnce({ args, stdin }: Case): Measured {
  const started = performance.now();
  const result = spawnSync(GNU_TIME, ['-f', '%M', process.execPath, CLI, ...args], { input: stdin ?? '', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  const stderrLines = result.stderr.trim().split('\n');
  const maxRssKb = Number(stderrLines.pop());
  const answer = (result.stdout.trim() || stderrLines.join(' ')).replace(/\s+/g, ' ').slice(0, 70);
  return { ms, maxRssMb: maxRssKb / 1024, status: result.status, answer };
}

/** The median of RUNS runs (by time); the memory is that run's. */
function measure(c: Case): Measured {
  const runs = Array.from({ length: RUNS }, () => runOnce(c)).sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(RUNS / 2)]!;
}

const byName = (name: string) => [...amplifyingCases(), ...linearCases()].find((c) => c.name === name)!.jsonText;
const cookieOf = (name: string) => rawFlaskCookie(byName(name));

/** A Flask cookie signed with `digest`, about `bytes` long (uncompressed payload). */
function largeCookie(bytes: number, digest: 'sha1' | 'sha512'): string {
  const payload = b64urlEncode(utf8Encode(`{"a":"${'x'.repeat(Math.floor(((bytes - 100) * 3) / 4) - 8)}"}`));
  const signingInput = `${payload}.${encodeTimestamp(1_764_086_400)}`;
  const [key] = prepareKeys([{ text: HOSTILE_SECRET }], { salt: 'cookie-session', digest, keyDerivation: 'hmac' });
  return `${signingInput}.${signatureFor(signingInput, key!)}`;
}

/** Text zlib cannot shrink (a fixed pseudo-random sequence), so each cookie stays ~1.4 KB. */
function incompressible(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed || 1;
  return Array.from({ length }, () => alphabet[(x = (x * 1_103_515_245 + 12_345) >>> 0) % alphabet.length]).join('');
}
const manySecrets = (n: number) => Array.from({ length: n }, (_, i) => ['--secret', `wrong-${i}`]).flat();
const flaskCrowd = (pairs: number) => `Cookie: ${Array.from({ length: pairs }, (_, i) => `c${i}=${rawFlaskCookie(`{"n":${i},"pad":"${incompressible(1000, i + 1)}"}`)}`).join('; ')}`;

const CASES: Case[] = [
  { name: 'Markup lists, 24 deep (--json)', args: ['decode', '--json', '-'], stdin: rawFlaskCookie(`{"a":${nest('{" m":[', ']}', 24, '"\'\\""')}}`) },
  { name: 'Markup lists, 25 deep (--json)', args: ['decode', '--json', '-'], stdin: cookieOf('Markup lists, 25 deep') },
  { name: 'Markup lists, 26 deep (--json)', args: ['decode', '--json', '-'], stdin: cookieOf('Markup lists, 26 deep') },
  { name: 'Markup of tuple, 1,000 chars, 8 deep', args: ['decode', '--json', '-'], stdin: cookieOf('Markup of tuple around 1,000 characters, 8 deep') },
  { name: 'Markup of tuple, "AAAAAAAA", 11 deep', args: ['decode', '--json', '-'], stdin: cookieOf('Markup of tuple around "AAAAAAAA", 11 deep') },
  { name: 'UUID tag of 100,000 braces', args: ['decode', '--json', '-'], stdin: cookieOf('UUID tag of 100,000 braces') },
  { name: 'UUID tag of 1,000,000 braces', args: ['decode', '--json', '-'], stdin: cookieOf('UUID tag of 1,000,000 braces') },
  { name: 'Cookie: line of 10,000 small pairs', args: ['decode', '--json', '-'], stdin: crowdedCookieHeader(10_000, cookieOf('480 nested dicts of 400 keys')) },
  { name: '999 nested lists, 1 MB string (text)', args: ['decode', '-'], stdin: cookieOf('999 nested lists around a 1 MB string') },
  { name: '999 nested lists, 1 MB string (--json)', args: ['decode', '--json', '-'], stdin: cookieOf('999 nested lists around a 1 MB string') },
  { name: '500,000 zeros in one list (text)', args: ['decode', '-'], stdin: cookieOf('500,000 zeros in one list') },
  { name: 'Cookie: line of 700 Flask cookies (1 MB)', args: ['decode', '--json', '-'], stdin: flaskCrowd(700) },
  { name: 'Cookie: line of 1,000 Flask cookies (1.4 MB)', args: ['decode', '--json', '-'], stdin: flaskCrowd(1_000) },
  // The issue's case: a signature whose length no sha512 MAC can have is refused before any MAC.
  { name: 'verify, 30,000 --secret, 64 KB cookie, sha512 vs sha1 sig', args: ['verify', largeCookie(64 * 1024 - 1, 'sha1'), '--digest', 'sha512', ...manySecrets(30_000), '--json'] },
  // A sha512-length signature: each of the user's 30,000 secrets costs one MAC over 64 KB.
  { name: 'verify, 30,000 --secret, 64 KB cookie, sha512 sig', args: ['verify', largeCookie(64 * 1024 - 1, 'sha512'), '--digest', 'sha512', ...manySecrets(30_000), '--json'] },
  { name: 'verify, 3 --secret, 64 KB cookie, sha512 sig', args: ['verify', largeCookie(64 * 1024 - 1, 'sha512'), '--digest', 'sha512', ...manySecrets(3), '--json'] },
];

if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run npm run build:cli first`);
  process.exit(2);
}
const startup = measure({ name: 'start-up', args: ['--version'] });
console.log(`CLI start-up (--version): ${startup.ms.toFixed(0)} ms, ${startup.maxRssMb.toFixed(0)} MB; times below are beyond it (median of ${RUNS} runs)\n`);
console.log(`${'input'.padEnd(46)} ${'ms'.padStart(6)} ${'MB'.padStart(5)} exit  answer`);
for (const c of CASES) {
  const m = measure(c);
  const input = c.stdin ?? c.args.join(' ');
  console.log(`${c.name.padEnd(46)} ${Math.max(0, m.ms - startup.ms).toFixed(0).padStart(6)} ${m.maxRssMb.toFixed(0).padStart(5)} ${String(m.status).padStart(4)}  ${m.answer}  [${(input.length / 1024).toFixed(1)} KB]`);
}
