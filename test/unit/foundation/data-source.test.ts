import { describe, expect, it } from 'vitest';
import { createDataSource } from '../../../src/database/data-source.js';

describe('data source', () => {
  it('never synchronises the schema: migrations only', () => {
    const ds = createDataSource({ url: 'postgres://x@127.0.0.1/none' });
    expect(ds.options.synchronize).toBe(false);
    expect(ds.options.migrationsRun).toBe(false);
    expect((ds.options.migrations as unknown[]).length).toBeGreaterThan(0);
  });
});
