import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions read process-wide state: the Prometheus registry's counters
 * (task outcomes, retention runs) count everything run in the process, so these files get
 * a process of their own, as a gateway has in production.
 */
const OWN_PROCESS = ['test/integration/operations/metrics-and-board.test.ts', 'test/integration/retention/retention-runs.test.ts'];

// Each integration test file gets its own database cloned from a migrated template
// (see test/support/global-setup.ts), so files never share data.
export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node loads its CommonJS build while Vite would pick
    // the "module" build, and two copies of graphql refuse each other's schema objects.
    // Point Vite at the build Node (and so type-graphql and Apollo) loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 30_000,
    // Creating and dropping databases waits for checkpoints, slow when the machine is busy.
    hookTimeout: 120_000,
    pool: 'forks',
    // One worker per core less one (a single worker on two cores). Two workers on two cores
    // were faster (38 files: 56 s against 93 s) but the console's erasure browser test then
    // failed in 3 of 9 full runs, always beside another file, never alone.
    maxWorkers: Math.max(1, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        // Files run one after another in a reused worker process: the gateway's modules
        // (Apollo, TypeORM, BullMQ, type-graphql) are loaded once per worker, not once per
        // file (in a sample of 38 files on two cores, loading them took 53 s of the 168).
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: OWN_PROCESS, isolate: false },
      },
      { extends: true, test: { name: 'own-process', include: OWN_PROCESS } },
    ],
  },
});
