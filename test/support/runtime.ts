import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { startRuntime, type Runtime } from '../../src/app/runtime.js';
import { createTestDatabase } from './test-database.js';
import { removeQueueKeys } from './redis-cleanup.js';
import { TEST_REDIS_URL } from './queue-settings.js';
import { randomBytes } from 'node:crypto';
import type { TadaDocumentNode } from 'gql.tada';
import { operationText, type Operation } from './graphql.js';

export interface GraphQLReply<T> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[] };
}

export interface TestGateway {
  runtime: Runtime;
  url: string;
  config: Config;
  databaseUrl: string;
  /** POSTs a GraphQL operation and returns the parsed body and status; a typed document (test/support/graphql.ts) types both. */
  graphql<R, V>(document: TadaDocumentNode<R, V>, variables: V, headers?: Record<string, string>): Promise<GraphQLReply<R>>;
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLReply<T>>;
  stop(): Promise<void>;
}

/** A whole gateway (HTTP + worker) on a fresh database, listening on a free port. */
export async function startTestGateway(
  options: { queue?: 'redis' | 'postgres'; env?: Record<string, string>; worker?: boolean; logger?: Logger } = {},
): Promise<TestGateway> {
  const db = await createTestDatabase();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    // Throwaway keys, as production requires real ones.
    DSR_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `dsrtest-${randomBytes(4).toString('hex')}`,
    ...(options.queue === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const runtime = await startRuntime({
    config,
    databaseUrl: db.url,
    http: true,
    worker: options.worker ?? true,
    migrate: true,
    logger: options.logger ?? createLogger('silent'),
    env,
  });
  const url = runtime.url!;
  return {
    runtime,
    url,
    config,
    databaseUrl: db.url,
    async graphql<T>(query: Operation<T, unknown>, variables?: unknown, headers?: Record<string, string>): Promise<GraphQLReply<T>> {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: operationText(query), variables }),
      });
      return { status: res.status, body: (await res.json()) as GraphQLReply<T>['body'] };
    },
    async stop() {
      await runtime.stop();
      await db.drop();
      if (env.REDIS_URL) await removeQueueKeys(env.REDIS_URL, env.QUEUE_PREFIX!);
    },
  };
}

/** A key with these roles (and controller binding) on the test gateway, as a Bearer header. */
export async function bearer(gw: TestGateway, roles: string[], controllerIds: string[] = []): Promise<Record<string, string>> {
  const { clearKey } = await gw.runtime.services.apiKeys.create({ name: `test ${roles.join('+')}`, roles, controllerIds });
  return { authorization: `Bearer ${clearKey}` };
}
