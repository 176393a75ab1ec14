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

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).queueBackend).toBe('postgres');
  });
});
