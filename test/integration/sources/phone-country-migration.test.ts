// The migration giving sources a phone country: sources registered before it read every
// national number as GB, and their stored tombstones and keys are of that reading, so they
// get GB; down removes the column; up again works.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ds: DataSource;

const MIGRATION = 'SourcePhoneCountry1764000008720';

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

describe('migration: a phone country per source', () => {
  it('up gives sources registered before it GB and refuses anything but two capitals; down removes it; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_country');

    await ds.query(`INSERT INTO source (id, name, kind, connector_type, config) VALUES ('paris-crm', 'Paris CRM', 'OTHER', 'sql', '{}')`);
    await ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect(await ds.query(`SELECT id, phone_country FROM source`)).toEqual([{ id: 'paris-crm', phone_country: 'GB' }]);
    await ds.query(`UPDATE source SET phone_country = 'FR' WHERE id = 'paris-crm'`);
    await expect(ds.query(`UPDATE source SET phone_country = 'fr' WHERE id = 'paris-crm'`)).rejects.toThrow(/source_phone_country_check/);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('phone_country');
    await ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toContain('phone_country');
    expect(await ds.query(`SELECT phone_country FROM source WHERE id = 'paris-crm'`)).toEqual([{ phone_country: 'GB' }]);
  });
});
