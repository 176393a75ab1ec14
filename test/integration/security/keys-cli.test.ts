import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';
import { ApiKeyService } from '../../../src/auth/api-key.service.js';
import { parseKeysArgs, runKeysCommand } from '../../../src/auth/keys-cli.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ds: DataSource;
let service: ApiKeyService;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
  service = new ApiKeyService(ds);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('keys CLI', () => {
  it('parses create, list and revoke', () => {
    expect(parseKeysArgs(['create', '--name', 'N', '--roles', 'handler, SPECIAL_CATEGORY', '--controllers', 'A,B'])).toEqual({
      command: 'create',
      name: 'N',
      roles: ['HANDLER', 'SPECIAL_CATEGORY'],
      controllers: ['A', 'B'],
      sources: [],
      json: false,
    });
    expect(parseKeysArgs(['list', '--all'])).toEqual({ command: 'list', all: true, json: false });
    expect(parseKeysArgs(['revoke', 'abc'])).toEqual({ command: 'revoke', id: 'abc', json: false });
    for (const bad of [[], ['create', '--roles', 'ADMIN'], ['create', '--name', 'x'], ['revoke'], ['list', '--bogus'], ['rotate']]) {
      expect(() => parseKeysArgs(bad)).toThrow();
    }
  });

  it('create prints the key once; list shows it without the secret; revoke revokes it', async () => {
    const c = capture();
    expect(await runKeysCommand(['create', '--name', 'feed', '--roles', 'CONNECTOR', '--controllers', 'A'], service, c.io)).toBe(0);
    const clearKey = c.out.find((l) => l.startsWith('dsr_'))!;
    const principal = await service.authenticate(clearKey);
    expect(principal).toMatchObject({ roles: ['CONNECTOR'], controllers: { every: false, ids: ['A'] } });
    expect(c.err.join()).toContain('only time');

    const l = capture();
    expect(await runKeysCommand(['list'], service, l.io)).toBe(0);
    expect(l.out.join('\n')).toContain(principal.id);
    expect(l.out.join('\n')).not.toContain(clearKey.slice(21));

    const r = capture();
    expect(await runKeysCommand(['revoke', principal.id], service, r.io)).toBe(0);
    await expect(service.authenticate(clearKey)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const after = capture();
    await runKeysCommand(['list', '--json'], service, after.io);
    expect(JSON.parse(after.out[0]!).map((k: { id: string }) => k.id)).not.toContain(principal.id);
  });

  it('answers bad input with a coded error and usage errors with 64', async () => {
    const c = capture();
    expect(await runKeysCommand(['create', '--name', 'x', '--roles', 'ROOT'], service, c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^BAD_USER_INPUT: unknown role/);
    expect(await runKeysCommand(['revoke', '0000000000000000'], service, c.io)).toBe(1);
    expect(c.err[1]).toMatch(/^NOT_FOUND/);
    expect(await runKeysCommand(['frobnicate'], service, c.io)).toBe(64);
  });
});
