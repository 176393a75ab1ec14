// The migration remembering when a source was approved: a source ACTIVE, or waiting again
// after having been ACTIVE, was approved; a DISABLED one cannot tell and is taken as never
// approved (enabling it asks for approval); down removes the column; up again works.
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const columns = () => database.columns('source');

const MIGRATION = 'SourceApprovedAt1764000009500';
describe('migration: when a source was approved', () => {
  it('up marks ACTIVE sources and those waiting again as approved, not DISABLED or never-approved ones; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('approved_at');

    const insert = (id: string, status: string, declared: unknown) =>
      database.ds.query(`INSERT INTO source (id, name, kind, connector_type, config, status, declared) VALUES ($1, $1, 'OTHER', 'remote', '{}', $2, $3)`, [
        id,
        status,
        declared,
      ]);
    await insert('active', 'ACTIVE', null);
    await insert('waiting-again', 'PENDING_APPROVAL', { approvedBefore: true });
    await insert('never-approved', 'PENDING_APPROVAL', {});
    await insert('disabled', 'DISABLED', null);
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    const rows = (await database.ds.query(`SELECT id, approved_at IS NOT NULL AS approved FROM source ORDER BY id`)) as { id: string; approved: boolean }[];
    expect(rows).toEqual([
      { id: 'active', approved: true },
      { id: 'disabled', approved: false },
      { id: 'never-approved', approved: false },
      { id: 'waiting-again', approved: true },
    ]);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('approved_at');
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('approved_at');
  });
});
