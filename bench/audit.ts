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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
      build: { ssr: self, outDir, target: 'node20', minify: false, rolldownOptions: { output: { entryFileNames: 'audit.mjs' } } },
    });
    const run = spawnSync(process.execPath, [join(outDir, 'audit.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
} else {
  await bench();
}

async function bench(): Promise<void> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
  const wordlistPath = join(self, '..', '..', '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
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

  const measure = (label: string, fn: () => void): number => {
    fn(); // warm-up
    let best = Infinity;
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      for (let p = 0; p < passes; p++) fn();
      best = Math.min(best, performance.now() - start);
    }
    const rate = perRun / (best / 1000);
    console.log(`  ${label.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} candidates/s`);
    return rate;
  };

  console.log(`\n${batch.count.toLocaleString('en-US')} candidates × ${passes} per run, best of ${runs} runs; the secret is not among them`);
  const rates: Record<string, number> = {};
  for (const digest of ['sha1', 'sha256'] as const) {
    const cookie = cookieFor(digest);
    const auditor = createAuditor(cookie, { digest });
    rates[`${digest} kernel`] = measure(`audit kernel, ${digest} + hmac derivation`, () => {
      if (auditor.tryBatch(batch) !== -1) throw new Error('unexpected hit');
    });
    const message = Buffer.from(signingInput);
    rates[`${digest} node`] = measure(`node:crypto createHmac, ${digest} (reference)`, () => {
      for (const candidate of buffers) createHmac(digest, createHmac(digest, candidate).update(salt).digest()).update(message).digest();
    });
  }
  console.log('\n  kernel / node:crypto');
  for (const digest of ['sha1', 'sha256']) console.log(`    ${digest}  ${(rates[`${digest} kernel`]! / rates[`${digest} node`]!).toFixed(2)}×`);
}
