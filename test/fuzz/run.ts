/**
 * `npm run fuzz [-- --runs N] [--seed S] [--target NAME]`: feeds every fuzz target N inputs
 * (1,000,000 by default) and checks the invariants plus the budgets of issue 7: each input
 * decoded or refused in < 50 ms, and < 64 MB of heap growth. Exits 1 on any breach.
 */
import { parseArgs } from 'node:util';
import { FuzzFailure, Rng, fuzzTargets, prototypeIsClean } from './targets';

const TIME_BUDGET_MS = 50;
const HEAP_BUDGET_BYTES = 64 * 1024 * 1024;

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' } } });
const runs = Number(values.runs ?? 1_000_000);
const seed = Number(values.seed ?? 1);

let failed = false;
for (const target of fuzzTargets().filter((t) => !values.target || t.name === values.target)) {
  const rng = new Rng(seed);
  const heapBase = process.memoryUsage().heapUsed;
  let slowest = { ms: 0, input: '' };
  let peakHeap = 0;
  let failures = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const input = target.input(rng);
    const t0 = performance.now();
    try {
      target.run(input);
    } catch (error) {
      failures++;
      if (failures <= 3) console.error(`${target.name} #${i}: ${error instanceof FuzzFailure ? '' : 'threw '}${(error as Error).stack ?? error}\n  input: ${JSON.stringify(input.slice(0, 300))}`);
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, input };
    if (ms > 10 || i % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heapBase);
    if (i % 10_000 === 0 && !prototypeIsClean()) {
      failures++;
      console.error(`${target.name} #${i}: Object.prototype changed`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const overTime = slowest.ms > TIME_BUDGET_MS;
  const overHeap = peakHeap > HEAP_BUDGET_BYTES;
  failed ||= failures > 0 || overTime || overHeap;
  console.log(
    `${target.name.padEnd(22)} ${runs.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s · failures ${failures} · slowest ${slowest.ms.toFixed(1)} ms${overTime ? ' (OVER BUDGET)' : ''} · peak heap growth ${(peakHeap / 1048576).toFixed(1)} MB${overHeap ? ' (OVER BUDGET)' : ''}`,
  );
  if (overTime) console.log(`  slowest input (${slowest.input.length} chars): ${JSON.stringify(slowest.input.slice(0, 200))}`);
}
process.exitCode = failed ? 1 : 0;
