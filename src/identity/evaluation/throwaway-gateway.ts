// A whole gateway in this process on a throwaway database of the local PostgreSQL, for the
// evaluation harness and the discovery benchmark: created, migrated, served on a free
// port with a HANDLER key, and dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../logging/logger.js';
import { startRuntime, type Runtime } from '../../app/runtime.js';

/** The server to create the throwaway database on (its `postgres` database is used to create and drop). */
export const SCRATCH_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayGateway {
  runtime: Runtime;
  url: string;
  databaseUrl: string;
  /** Authorization header of a HANDLER key. */
  headers: Record<string, string>;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SCRATCH_SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(SCRATCH_SERVER_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

export async function startThrowawayGateway(options: { prefix?: string; env?: Record<string, string>; databaseUrl?: string } = {}): Promise<ThrowawayGateway> {
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await createScratchDatabase(options.prefix ?? 'dsr_eval');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DSR_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '20',
    RATE_LIMIT_PER_MINUTE: '1000000',
    GRAPHQL_MAX_ALIASES: '200',
    GRAPHQL_MAX_COST: '1000000',
    GRAPHQL_MAX_TOKENS: '200000',
    ...options.env,
  };
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      config: loadConfig(env),
      databaseUrl: db.url,
      http: true,
      worker: false,
      migrate: true,
      logger: createLogger(env.LOG_LEVEL as 'silent'),
      env,
    });
  } catch (error) {
    await db.drop();
    throw error;
  }
  const { clearKey } = await runtime.services.apiKeys.create({ name: 'evaluation handler', roles: ['HANDLER'], controllerIds: [] });
  const headers = { authorization: `Bearer ${clearKey}` };
  const url = runtime.url!;
  return {
    runtime,
    url,
    databaseUrl: db.url,
    headers,
    async graphql<T>(query: string, variables?: Record<string, unknown>) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    },
    async stop() {
      await runtime.stop();
      await db.drop();
    },
  };
}
