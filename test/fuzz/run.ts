/**
 * `npm run fuzz [-- --runs N] [--seed S] [--target NAME]`: feeds every fuzz target N inputs
 * (1,000,000 by default) and checks the invariants plus the budgets of issue 7, per call of a
 * decoder or renderer: < 50 ms and < 64 MB. Exits 1 on any breach.
 *
 * Time and memory of one call depend on what ran before it (the JIT, garbage left by earlier
 * inputs), so an input whose slowest call takes over 10 ms is run again on its own, after a
 * full GC (node --expose-gc, as the npm script runs it): that re-run is what the budgets judge,
 * by its slowest call's main-thread CPU time, bounded from above by both its wall time and the
 * process's CPU time (which adds the GC and JIT threads): so other processes on a busy machine do
 * not count against a call, and nothing the call did is left out. Its heap growth (used heap after the input minus before, with no GC forced
 * in between) bounds the input's peak memory from above.
 */
import { parseArgs } from 'node:util';
import { FuzzFailure, Rng, fuzzTargets, prototypeIsClean, slowestCall } from './targets';

const TIME_BUDGET_MS = 50;
const HEAP_BUDGET_BYTES = 64 * 1024 * 1024;
const RECHECK_OVER_MS = 10;

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' } } });
const runs = Number(values.runs ?? 1_000_000);
const seed = Number(values.seed ?? 1);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run fuzz does)');

/** An upper bound of a call's main-thread CPU time. */
const judged = (call: { ms: number; cpuMs: number }) => Math.min(call.ms, call.cpuMs);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

let failed = false;
for (const target of fuzzTargets().filter((t) => !values.target || t.name === values.target)) {
  const rng = new Rng(seed);
  let failures = 0;
  let rechecked = 0;
  /** The slowest call as first seen in the stream of inputs, and the slowest on its own re-run. */
  let firstSeen = { ms: 0, cpuMs: 0, api: '' };
  let isolated = { ms: 0, cpuMs: 0, api: '', input: '' };
  let peakGrowth = { bytes: 0, input: '' };
  const run = (input: string, i: number) => {
    slowestCall.ms = 0;
    try {
      target.run(input);
    } catch (error) {
      failures++;
      if (failures <= 3) console.error(`${target.name} #${i}: ${error instanceof FuzzFailure ? '' : 'threw '}${(error as Error).stack ?? error}\n  input: ${JSON.stringify(input.slice(0, 300))}`);
    }
    return { ...slowestCall };
  };
  gc();
  const heapAtStart = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const input = target.input(rng);
    const seen = run(input, i);
    if (seen.ms > firstSeen.ms) firstSeen = seen;
    if (seen.ms > RECHECK_OVER_MS || i % 50_000 === 0) {
      rechecked++;
      gc();
      const before = process.memoryUsage().heapUsed;
      const alone = run(input, i);
      const growth = process.memoryUsage().heapUsed - before;
      if (judged(alone) > judged(isolated)) isolated = { ...alone, input };
      if (growth > peakGrowth.bytes) peakGrowth = { bytes: growth, input };
    }
    if (i % 10_000 === 0 && !prototypeIsClean()) {
      failures++;
      console.error(`${target.name} #${i}: Object.prototype changed`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  gc();
  const retained = process.memoryUsage().heapUsed - heapAtStart;
  const overTime = judged(isolated) > TIME_BUDGET_MS;
  const overHeap = peakGrowth.bytes > HEAP_BUDGET_BYTES;
  failed ||= failures > 0 || overTime || overHeap;
  console.log(
    `${target.name.padEnd(22)} ${runs.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s · failures ${failures} · ` +
      `slowest call ${judged(isolated).toFixed(1)} ms (${isolated.ms.toFixed(1)} wall, ${isolated.cpuMs.toFixed(1)} process CPU; ${isolated.api}, on its own)${overTime ? ' OVER BUDGET' : ''}, ${firstSeen.ms.toFixed(1)} ms wall in the stream (${firstSeen.api}) · ` +
      `peak heap growth ${mb(peakGrowth.bytes)}${overHeap ? ' OVER BUDGET' : ''} · retained ${mb(Math.max(0, retained))} · ${rechecked.toLocaleString('en')} re-run alone`,
  );
  if (overTime) console.log(`  slowest input (${isolated.input.length} chars): ${JSON.stringify(isolated.input.slice(0, 200))}`);
  if (overHeap) console.log(`  most memory (${peakGrowth.input.length} chars): ${JSON.stringify(peakGrowth.input.slice(0, 200))}`);
}
process.exitCode = failed ? 1 : 0;
