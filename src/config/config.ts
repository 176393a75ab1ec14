import { isIP } from 'node:net';
import { z } from 'zod';
import { parseApiKey } from '../auth/api-key-format.js';
import { oidcOptions, oidcVariables, type OidcVerifierOptions } from '../auth/oidc.js';
import { checkpointSettings, checkpointVariables } from '../audit/checkpoint.js';
import { keyringVariables } from '../crypto/load-keyrings.js';
import { executionSettings, executionVariables, type ExecutionSettings } from '../execution/execution-settings.js';
import { requestSettings, requestVariables, type RequestSettings } from '../requests/services/request-settings.js';
import { parseDestinationRules } from '../sources/source-policy.js';
import { DEFAULT_PHONE_COUNTRY, isPhoneCountry } from '../identity/normalise/contact.js';

// Configuration comes from the environment only, validated once at start, before any
// connection: each part of the gateway declares its variables (a zod schema next to the
// code that uses them), loadConfig checks them all and reports every problem at once.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** The gateway's own settings: process, HTTP, database, queues, limits, sources. */
const gatewayVariables = z.object({
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
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .default('dsr'),
  WORKER_CONCURRENCY: int(1, 1000).default(8),
  /** `npm run worker` serves its task metrics at GET /metrics on this port (0: a free one); unset: none. */
  WORKER_METRICS_PORT: int(0, 65535).optional(),
  EMBEDDED_PG_DIR: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  DEMO_PEOPLE: int(0, 1_000_000).default(2000),
  DEMO_SEED: int(0, 2 ** 31).default(42),
  FOOTAGE_DIR: z.string().min(1).optional(),
  DISCOVERY_SOURCE_TIMEOUT_MS: int(100, 120_000).default(5000),
  /** Term-frequency tables of names read from the ACTIVE sources (off: every exact name weighs its level's average). */
  DISCOVERY_NAME_FREQUENCIES: z.enum(['on', 'off']).default('on'),
  /** How often each source's name counts are read again, in the background. */
  DISCOVERY_NAME_FREQUENCIES_REFRESH_MS: int(60_000, 7 * 86_400_000).default(3_600_000),
  /**
   * The country a phone number written without a +prefix is read in when nothing closer
   * says: a handler's query or request, a check by a key bound to no source, and a source
   * registered without its own phoneCountry (stamped at registration). docs/erasure.md.
   */
  DSR_DEFAULT_PHONE_COUNTRY: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .refine(isPhoneCountry, 'an ISO 3166 alpha-2 country code with phone numbering, e.g. GB, FR, DE')
    .default(DEFAULT_PHONE_COUNTRY),
  /** JSON or YAML file of source registrations applied at start (docs/connectors.md). */
  SOURCES_FILE: z.string().min(1).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(25_000),
  DSR_BOOTSTRAP_ADMIN_KEY: z
    .string()
    .refine((v) => parseApiKey(v.trim()) !== null, 'an API key: dsr_<16 lowercase letters/digits>_<43+ base64url characters>')
    .optional(),
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
  GRAPHQL_MAX_COST: int(1, 1_000_000).default(5000),
  GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  GRAPHQL_MAX_TOKENS: int(10, 1_000_000).default(3000),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i)
    .default('1mb'),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Identifiers of a tombstone check one rate-limit token pays for (src/tombstones/tombstone-check.ts). */
  TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN: int(1, 1000).default(10),
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
  /** Secrets a source registration may name: variables with this prefix (docs/security.md). */
  SOURCE_SECRET_ENV_PREFIX: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{2,}_$/, 'upper-case letters, digits and _, ending in _ (e.g. DSR_SOURCE_SECRET_)')
    .refine((v) => v !== 'DSR_', "DSR_ alone would take in the gateway's own secrets")
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
  SOURCE_ALLOWED_HOSTS: z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      try {
        parseDestinationRules(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^SOURCE_ALLOWED_HOSTS: /, '') });
      }
    })
    .optional(),
});

/** Every section, checked against the same environment. */
const sections = [gatewayVariables, executionVariables, requestVariables, oidcVariables, keyringVariables, checkpointVariables] as const;

/** The variables the gateway reads for its own configuration: never a source's secret. */
export const CONFIG_VARIABLES: readonly string[] = [...new Set(sections.flatMap((section) => Object.keys(section.shape)))];

export type Config = z.infer<typeof gatewayVariables> & {
  /** Which queue backend runs: Redis in production, PostgreSQL for the zero-setup default. */
  queueBackend: 'redis' | 'postgres';
  production: boolean;
  execution: ExecutionSettings;
  requests: RequestSettings;
  /** null: OIDC bearer tokens are not accepted. */
  oidc: OidcVerifierOptions | null;
  /** Audit checkpoints (written only when DSR_AUDIT_CHECKPOINT_KEYS is set; the keys stay in the environment). */
  checkpoints: { file?: string; intervalMs: number };
};

export interface ConfigProblem {
  variable: string;
  expected: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function parsed<S extends z.ZodType>(section: S, env: Record<string, string>, problems: ConfigProblem[]): z.infer<S> | undefined {
  const result = section.safeParse(env);
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push({ variable: String(issue.path[0] ?? '?'), expected: issue.message });
  return undefined;
}

export interface LoadOptions {
  /** The separate roles (serve, worker, migrate, keys) share one database, so they need it named. */
  databaseRequired?: boolean;
}

/** The whole configuration, or a ConfigError naming every bad variable. Reads nothing but `env`. */
export function loadConfig(env?: NodeJS.ProcessEnv, options?: { databaseRequired?: false }): Config;
export function loadConfig(env: NodeJS.ProcessEnv, options: { databaseRequired: true }): Config & { DATABASE_URL: string };
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const problems: ConfigProblem[] = [];
  const gateway = parsed(gatewayVariables, cleaned, problems);
  const execution = parsed(executionVariables, cleaned, problems);
  const requests = parsed(requestVariables, cleaned, problems);
  const oidc = parsed(oidcVariables, cleaned, problems);
  parsed(keyringVariables, cleaned, problems);
  const checkpoints = parsed(checkpointVariables, cleaned, problems);
  if (options.databaseRequired && !cleaned.DATABASE_URL) {
    problems.push({
      variable: 'DATABASE_URL',
      expected:
        'required for the separate serve, worker, migrate and keys commands (postgres://user@host:5432/db); `npm start` runs an embedded database instead',
    });
  }
  if (!gateway || !execution || !requests || !oidc || !checkpoints || problems.length) throw new ConfigError(problems);
  return {
    ...gateway,
    queueBackend: gateway.REDIS_URL ? 'redis' : 'postgres',
    production: gateway.NODE_ENV === 'production',
    execution: executionSettings(execution),
    requests: requestSettings(requests, gateway.ACCESS_PACKAGE_RETENTION_DAYS),
    oidc: oidcOptions(oidc),
    checkpoints: checkpointSettings(checkpoints),
  };
}
