import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, loadSourceConfigFile, parseSourceConfig, SourceConfigError } from '../../../connectors/registry.js';
import { demoSourceConfigs } from '../../../connectors/demo-sources.js';

const builtin = { name: 'Clinic', kind: 'CLINIC', type: 'builtin', connection: { system: 'clinic', url: 'postgres://dsr@db.example:5432/gw' } };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceConfigError);
    expect((error as SourceConfigError).code).toBe('CONFIGURATION');
    return (error as SourceConfigError).field;
  }
  throw new Error('expected a SourceConfigError');
}

describe('SourceConfig validation', () => {
  it('accepts a builtin source', () => {
    expect(parseSourceConfig(builtin)).toMatchObject({ type: 'builtin', connection: { system: 'clinic' } });
  });

  it('refuses a password written into the URL: secrets are named, never given', () => {
    const cfg = { ...builtin, connection: { ...builtin.connection, url: 'postgres://dsr:hunter2@db.example/gw' } };
    expect(fieldOf(() => parseSourceConfig(cfg))).toBe('connection.url');
  });

  it('names the bad field: unknown kind, bad env name, unknown connector type', () => {
    expect(fieldOf(() => parseSourceConfig({ ...builtin, kind: 'CRM' }))).toBe('kind');
    expect(fieldOf(() => parseSourceConfig({ ...builtin, connection: { ...builtin.connection, passwordEnv: 'lower case' } }))).toBe('connection.passwordEnv');
    expect(fieldOf(() => parseSourceConfig({ ...builtin, type: 'ftp' }))).toBe('type');
    expect(fieldOf(() => parseSourceConfig({ ...builtin, retention: { erasure: 'SHRED' } }))).toBe('retention.erasure');
  });

  it('refuses a SQL mapping with an unsafe table name', () => {
    const cfg = {
      name: 'x',
      kind: 'OTHER',
      type: 'sql',
      connection: { url: 'postgres://u@h/db' },
      mapping: { recordTypes: [{ name: 'c', table: 'crm.c; DROP TABLE x', primaryKey: 'id', identifiers: {}, columns: {} }] },
    };
    expect(fieldOf(() => parseSourceConfig(cfg))).toBe('mapping.recordTypes[0].table');
  });

  it('reports a missing secret variable by name when the connector is built', async () => {
    const remote = { name: 'T', kind: 'TRAINING', type: 'remote', connection: { baseUrl: 'http://127.0.0.1:1/c', secretEnv: 'NOT_SET_ANYWHERE' } };
    await expect(createConnector(remote, { vars: {} })).rejects.toMatchObject({
      field: 'connection.secretEnv',
      message: expect.stringContaining('NOT_SET_ANYWHERE'),
    });
  });

  it('demo configs for the six systems validate, and a password-bearing URL becomes urlEnv', () => {
    const configs = demoSourceConfigs({ databaseUrl: 'postgres://u:secret@h/db', footageDir: '/tmp/f', trainingBaseUrl: 'http://127.0.0.1:4101/connector' });
    expect(configs.map((c) => c.kind)).toEqual(['CASE_MANAGEMENT', 'CLINIC', 'TRAINING', 'CONCIERGE', 'RECRUITMENT', 'CCTV']);
    for (const c of configs) parseSourceConfig(c);
    expect(JSON.stringify(configs)).not.toContain(':secret@');
  });
});

describe('config file loader', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dsr-cfg-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads YAML and JSON lists of sources', async () => {
    await writeFile(
      path.join(dir, 's.yaml'),
      `sources:\n  - name: Clinic\n    kind: CLINIC\n    type: builtin\n    connection: { system: clinic, urlEnv: DATABASE_URL }\n`,
    );
    await writeFile(path.join(dir, 's.json'), JSON.stringify([builtin]));
    expect((await loadSourceConfigFile(path.join(dir, 's.yaml')))[0]).toMatchObject({ connection: { urlEnv: 'DATABASE_URL' } });
    expect(await loadSourceConfigFile(path.join(dir, 's.json'))).toHaveLength(1);
  });

  it('names the entry and field of an invalid source, and duplicate ids', async () => {
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify([builtin, { ...builtin, connection: { system: 'payroll', url: 'postgres://u@h/db' } }]));
    await expect(loadSourceConfigFile(path.join(dir, 'bad.json'))).rejects.toMatchObject({ field: 'sources[1].connection.system' });
    await writeFile(path.join(dir, 'dup.json'), JSON.stringify([builtin, builtin]));
    await expect(loadSourceConfigFile(path.join(dir, 'dup.json'))).rejects.toMatchObject({ field: 'sources[1].id' });
  });
});
