/**
 * Property tests run the same cases on every run (a suite that fails one run in ten blocks
 * everyone): fast-check's seed is fixed unless FC_SEED says otherwise. `FC_SEED=random` explores
 * new cases, and a failure prints its seed, to be replayed with `FC_SEED=<seed>`. `npm run fuzz`
 * is the place for long random runs.
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20_261_203;
const chosen = process.env.FC_SEED;
const seed = chosen === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : chosen ? Number(chosen) : DEFAULT_SEED;
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(chosen)}`);
fc.configureGlobal({ seed });
