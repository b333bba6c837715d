/**
 * `npm run bench`: speed as ratios against references measured in the same run, on the code as
 * it ships (each part is bundled with Vite and run with plain node; under tsx the hashing loops
 * measured markedly slower). Prints a table of ratios first and writes bench/results.json.
 *
 * 1. Codec: decode + verify of real Flask cookies (made by the real Flask), small and ~2 KB
 *    zlib-compressed, against Flask's own session serializer on Debian's Python (itsdangerous 2.1.2).
 * 2. Weak-secret check: the audit kernel against the flask-unsign-style Python loop and a raw
 *    Python hmac loop, on ../shared/wordlists/flask-unsign-all.txt (benchmarks only, not shipped).
 * 3. Panel bundle size, gzipped (dist/ must be built: npm run build).
 * 4. In Chromium, with the extension from dist/ (bench/chromium.ts): the panel's weak-secret check in
 *    its workers on the public list, the Timeline's re-analysis of 10,000 rows when the key is pasted
 *    (and the longest frame gap meanwhile), panel shown → first render, and page load time with the
 *    extension against a profile without it. Skipped, with a line saying why, without Chromium or dist/
 *    (the weak-secret check also without ../shared).
 * Not measured here yet: Firefox.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { benchChromium, type BenchRow } from './chromium';

const ROOT = join(import.meta.dirname, '..');
const WORDLIST = join(ROOT, '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
const DEBIAN_PYTHON = '/usr/bin/python3';
const REFERENCE = join(ROOT, 'bench', 'itsdangerous_reference.py');
const SECRET = 'session-lens bench secret';
const work = mkdtempSync(join(tmpdir(), 'session-lens-bench-'));

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

async function bundle(entry: string, name: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    ssr: { noExternal: true },
    build: { ssr: join(ROOT, entry), outDir: join(work, name), emptyOutDir: true, target: 'node20', minify: false, rolldownOptions: { output: { entryFileNames: `${name}.mjs` } } },
  });
  return join(work, name, `${name}.mjs`);
}

const rows: BenchRow[] = [];
const results: Record<string, unknown> = { machine: { cores: (await import('node:os')).cpus().length, node: process.version, load_average: (await import('node:os')).loadavg() } };
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

try {
  // 1. Codec
  const codec = await bundle('bench/codec.ts', 'codec');
  for (const kind of ['small', 'compressed'] as const) {
    const file = join(work, `${kind}.txt`);
    writeFileSync(file, run(DEBIAN_PYTHON, [REFERENCE, 'gen', kind, '2000', SECRET]));
    const ours = JSON.parse(run(process.execPath, [codec, file, SECRET, '2'])) as { verify_per_second: number; decode_per_second: number };
    const python = JSON.parse(run(DEBIAN_PYTHON, [REFERENCE, 'loads', file, SECRET, '2'])) as { per_second: number; versions: Record<string, string> };
    results[`codec_${kind}`] = { ours, itsdangerous: python };
    rows.push({
      work: `decode + verify, ${kind} Flask cookie`,
      ours: perSecond(ours.verify_per_second),
      reference: `${perSecond(python.per_second)} (itsdangerous ${python.versions.itsdangerous})`,
      ratio: ours.verify_per_second / python.per_second,
      goal: '≥ 10× (at least 5×)',
    });
  }

  // 2. Weak-secret check
  if (existsSync(WORDLIST)) {
    const audit = await bundle('bench/audit.ts', 'audit');
    const out = join(work, 'audit.json');
    run(process.execPath, [audit, '--wordlist', WORDLIST, '--runs', '3', '--json-out', out]);
    const ours = JSON.parse(readFileSync(out, 'utf8')) as { rates: Record<string, number>; candidates: number };
    const cookie = 'eyJjc3JmX3Rva2VuIjoiNGY1YzE4ZTIiLCJ1c2VyX2lkIjo0Mn0.ZVBpAA.' + 'A'.repeat(27);
    const python = JSON.parse(run(DEBIAN_PYTHON, [REFERENCE, 'audit', WORDLIST, cookie])) as { flask_unsign_loop_per_second: number; raw_hmac_loop_per_second: number };
    results.audit = { ours, python };
    const best = Math.max(ours.rates['sha1 WebAssembly SIMD'] ?? 0, ours.rates['sha1 plain JS'] ?? 0);
    rows.push({ work: 'candidate secrets (sha1, hmac) vs flask-unsign loop', ours: perSecond(best), reference: perSecond(python.flask_unsign_loop_per_second), ratio: best / python.flask_unsign_loop_per_second, goal: '≥ 25×' });
    rows.push({ work: 'candidate secrets (sha1, hmac) vs raw Python hmac', ours: perSecond(best), reference: perSecond(python.raw_hmac_loop_per_second), ratio: best / python.raw_hmac_loop_per_second, goal: '≥ 3× (1,000,000/s)' });
  } else {
    console.log(`(no ${WORDLIST}: the weak-secret part is skipped)`);
  }

  // 3. Panel bundle size
  const assets = join(ROOT, 'dist', 'assets');
  if (existsSync(assets)) {
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js') && statSync(join(assets, f)).isFile());
    const gzipped = scripts.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    results.bundle = { scripts: scripts.length, gzipped_bytes: gzipped };
    rows.push({ work: 'extension JavaScript, gzipped', ours: `${(gzipped / 1024).toFixed(0)} KB`, reference: '150 KB budget', ratio: gzipped / (150 * 1024), goal: '≤ 1×' });
  }

  // 4. In Chromium (last: the other parts' figures are not taken while a browser runs)
  const chromium = await benchChromium({ wordlist: WORDLIST });
  rows.push(...chromium.rows);
  Object.assign(results, chromium.results);
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log('\n| work | Session Lens | reference (same run) | ratio | goal |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.work} | ${r.ours} | ${r.reference} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.goal} |`);
results.table = rows;
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench/results.json');
