import { describe, expect, it } from 'vitest';
import { FuzzFailure, Rng, fuzzTargets, prototypeIsClean } from '../fuzz/targets';

/**
 * A slice of `npm run fuzz` (which runs a million inputs per target and checks the time and
 * memory budgets): the same targets and invariants, a fixed seed, no timing.
 */
const RUNS = Number(process.env.FUZZ_SLICE_RUNS ?? 1500);

describe('fuzz slice', () => {
  for (const target of fuzzTargets()) {
    it(`${target.name}: ${RUNS} inputs, no invariant broken, nothing thrown out of the API`, () => {
      const rng = new Rng(20261202);
      const failures: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const input = target.input(rng);
        try {
          target.run(input);
        } catch (error) {
          failures.push(`${error instanceof FuzzFailure ? '' : 'threw: '}${(error as Error).message} — input ${JSON.stringify(input.slice(0, 120))}`);
        }
      }
      expect(failures.slice(0, 3)).toEqual([]);
      expect(prototypeIsClean()).toBe(true);
    }, 120_000);
  }
});
