import { isIP } from 'node:net';
import { z } from 'zod';

// Configuration comes from the environment only, validated once at start. A wrong value
// stops the process with a message naming the variable and what it expects.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * The owner role's URL: migrations run as it, then the DATABASE_URL role is granted only
   * what it needs (no rewriting the audit log). Unset: the DATABASE_URL role migrates and
   * owns the tables, which works but is not least privilege (docs/security.md).
   */
  DATABASE_MIGRATION_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
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
  /** Signed checkpoints of the audit chain head are appended here (needs DSR_AUDIT_CHECKPOINT_KEYS). */
  DSR_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  DSR_AUDIT_CHECKPOINT_INTERVAL_MS: int(1000, 86_400_000).default(300_000),
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
  GRAPHQL_MAX_COST: int(1, 1_000_000).default(5000),
  GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  GRAPHQL_MAX_TOKENS: int(10, 1_000_000).default(3000),
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i).default('1mb'),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Calls per minute per client address that bring no credential or a failing one. */
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: int(1, 1_000_000).default(300),
  /**
   * Which proxies' X-Forwarded-For gives the client address: a hop count, or a comma list
   * of addresses, CIDR ranges, `loopback`, `linklocal`, `uniquelocal`. Unset: none (the
   * socket's peer), so a client cannot pick its own address. `true` (trust anyone) is refused.
   */
  TRUST_PROXY: z
    .string()
    .refine((v) => /^\d{1,2}$/.test(v) || v.split(',').every((e) => isProxyEntry(e.trim())), {
      message: 'a hop count (e.g. 1) or a comma list of addresses, CIDR ranges, loopback, linklocal, uniquelocal',
    })
    .transform((v): number | string[] => (/^\d{1,2}$/.test(v) ? Number(v) : v.split(',').map((e) => e.trim())))
    .optional(),
  /** R10, R11: days an access package is kept after it is built; then its archive is destroyed. */
  ACCESS_PACKAGE_RETENTION_DAYS: int(1, 3650).default(30),
  ADMIN_UI: bool.default(true),
  /** Secrets a source registration may name: variables with this prefix (docs/security.md). */
  SOURCE_SECRET_ENV_PREFIX: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{2,}_$/, 'upper-case letters, digits and _, ending in _ (e.g. DSR_SOURCE_SECRET_)')
    .refine((v) => v !== 'DSR_', 'DSR_ alone would take in the gateway\'s own secrets')
    .default('DSR_SOURCE_SECRET_'),
  /** More variables a source registration may name, comma-separated (the gateway's own are refused even here). */
  SOURCE_SECRET_ENV_ALLOW: z
    .string()
    .regex(/^\s*[A-Z_][A-Z0-9_]*(\s*,\s*[A-Z_][A-Z0-9_]*)*\s*$/, 'comma-separated environment variable names')
    .optional(),
  /**
   * Where sources may be: comma-separated host names, IP addresses or CIDR networks, each
   * optionally with :port. Unset: public addresses only (and loopback outside production).
   */
  SOURCE_ALLOWED_HOSTS: z.string().min(1).optional(),
});

/** The variables the gateway reads for its own configuration: never a source's secret. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

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
