// Least privilege for the gateway's database role, and signed checkpoints of the audit
// chain head (docs/security.md, "Database roles" and "Checkpoints").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startRuntime, type Runtime } from '../../../src/app/runtime.js';
import { databaseUrl, withAdminClient } from '../../support/test-database.js';
import { entryHash } from '../../../src/audit/chain.js';
import { rowToView } from '../../../src/audit/audit-log.js';
import { runAuditVerify } from '../../../src/audit/verify-cli.js';
import { runAuditCheckpoint } from '../../../src/audit/checkpoint-cli.js';

const sfx = randomBytes(4).toString('hex');
const ownerRole = `dsr_test_owner_${sfx}`;
const runtimeRole = `dsr_test_runtime_${sfx}`;
const dbName = `dsr_test_roles_${sfx}`;
const urlAs = (role: string) => {
  const url = new URL(databaseUrl(dbName));
  url.username = role;
  url.password = '';
  return url.toString();
};
const ownerUrl = urlAs(ownerRole);
const runtimeUrl = urlAs(runtimeRole);
const dir = mkdtempSync(join(tmpdir(), 'dsr-checkpoints-'));
const checkpointFile = join(dir, 'audit-checkpoints.jsonl');
const checkpointKeys = `c1:${randomBytes(32).toString('base64')}`;

let runtime: Runtime;
let url: string;

async function asRole<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function graphql(query: string, key: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

function cli() {
  const out: string[] = [];
  return { out, io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) } };
}

beforeAll(async () => {
  await withAdminClient(async (c) => {
    await c.query(`CREATE ROLE ${ownerRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await c.query(`CREATE ROLE ${runtimeRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await c.query(`CREATE DATABASE ${dbName} OWNER ${ownerRole}`);
  });
  const env = {
    NODE_ENV: 'test',
    DSR_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: runtimeUrl,
    DATABASE_MIGRATION_URL: ownerUrl,
    DSR_AUDIT_CHECKPOINT_KEYS: checkpointKeys,
    DSR_AUDIT_CHECKPOINT_FILE: checkpointFile,
  };
  // Queues in PostgreSQL too: the runtime role must work in BullMQ's schema.
  runtime = await startRuntime({
    config: loadConfig(env),
    databaseUrl: runtimeUrl,
    http: true,
    worker: true,
    migrate: true,
    logger: createLogger('silent'),
    env,
  });
  url = runtime.url!;
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await withAdminClient(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${runtimeRole}`);
    await c.query(`DROP ROLE IF EXISTS ${ownerRole}`);
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('database roles: migrations as the owner, the gateway as a runtime role', () => {
  it('the gateway works as the runtime role: keys, the audit log, queues', async () => {
    const { clearKey } = await runtime.services.apiKeys.create({ name: 'roles test', roles: ['ADMIN', 'AUDITOR'] });
    const created = await graphql(
      `
        mutation {
          createApiKey(input: { name: "w", roles: [WORKER] }) {
            clearKey
          }
        }
      `,
      clearKey,
    );
    expect(created.errors).toBeUndefined();
    const ping = await graphql('mutation { pingWorkers { handledBy } }', clearKey);
    expect(ping.errors).toBeUndefined();
    const log = await graphql('{ auditLog(first: 5) { edges { node { action } } } }', clearKey);
    expect(log.errors).toBeUndefined();
    const tables = await asRole(ownerUrl, (c) => c.query(`SELECT tableowner FROM pg_tables WHERE tablename IN ('audit_log', 'audit_chain_head', 'task')`));
    expect(tables.rows.map((r) => r.tableowner)).toEqual([ownerRole, ownerRole, ownerRole]);
  });

  it('R13: the runtime role cannot disable the audit triggers, alter, delete or truncate audit rows, or reset the head', async () => {
    await asRole(runtimeUrl, async (c) => {
      for (const sql of [
        'ALTER TABLE audit_log DISABLE TRIGGER ALL',
        'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete',
        'ALTER TABLE audit_chain_head DISABLE TRIGGER ALL',
        'DROP TRIGGER audit_log_no_update_delete ON audit_log',
        `ALTER TABLE audit_log OWNER TO ${runtimeRole}`,
        `UPDATE audit_log SET outcome = 'DENIED' WHERE seq = 1`,
        'DELETE FROM audit_log WHERE seq = 1',
        'TRUNCATE audit_log',
        'DELETE FROM audit_chain_head',
        `CREATE TABLE public.audit_shadow (x int)`,
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
      }
      const { rows } = await c.query(
        `SELECT has_table_privilege('audit_log', 'UPDATE, DELETE, TRUNCATE, TRIGGER') AS rewrite,
                has_table_privilege('audit_log', 'INSERT') AND has_table_privilege('audit_log', 'SELECT') AS append`,
      );
      expect(rows[0]).toEqual({ rewrite: false, append: true });
    });
    const ok = cli();
    expect(await runAuditVerify(['--database-url', runtimeUrl], {}, ok.io)).toBe(0);
  });

  it('R13: a rewrite by the owner role (edit, re-hash, move the head) passes the chain check but is caught against a signed checkpoint', async () => {
    const written = cli();
    expect(
      await runAuditCheckpoint(
        ['--database-url', runtimeUrl],
        { DSR_AUDIT_CHECKPOINT_KEYS: checkpointKeys, DSR_AUDIT_CHECKPOINT_FILE: checkpointFile },
        written.io,
      ),
    ).toBe(0);
    const verifyEnv = { DSR_AUDIT_CHECKPOINT_KEYS: checkpointKeys };
    const before = cli();
    expect(await runAuditVerify(['--database-url', runtimeUrl, '--checkpoint', checkpointFile], verifyEnv, before.io)).toBe(0);
    expect(before.out.join('\n')).toMatch(/matching \d+ signed checkpoints/);

    // The owner may disable its own tables' triggers: it edits an entry, recomputes every
    // later hash and moves the head, so the chain in the database is consistent again.
    await asRole(ownerUrl, async (c) => {
      const { rows } = await c.query(
        `SELECT seq::text AS seq, id, at, actor_id, actor_kind, action, target_type, target_id, params_digest,
                outcome, controller_id, prev_hash, hash FROM audit_log ORDER BY seq`,
      );
      expect(rows.length).toBeGreaterThan(2);
      await c.query('ALTER TABLE audit_log DISABLE TRIGGER ALL');
      await c.query('ALTER TABLE audit_chain_head DISABLE TRIGGER ALL');
      let prev = rows[0].prev_hash as string;
      for (const [i, row] of rows.entries()) {
        const e = { ...rowToView(row), ...(i === 1 ? { outcome: 'DENIED' } : {}) };
        const hash = entryHash(prev, e);
        await c.query('UPDATE audit_log SET outcome = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [e.outcome, prev, hash, e.seq]);
        prev = hash;
      }
      await c.query('UPDATE audit_chain_head SET last_hash = $1', [prev]);
      await c.query('ALTER TABLE audit_log ENABLE TRIGGER ALL');
      await c.query('ALTER TABLE audit_chain_head ENABLE TRIGGER ALL');
    });
    const chainOnly = cli();
    expect(await runAuditVerify(['--database-url', runtimeUrl], {}, chainOnly.io)).toBe(0);

    const against = cli();
    expect(await runAuditVerify(['--database-url', runtimeUrl, '--checkpoint', checkpointFile], verifyEnv, against.io)).toBe(1);
    expect(against.out.join('\n')).toContain('differs from the signed checkpoint');

    // A checkpoint line forged without the key is refused, not trusted.
    const [line] = readFileSync(checkpointFile, 'utf8').trim().split('\n').slice(-1);
    const forged = { ...JSON.parse(line!), hash: 'f'.repeat(64) };
    appendFileSync(checkpointFile, `${JSON.stringify(forged)}\n`);
    const refused = cli();
    expect(await runAuditVerify(['--database-url', runtimeUrl, '--checkpoint', checkpointFile], verifyEnv, refused.io)).toBe(2);
    expect(refused.out.join('\n')).toContain('does not carry a valid signature');
  });
});
