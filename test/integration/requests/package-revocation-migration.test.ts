// The migration giving access packages a revocation reason: kept only on a revoked package
// (destroyed_reason REVOKED); down removes it; up again works.
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const columns = () => database.columns('access_package');

const MIGRATION = 'AccessPackageRevocation1764000009300';
describe('migration: the revocation of an access package', () => {
  it('up adds revocation_reason, refused on a package not revoked; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    expect(await columns()).toContain('revocation_reason');
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('revocation_reason');

    await database.ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('revocation_reason');
    const check = await database.ds.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'access_package_revocation_check'`);
    expect(check[0].def).toMatch(/revocation_reason IS NULL.*destroyed_reason = 'REVOKED'/);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('revocation_reason');
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
  });
});
