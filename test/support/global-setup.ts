import { createDataSource } from '../../src/database/data-source.js';
import { TEMPLATE_DATABASE, databaseUrl, withAdminClient } from './test-database.js';

// Migrates one template database per run; test files clone it (CREATE DATABASE ... TEMPLATE),
// which is much faster than migrating a database per file and keeps files isolated.
export default async function setup(): Promise<() => Promise<void>> {
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const dataSource = createDataSource({ url: databaseUrl(TEMPLATE_DATABASE), poolSize: 1 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  return async () => {
    await withAdminClient(async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'dsr_test_%'`,
      );
      for (const row of rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    });
  };
}
