import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server the tests use; CI and developers' machines run PostgreSQL here. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Each test run has its own id, template and clones, so several runs on one machine
 * (two developers, a developer and CI) never drop each other's databases.
 * The global setup sets the id; test workers inherit it through the environment.
 */
export function runId(): string {
  const id = process.env.DSR_TEST_RUN_ID;
  if (!id) throw new Error('DSR_TEST_RUN_ID is not set: run tests through vitest (global setup sets it)');
  return id;
}

export function templateDatabase(id = runId()): string {
  return `dsr_test_${id}_template`;
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database cloned from the migrated template, so each test file owns its data.
 * Returns the URL and a function that drops it.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `dsr_test_${runId()}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(async (c) => {
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
    // Commits return before their WAL is flushed to disk: only a crash of the PostgreSQL
    // server could lose them, and a throwaway database does not outlive one. Every session
    // on it (the test's, the gateway's, compiled workers') gets the setting.
    await c.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
