/**
 * Weak-secret search speed: candidates per second for the audit kernel
 * (sha1 and sha256, hmac key derivation) against node:crypto's createHmac
 * doing the same work in the same process.
 *
 *   node --import tsx bench/audit.ts [--runs N]
 *
 * Run that way, this file bundles itself with Vite and runs the bundle with
 * plain node: under tsx the hashing loops measured markedly slower.
 * Candidates come from ../shared/wordlists/flask-unsign-all.txt when it is
 * next to the checkout (benchmarks only; it is not part of the project),
 * otherwise from generated words.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CandidateBatch, createAuditor, readWordlist } from '../src/core/audit';
import type { DigestName } from '../src/core';

const self = fileURLToPath(import.meta.url);

if (self.endsWith('.ts')) {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'session-lens-bench-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      ssr: { noExternal: true },
      build: { ssr: self, outDir, emptyOutDir: true, target: 'node20', minify: false, rolldownOptions: { output: { entryFileNames: 'audit.mjs' } } },
    });
    const wordlist = join(self, '..', '..', '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
    const run = spawnSync(process.execPath, [join(outDir, 'audit.mjs'), '--wordlist', wordlist, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
} else {
  await bench();
}

async function bench(): Promise<void> {
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const runs = Number(flag('--runs') ?? 5);
  const wordlistPath = flag('--wordlist') ?? '';
  const batch = new CandidateBatch();
  if (existsSync(wordlistPath)) {
    for await (const read of readWordlist([readFileSync(wordlistPath)])) for (let i = 0; i < read.count; i++) batch.addRange(read.bytes, read.start(i), read.end(i));
  } else {
    for (let i = 0; i < 55_000; i++) batch.add(`secret-${i}-${(i * 2654435761) % 1e9}`);
  }
  const buffers = Array.from({ length: batch.count }, (_, i) => Buffer.from(batch.get(i)));
  const secret = 'session-lens bench: not in any list';
  const signingInput = 'eyJjc3JmX3Rva2VuIjoiNGY1YzE4ZTIiLCJ1c2VyX2lkIjo0Mn0.ZVBpAA';
  const salt = Buffer.from('cookie-session');
  const cookieFor = (digest: DigestName) => {
    const key = createHmac(digest, secret).update(salt).digest();
    return `${signingInput}.${createHmac(digest, key).update(signingInput).digest('base64url')}`;
  };
  const passes = 4; // candidates per timed run: passes × the list
  const perRun = passes * batch.count;

  // Best of several runs, by wall clock and by this process's CPU time: other work on a shared machine slows the first, not the second.
  const measure = (label: string, fn: () => void): number => {
    fn(); // warm-up
    let best = Infinity;
    let bestCpu = Infinity;
    for (let r = 0; r < runs; r++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let p = 0; p < passes; p++) fn();
      best = Math.min(best, performance.now() - start);
      const used = process.cpuUsage(cpu);
      bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
    }
    const rate = perRun / (best / 1000);
    const cpuRate = perRun / (bestCpu / 1000);
    const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);
    console.log(`  ${label.padEnd(48)} ${format(rate)} /s wall  ${format(cpuRate)} /s per CPU second`);
    return rate;
  };

  console.log(`\n${batch.count.toLocaleString('en-US')} candidates × ${passes} per run, best of ${runs} runs; the secret is not among them`);
  const rates: Record<string, number> = {};
  const message = Buffer.from(signingInput);
  for (const digest of ['sha1', 'sha256'] as const) {
    const cookie = cookieFor(digest);
    const kernels = digest === 'sha1' ? ([['WebAssembly SIMD', true], ['plain JS', false]] as const) : ([['plain JS', false]] as const);
    for (const [name, simd] of kernels) {
      const auditor = createAuditor(cookie, { digest, simd });
      rates[`${digest} ${name}`] = measure(`audit kernel (${name}), ${digest} + hmac`, () => {
        if (auditor.tryBatch(batch) !== -1) throw new Error('unexpected hit');
      });
    }
    rates[`${digest} node`] = measure(`node:crypto createHmac, ${digest} + hmac (reference)`, () => {
      for (const candidate of buffers) createHmac(digest, createHmac(digest, candidate).update(salt).digest()).update(message).digest();
    });
  }
  console.log('\n  kernel / node:crypto (wall clock, same run)');
  for (const key of Object.keys(rates)) if (!key.endsWith('node')) console.log(`    ${key.padEnd(24)} ${(rates[key]! / rates[`${key.split(' ')[0]} node`]!).toFixed(2)}×`);
  const jsonOut = flag('--json-out');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rates, candidates: batch.count }));
}
