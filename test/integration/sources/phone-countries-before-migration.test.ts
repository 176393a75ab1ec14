// The migration remembering a source's earlier phone countries: every source starts with
// none (it is read in its current country only, as before); down removes the column; up again works.
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const columns = () => database.columns('source');

const MIGRATION = 'SourcePhoneCountriesBefore1764000008800';
describe("migration: a source's earlier phone countries", () => {
  it('up gives every source none and refuses anything but two capitals; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_countries_before');

    await database.ds.query(
      `INSERT INTO source (id, name, kind, connector_type, config, phone_country) VALUES ('paris-crm', 'Paris CRM', 'OTHER', 'sql', '{}', 'FR')`,
    );
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect(await database.ds.query(`SELECT id, phone_country, phone_countries_before FROM source`)).toEqual([
      { id: 'paris-crm', phone_country: 'FR', phone_countries_before: [] },
    ]);
    await database.ds.query(`UPDATE source SET phone_country = 'DE', phone_countries_before = '{GB,FR}' WHERE id = 'paris-crm'`);
    await expect(database.ds.query(`UPDATE source SET phone_countries_before = '{fr}' WHERE id = 'paris-crm'`)).rejects.toThrow(
      /source_phone_countries_before_check/,
    );

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_countries_before');
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('phone_countries_before');
    expect(await database.ds.query(`SELECT phone_country, phone_countries_before FROM source WHERE id = 'paris-crm'`)).toEqual([
      { phone_country: 'DE', phone_countries_before: [] },
    ]);
  });
});
