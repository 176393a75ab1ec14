import { randomBytes } from 'node:crypto';
import { createDataSource } from '../../src/database/data-source.js';
import { migrate } from '../../src/database/migrate.js';
import { databaseUrl, templateDatabase, withAdminClient } from './test-database.js';

// Migrates one template database per run; test files clone it (CREATE DATABASE ... TEMPLATE),
// which is much faster than migrating a database per file and keeps files isolated.
// Each vitest project calls this; the first call migrates the template and owns its teardown,
// the others reuse it (the environment is the main process's, which the workers inherit).
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DSR_TEST_RUN_ID) return async () => undefined;
  const id = randomBytes(4).toString('hex');
  process.env.DSR_TEST_RUN_ID = id;
  const template = templateDatabase(id);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${template}`));
  const dataSource = createDataSource({ url: databaseUrl(template), poolSize: 1 });
  await dataSource.initialize();
  // The template also carries BullMQ's PostgreSQL schema so clones can run queues there.
  await migrate(dataSource, { kind: 'postgres', url: databaseUrl(template), schema: 'bullmq' });
  await dataSource.destroy();
  return async () => {
    await withAdminClient(async (c) => {
      const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`dsr\\_test\\_${id}\\_%`]);
      for (const row of rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    });
  };
}
