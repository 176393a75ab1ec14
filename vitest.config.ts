import { defineConfig } from 'vitest/config';

// Each integration test file gets its own database cloned from a migrated template
// (see test/support/global-setup.ts), so files run in parallel without sharing state.
export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node loads its CommonJS build while Vite would pick
    // the "module" build, and two copies of graphql refuse each other's schema objects.
    // Point Vite at the build Node (and so type-graphql and Apollo) loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 30_000,
    // Creating and dropping databases waits for checkpoints, slow when the machine is busy.
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
