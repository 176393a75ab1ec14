// What a source registration may make the gateway do (docs/security.md, "Trust
// boundaries"): name only secrets set aside for sources, reach only allowed destinations,
// and both refused before any connection is made. Local TCP listeners count every
// connection the gateway opens, so "no connection" is observed, not assumed.
import net from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

interface Listener {
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function listen(): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const REGISTER = `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { id } }`;
const remote = (id: string, baseUrl: string, secretEnv: string) => ({
  id,
  name: `trust ${id}`,
  kind: 'OTHER',
  type: 'remote',
  connection: { baseUrl, secretEnv, timeoutMs: 300 },
});
const sql = (id: string, connection: Record<string, unknown>) => ({
  id,
  name: `trust ${id}`,
  kind: 'OTHER',
  type: 'sql',
  connection: { connectTimeoutMs: 300, ...connection },
  mapping: {
    recordTypes: [{ name: 'person', table: 'people', primaryKey: 'id', identifiers: { email: 'EMAIL' }, columns: { email: { categories: ['CONTACT'] } } }],
  },
});
/** Long enough for a connection attempt to reach a local listener. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

let allowed: Listener;
let refused: Listener;
let gw: TestGateway;
let connector: Record<string, string>;
let admin: Record<string, string>;

beforeAll(async () => {
  allowed = await listen();
  refused = await listen();
  gw = await startTestGateway({
    worker: false,
    env: {
      // Only the first listener is an allowed destination; the second is just another loopback port.
      SOURCE_ALLOWED_HOSTS: `127.0.0.1:${allowed.port}`,
      SOURCE_SECRET_ENV_ALLOW: 'TEAM_SECRET,DATABASE_URL',
      DSR_SOURCE_SECRET_TEAM: 'team-secret-value-0123456789',
      TEAM_SECRET: 'listed-secret-value-0123456789',
      REFUSED_URL: `postgres://x@127.0.0.1:${allowed.port}/db`,
      DSR_SOURCE_SECRET_REFUSED_URL: `postgres://x@127.0.0.1:${refused.port}/db`,
    },
  });
  connector = await bearer(gw, ['CONNECTOR']);
  admin = await bearer(gw, ['ADMIN']);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await allowed?.close();
  await refused?.close();
});

describe('a registration names only secrets set aside for sources', () => {
  it("refuses a CONNECTOR naming the gateway's own secrets, before any connection is made", async () => {
    const attempts = [
      { input: remote('leak-keys', `http://127.0.0.1:${allowed.port}/`, 'DSR_ENCRYPTION_KEYS'), field: 'connection.secretEnv' },
      { input: remote('leak-admin', `http://127.0.0.1:${allowed.port}/`, 'DSR_BOOTSTRAP_ADMIN_KEY'), field: 'connection.secretEnv' },
      {
        input: sql('leak-tombstone', { url: `postgres://x@127.0.0.1:${allowed.port}/db`, passwordEnv: 'DSR_TOMBSTONE_KEYS' }),
        field: 'connection.passwordEnv',
      },
      // Listed by the operator, but the gateway's own database: still refused.
      { input: sql('leak-database', { urlEnv: 'DATABASE_URL' }), field: 'connection.urlEnv' },
      // Not set aside at all (the answer does not say whether it is set).
      { input: sql('leak-other', { urlEnv: 'REFUSED_URL' }), field: 'connection.urlEnv' },
    ];
    for (const { input, field } of attempts) {
      const reply = await gw.graphql(REGISTER, { input }, connector);
      expect(graphqlCodeOf(reply), input.id).toBe('SOURCE_SECRET_NOT_ALLOWED');
      expect(reply.body.errors?.[0]?.extensions?.field, input.id).toBe(field);
      expect(JSON.stringify(reply.body)).not.toContain('team-secret-value');
      expect(await gw.runtime.services.sources.find(input.id)).toBeNull();
    }
    await settle();
    expect(allowed.connections).toBe(0);
    const audit = await gw.runtime.services.audit.list({ actions: ['source.register'], targetId: 'leak-keys' });
    expect(audit.entries.map((e) => e.outcome)).toEqual(['DENIED']);
  });

  it('accepts a variable with the source prefix or listed in SOURCE_SECRET_ENV_ALLOW (and then connects)', async () => {
    const byPrefix = await gw.graphql(REGISTER, { input: remote('team-remote', `http://127.0.0.1:${allowed.port}/`, 'DSR_SOURCE_SECRET_TEAM') }, connector);
    expect(byPrefix.body.errors).toBeUndefined();
    const listed = await gw.graphql(REGISTER, { input: remote('listed-remote', `http://127.0.0.1:${allowed.port}/`, 'TEAM_SECRET') }, admin);
    expect(listed.body.errors).toBeUndefined();
    await settle();
    // The listener does see these: it would have seen the refused ones too.
    expect(allowed.connections).toBeGreaterThan(0);
  });
});

describe('a remote registration holds no secret in its address', () => {
  it('refuses a baseUrl with a user name, a password or a query (INVALID_SOURCE_CONFIG on connection.baseUrl), echoes none of it, stores nothing and connects to nothing', async () => {
    const before = allowed.connections;
    const host = `127.0.0.1:${allowed.port}`;
    const attempts = [
      { id: 'cred-password', baseUrl: `http://svc:s3cr3t-in-url@${host}/connector` },
      { id: 'cred-user', baseUrl: `http://s3cr3t-in-url@${host}/connector` },
      { id: 'cred-query', baseUrl: `http://${host}/connector?api_key=s3cr3t-in-url` },
      { id: 'cred-fragment', baseUrl: `http://${host}/connector#s3cr3t-in-url` },
    ];
    for (const { id, baseUrl } of attempts) {
      for (const key of [connector, admin]) {
        const reply = await gw.graphql(REGISTER, { input: remote(id, baseUrl, 'DSR_SOURCE_SECRET_TEAM') }, key);
        expect(graphqlCodeOf(reply), id).toBe('INVALID_SOURCE_CONFIG');
        expect(reply.body.errors?.[0]?.extensions?.field, id).toBe('connection.baseUrl');
        expect(JSON.stringify(reply.body), id).not.toContain('s3cr3t-in-url');
      }
      expect(await gw.runtime.services.sources.find(id)).toBeNull();
    }
    const [{ count }] = (await gw.runtime.services.dataSource.query(`SELECT count(*)::int AS count FROM source WHERE config::text LIKE '%s3cr3t-in-url%'`)) as {
      count: number;
    }[];
    expect(count).toBe(0);
    await settle();
    expect(allowed.connections).toBe(before);
  });
});

describe('SOURCES_FILE', () => {
  it("is held to the same rules: a file naming the gateway's database URL stops the start, before any connection", async () => {
    const file = path.join(os.tmpdir(), `dsr-trust-${process.pid}-${Date.now()}.json`);
    await writeFile(file, JSON.stringify([sql('file-leak', { url: `postgres://x@127.0.0.1:${allowed.port}/db`, passwordEnv: 'DATABASE_URL' })]));
    const before = allowed.connections;
    try {
      // What the runtime runs at start for SOURCES_FILE.
      await expect(gw.runtime.services.sources.registerFile(file)).rejects.toMatchObject({
        code: 'SOURCE_SECRET_NOT_ALLOWED',
        details: { field: 'connection.passwordEnv' },
      });
    } finally {
      await rm(file, { force: true });
    }
    await settle();
    expect(allowed.connections).toBe(before);
    expect(await gw.runtime.services.sources.find('file-leak')).toBeNull();
  });
});

describe('SOURCES_FILE changes are audited', () => {
  it('a source the file registers, or points elsewhere at a later start, is audited as source.register / source.update by config-file; an unchanged entry is not', async () => {
    const s = gw.runtime.services;
    const file = path.join(os.tmpdir(), `dsr-trust-audit-${process.pid}-${Date.now()}.json`);
    const entries = async () =>
      (await s.audit.list({ targetId: 'file-remote', actions: ['source.register', 'source.update'] }, { first: 50 })).entries.map((e) => [
        e.action,
        e.actorId,
        e.outcome,
      ]);
    try {
      await writeFile(file, JSON.stringify([remote('file-remote', `http://127.0.0.1:${allowed.port}/connector`, 'DSR_SOURCE_SECRET_TEAM')]));
      await s.sources.registerFile(file);
      expect(await entries()).toEqual([['source.register', 'config-file', 'SUCCESS']]);
      // The next start applies the same file: nothing changed, nothing to audit.
      await s.sources.registerFile(file);
      expect(await entries()).toHaveLength(1);
      // The file now points the source at another service (another path, same allowed host): audited.
      await writeFile(file, JSON.stringify([remote('file-remote', `http://127.0.0.1:${allowed.port}/elsewhere`, 'DSR_SOURCE_SECRET_TEAM')]));
      await s.sources.registerFile(file);
      expect(await entries()).toEqual([
        ['source.update', 'config-file', 'SUCCESS'],
        ['source.register', 'config-file', 'SUCCESS'],
      ]);
    } finally {
      await rm(file, { force: true });
    }
  });
});

describe('a registration reaches only allowed destinations', () => {
  it('refuses a destination outside SOURCE_ALLOWED_HOSTS before any connection is made', async () => {
    const before = allowed.connections;
    const attempts = [
      { input: remote('ssrf-port', `http://127.0.0.1:${refused.port}/`, 'DSR_SOURCE_SECRET_TEAM'), field: 'connection.baseUrl' },
      { input: sql('ssrf-sql', { url: `postgres://x@127.0.0.1:${refused.port}/db` }), field: 'connection.url' },
      { input: sql('ssrf-redis', { url: 'postgres://x@127.0.0.1:6379/db' }), field: 'connection.url' },
      { input: sql('ssrf-env', { urlEnv: 'DSR_SOURCE_SECRET_REFUSED_URL' }), field: 'connection.urlEnv' },
      { input: remote('ssrf-metadata', 'http://169.254.169.254/latest/', 'DSR_SOURCE_SECRET_TEAM'), field: 'connection.baseUrl' },
      { input: sql('ssrf-hostparam', { url: `postgres://x@127.0.0.1:${allowed.port}/db?host=127.0.0.1&port=${refused.port}` }), field: 'connection.url' },
    ];
    for (const { input, field } of attempts) {
      for (const key of [connector, admin]) {
        const reply = await gw.graphql(REGISTER, { input }, key);
        expect(graphqlCodeOf(reply), input.id).toBe('SOURCE_DESTINATION_NOT_ALLOWED');
        expect(reply.body.errors?.[0]?.extensions?.field, input.id).toBe(field);
      }
      expect(await gw.runtime.services.sources.find(input.id)).toBeNull();
    }
    await settle();
    expect(refused.connections).toBe(0);
    expect(allowed.connections).toBe(before);
  });

  it('does not connect for a stored registration the policy now refuses: no health check reaches it', async () => {
    // As if registered before the destination was taken out of SOURCE_ALLOWED_HOSTS.
    const config = {
      ...remote('stale', `http://127.0.0.1:${refused.port}/`, 'DSR_SOURCE_SECRET_TEAM'),
      connection: { baseUrl: `http://127.0.0.1:${refused.port}/`, secretEnv: 'DSR_SOURCE_SECRET_TEAM', timeoutMs: 300 },
    };
    await gw.runtime.services.dataSource.query(
      `INSERT INTO source (id, name, kind, connector_type, config) VALUES ('stale', 'trust stale', 'OTHER', 'remote', $1)`,
      [config],
    );
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the registry's list cache
    const reply = await gw.graphql<{ sources: { id: string; healthy: boolean; health: { detail: string } }[] }>(
      '{ sources { id healthy health { detail } } }',
      {},
      admin,
    );
    expect(reply.body.errors).toBeUndefined();
    const stale = reply.body.data!.sources.find((s) => s.id === 'stale');
    expect(stale).toMatchObject({ healthy: false, health: { detail: expect.stringContaining('not among the allowed destinations') } });
    await settle();
    expect(refused.connections).toBe(0);
  });
});
