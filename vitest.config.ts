import { defineConfig } from 'vitest/config';

// Fixes fast-check's seed (FC_SEED overrides): the same property cases on every run.
const PROPERTY_SEED = './test/support/property-seed.ts';

export default defineConfig({
  test: {
    projects: [
      {
        // Unit tests wait on nothing; the timeout only catches a hang. Property tests are CPU-bound,
        // and at load 15 on two cores some took over vitest's default 5 s.
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'node', testTimeout: 30_000, setupFiles: [PROPERTY_SEED] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: [PROPERTY_SEED],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
