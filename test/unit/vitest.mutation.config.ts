import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests only, for mutation testing (stryker.config.json): no database template
// (the pure core needs none), so each of Stryker's runs starts in a second, not a minute.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    // As in vitest.config.ts: one copy of graphql for Node and Vite.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // The unit tests of the mutated modules. The statistical evaluation, the messy-data
    // generator and the property tests take seconds each and would run for every mutant of
    // the identity code; they measure accuracy and robustness, not the rules mutated here.
    include: [
      'test/unit/requests/**/*.test.ts',
      'test/unit/identity/**/*.test.ts',
      'test/unit/audit/**/*.test.ts',
      'test/unit/security/audit-chain.test.ts',
      'test/unit/tombstones/**/*.test.ts',
      'test/unit/execution/task-attempt.test.ts',
    ],
    exclude: ['test/unit/identity/evaluation.test.ts', 'test/unit/identity/messy-generator.test.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    // Stryker switches mutants at run time, so test files can share loaded modules: much faster.
    isolate: false,
  },
});
