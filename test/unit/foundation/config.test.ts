import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

describe('configuration', () => {
  it('runs with no configuration at all: embedded database and PostgreSQL queues', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.queueBackend).toBe('postgres');
    expect(config.production).toBe(false);
  });

  it('switches queues to Redis when REDIS_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/dsr', REDIS_URL: 'redis://cache:6379' });
    expect(config.queueBackend).toBe('redis');
  });

  it('stops on a wrong value, naming the variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://cache' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['PORT', 'REDIS_URL']);
    expect((error as ConfigError).message).toMatch(/PORT: .*number/i);
  });

  it('names every bad variable of every section at once, before anything starts', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          NODE_ENV: 'production', // then both keyrings are required
          PORT: 'eighty',
          TASK_ATTEMPTS: '0',
          DSR_DEFAULT_JURISDICTION: 'XX',
          DSR_OIDC_ISSUER: 'https://id.example.org',
          DSR_AUDIT_CHECKPOINT_FILE: '/var/lib/dsr/checkpoints.jsonl',
          SOURCE_ALLOWED_HOSTS: '10.0.0.0/99',
          DSR_BOOTSTRAP_ADMIN_KEY: 'not-a-key-but-long-enough',
        },
        { databaseRequired: true },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'DSR_AUDIT_CHECKPOINT_FILE',
      'DSR_BOOTSTRAP_ADMIN_KEY',
      'DSR_DEFAULT_JURISDICTION',
      'DSR_ENCRYPTION_KEYS',
      'DSR_OIDC_AUDIENCE',
      'DSR_OIDC_JWKS_URL',
      'DSR_TOMBSTONE_KEYS',
      'PORT',
      'SOURCE_ALLOWED_HOSTS',
      'TASK_ATTEMPTS',
    ]);
  });

  it('refuses a tombstone key that is also an encryption key, even beside a malformed setting', () => {
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => loadConfig({ DSR_ENCRYPTION_KEYS: key, DSR_TOMBSTONE_KEYS: key, FLOW_CHUNK: 'x' })).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ variable: 'FLOW_CHUNK' }), expect.objectContaining({ variable: 'DSR_TOMBSTONE_KEYS' })] }),
    );
  });

  it('in production, names a malformed encryption key list and a missing tombstone key list together', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DSR_ENCRYPTION_KEYS: 'no-colon-here' })).toThrow(
      expect.objectContaining({
        problems: [expect.objectContaining({ variable: 'DSR_ENCRYPTION_KEYS' }), expect.objectContaining({ variable: 'DSR_TOMBSTONE_KEYS' })],
      }),
    );
  });

  it('gives each part of the gateway its settings', () => {
    const config = loadConfig({ TASK_ATTEMPTS: '3', ACCESS_PACKAGE_TTL_HOURS: '2', DSR_AUDIT_CHECKPOINT_INTERVAL_MS: '60000' });
    expect(config.execution.attempts).toBe(3);
    expect(config.requests.packageLinkTtlMs).toBe(7_200_000);
    expect(config.checkpoints).toEqual({ intervalMs: 60_000 });
    expect(config.oidc).toBeNull();
  });

  it('SOURCE_RATE_LIMITED_MAX_MS: an hour unless set; a whole number of ms from a second to 30 days', () => {
    expect(loadConfig({}).execution.rateLimitedMaxMs).toBe(3_600_000);
    expect(loadConfig({ SOURCE_RATE_LIMITED_MAX_MS: '60000' }).execution.rateLimitedMaxMs).toBe(60_000);
    for (const bad of ['0', '999', '1.5', 'an hour', String(31 * 86_400_000)]) {
      expect(() => loadConfig({ SOURCE_RATE_LIMITED_MAX_MS: bad }), bad).toThrow(
        expect.objectContaining({ problems: [expect.objectContaining({ variable: 'SOURCE_RATE_LIMITED_MAX_MS' })] }),
      );
    }
  });

  it('TRUST_PROXY: unset trusts no proxy; a hop count or a list of addresses and ranges; never everyone', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  // The keys that sign OIDC tokens: fetched over plain http, anyone on the path could
  // hand the gateway a key of their own and sign tokens with any roles.
  it('refuses an OIDC JWKS URL over http, except on the loopback for development', () => {
    const oidc = { DSR_OIDC_ISSUER: 'https://idp.example', DSR_OIDC_AUDIENCE: 'dsr-gateway' };
    expect(() => loadConfig({ ...oidc, DSR_OIDC_JWKS_URL: 'http://idp.example/jwks' })).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ variable: 'DSR_OIDC_JWKS_URL' })] }),
    );
    expect(loadConfig({ ...oidc, DSR_OIDC_JWKS_URL: 'https://idp.example/jwks' }).oidc?.jwksUrl).toBe('https://idp.example/jwks');
    expect(loadConfig({ ...oidc, DSR_OIDC_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).oidc?.jwksUrl).toBe('http://127.0.0.1:8080/jwks');
    expect(loadConfig({ ...oidc, DSR_OIDC_JWKS_URL: 'http://localhost:8080/jwks' }).oidc?.jwksUrl).toBe('http://localhost:8080/jwks');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).queueBackend).toBe('postgres');
  });
});
