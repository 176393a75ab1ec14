import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../../src/version.js';
import { loadConfig } from '../../../src/config/config.js';
import { generateApiKey } from '../../../src/auth/api-key-format.js';

// No Docker engine runs here, so the compose file is checked for what it promises.
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true });
const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('brings up postgres, redis, a gateway and a worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres', 'redis', 'worker']);
  });

  it('runs Redis with noeviction and AOF, as BullMQ asks for production', () => {
    const command: string[] = compose.services.redis.command;
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
  });

  it('runs the two roles from the image, on PostgreSQL and Redis, in production mode', () => {
    const { gateway, worker } = compose.services;
    expect(gateway.command).toEqual(['node', 'dist/src/cli/serve.js']);
    expect(worker.command).toEqual(['node', 'dist/jobs/worker-main.js']);
    for (const service of [gateway, worker]) {
      expect(service.build).toBe('.');
      expect(service.environment.NODE_ENV).toBe('production');
      expect(service.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(Object.keys(service.depends_on).sort()).toEqual(['postgres', 'redis']);
    }
  });

  it('passes only variables the gateway understands, and they validate', () => {
    const env = { ...compose.services.gateway.environment };
    // Interpolated secrets stand for values the operator supplies.
    for (const [k, v] of Object.entries(env)) if (String(v).includes('${')) env[k] = placeholder(k);
    const config = loadConfig(env as Record<string, string>);
    expect(config.queueBackend).toBe('redis');
    expect(config.production).toBe(true);
  });

  it('builds an image whose entry points exist after `npm run build`', () => {
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/cli\/serve\.js"\]/);
  });
});

/** A valid value of the kind the operator supplies (each key list its own key, as required). */
function placeholder(variable: string): string {
  if (variable === 'DATABASE_URL') return 'postgres://dsr:secret@postgres:5432/dsr';
  if (variable.endsWith('_KEYS')) return `k1:${Buffer.alloc(32, variable.length).toString('base64')}`;
  if (variable === 'DSR_BOOTSTRAP_ADMIN_KEY') return generateApiKey().clearKey;
  return 'dsr_placeholder_value_long_enough_0123456789';
}
