// The migration remembering the default phone countries a deployment ran with: one that holds
// requests or tombstones read its national numbers in GB until now (remembered); a new one
// remembers none (its first start records its default); down drops the table; up again works.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const remembered = async () =>
  ((await database.ds.query(`SELECT country FROM default_phone_country ORDER BY country`)) as { country: string }[]).map((r) => r.country);

const MIGRATION = 'DefaultPhoneCountries1764000009100';
describe('migration: the default phone countries a deployment ran with', () => {
  it('up remembers GB only where requests or tombstones exist, refuses anything but two capitals; down drops it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await remembered()).toEqual([]);

    await undoThrough(MIGRATION);
    expect(await database.columns('default_phone_country')).toEqual([]);
    await database.ds.query(`INSERT INTO tombstone (kid, kind, hash, request_id, erased_at) VALUES ('t1', 'PHONE', 'h', $1, now())`, [randomUUID()]);
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await remembered()).toEqual(['GB']);
    await database.ds.query(`INSERT INTO default_phone_country (country) VALUES ('FR')`);
    await expect(database.ds.query(`INSERT INTO default_phone_country (country) VALUES ('fr')`)).rejects.toThrow(/check/);

    await undoThrough(MIGRATION);
    expect(await database.columns('default_phone_country')).toEqual([]);
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await remembered()).toEqual(['GB']);
  });
});
