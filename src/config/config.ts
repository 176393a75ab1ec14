import { z } from 'zod';

// Configuration comes from the environment only, validated once at start. A wrong value
// stops the process with a message naming the variable and what it expects.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('dsr'),
  WORKER_CONCURRENCY: int(1, 1000).default(8),
  /** `npm run worker` serves its task metrics at GET /metrics on this port (0: a free one); unset: none. */
  WORKER_METRICS_PORT: int(0, 65535).optional(),
  EMBEDDED_PG_DIR: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  DEMO_PEOPLE: int(0, 1_000_000).default(2000),
  DEMO_SEED: int(0, 2 ** 31).default(42),
  FOOTAGE_DIR: z.string().min(1).optional(),
  DISCOVERY_SOURCE_TIMEOUT_MS: int(100, 120_000).default(5000),
  /** JSON or YAML file of source registrations applied at start (docs/connectors.md). */
  SOURCES_FILE: z.string().min(1).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(25_000),
  DSR_BOOTSTRAP_ADMIN_KEY: z.string().min(20).optional(),
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
  GRAPHQL_MAX_COST: int(1, 1_000_000).default(5000),
  GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  GRAPHQL_MAX_TOKENS: int(10, 1_000_000).default(3000),
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i).default('1mb'),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** R10, R11: days an access package is kept after it is built; then its archive is destroyed. */
  ACCESS_PACKAGE_RETENTION_DAYS: int(1, 3650).default(30),
  ADMIN_UI: bool.default(true),
});

export type Config = z.infer<typeof schema> & {
  /** Which queue backend runs: Redis in production, PostgreSQL for the zero-setup default. */
  queueBackend: 'redis' | 'postgres';
  production: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; expected: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '?'),
        expected: issue.message,
      })),
    );
  }
  const value = parsed.data;
  return {
    ...value,
    queueBackend: value.REDIS_URL ? 'redis' : 'postgres',
    production: value.NODE_ENV === 'production',
  };
}
