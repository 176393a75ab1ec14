import { defineConfig } from 'vitest/config';

// Each integration test file gets its own database cloned from a migrated template
// (see test/support/global-setup.ts), so files run in parallel without sharing state.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
