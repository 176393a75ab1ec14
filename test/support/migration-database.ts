// A migrated scratch database for a migration's up/down/up test: which migrations are
// applied, a table's columns, and undoing down to one migration, later ones first, so the
// test still holds as migrations are added after it.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll } from 'vitest';
import { createDataSource } from '../../src/database/data-source.js';
import { createTestDatabase } from './test-database.js';

export interface MigrationDatabase {
  /** The migrated database (set once the suite's beforeAll ran). */
  readonly ds: DataSource;
  applied(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  undoThrough(name: string): Promise<void>;
}

/** Registers the suite's set-up and tear-down; call at the top of the test file. */
export function migrationDatabase(): MigrationDatabase {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let ds: DataSource | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  const database: MigrationDatabase = {
    get ds() {
      if (!ds) throw new Error('the migration database is set up in beforeAll');
      return ds;
    },
    async applied() {
      return (await database.ds.query(`SELECT name FROM schema_migrations ORDER BY id`)).map((r: { name: string }) => r.name);
    },
    async columns(table) {
      const rows: { column_name: string }[] = await database.ds.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name`,
        [table],
      );
      return rows.map((r) => r.column_name);
    },
    async undoThrough(name) {
      while ((await database.applied()).includes(name)) await database.ds.undoLastMigration({ transaction: 'each' });
    },
  };
  return database;
}
