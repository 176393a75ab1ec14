// The migration giving sources a phone country: sources registered before it read every
// national number as GB, and their stored tombstones and keys are of that reading, so they
// get GB; down removes the column; up again works.
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const columns = () => database.columns('source');

const MIGRATION = 'SourcePhoneCountry1764000008720';
describe('migration: a phone country per source', () => {
  it('up gives sources registered before it GB and refuses anything but two capitals; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_country');

    await database.ds.query(`INSERT INTO source (id, name, kind, connector_type, config) VALUES ('paris-crm', 'Paris CRM', 'OTHER', 'sql', '{}')`);
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect(await database.ds.query(`SELECT id, phone_country FROM source`)).toEqual([{ id: 'paris-crm', phone_country: 'GB' }]);
    await database.ds.query(`UPDATE source SET phone_country = 'FR' WHERE id = 'paris-crm'`);
    await expect(database.ds.query(`UPDATE source SET phone_country = 'fr' WHERE id = 'paris-crm'`)).rejects.toThrow(/source_phone_country_check/);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_country');
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('phone_country');
    expect(await database.ds.query(`SELECT phone_country FROM source WHERE id = 'paris-crm'`)).toEqual([{ phone_country: 'GB' }]);
  });
});
