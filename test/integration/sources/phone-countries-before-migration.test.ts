// The migration remembering a source's earlier phone countries: every source starts with
// none (it is read in its current country only, as before); down removes the column; up again works.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ds: DataSource;

const MIGRATION = 'SourcePhoneCountriesBefore1764000008800';

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

async function applied(): Promise<string[]> {
  return (await ds.query(`SELECT name FROM schema_migrations ORDER BY id`)).map((r: { name: string }) => r.name);
}

async function columns(): Promise<string[]> {
  return (await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'source' ORDER BY column_name`)).map(
    (r: { column_name: string }) => r.column_name,
  );
}

/** Undoes migrations down to and including `name` (later ones first), so the test holds as migrations are added. */
async function undoThrough(name: string): Promise<void> {
  while ((await applied()).includes(name)) await ds.undoLastMigration({ transaction: 'each' });
}

describe("migration: a source's earlier phone countries", () => {
  it('up gives every source none and refuses anything but two capitals; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_countries_before');

    await ds.query(`INSERT INTO source (id, name, kind, connector_type, config, phone_country) VALUES ('paris-crm', 'Paris CRM', 'OTHER', 'sql', '{}', 'FR')`);
    await ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect(await ds.query(`SELECT id, phone_country, phone_countries_before FROM source`)).toEqual([
      { id: 'paris-crm', phone_country: 'FR', phone_countries_before: [] },
    ]);
    await ds.query(`UPDATE source SET phone_country = 'DE', phone_countries_before = '{GB,FR}' WHERE id = 'paris-crm'`);
    await expect(ds.query(`UPDATE source SET phone_countries_before = '{fr}' WHERE id = 'paris-crm'`)).rejects.toThrow(/source_phone_countries_before_check/);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_countries_before');
    await ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('phone_countries_before');
    expect(await ds.query(`SELECT phone_country, phone_countries_before FROM source WHERE id = 'paris-crm'`)).toEqual([
      { phone_country: 'DE', phone_countries_before: [] },
    ]);
  });
});
