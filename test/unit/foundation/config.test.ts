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

  it('TRUST_PROXY: unset trusts no proxy; a hop count or a list of addresses and ranges; never everyone', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).queueBackend).toBe('postgres');
  });
});
