import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';
import { AuditLog, type AuditRecordInput } from '../../../src/audit/audit-log.js';
import { AuditOutcome, type AuditActionName } from '../../../src/audit/audit-actions.js';
import { verifyAuditChain } from '../../../src/audit/verify-chain.js';
import { runAuditVerify } from '../../../src/audit/verify-cli.js';
import { entryHash, paramsDigest } from '../../../src/audit/chain.js';
import { HmacKeyring } from '../../../src/crypto/hmac-keyring.js';

type TestDb = Awaited<ReturnType<typeof createTestDatabase>> & { ds: DataSource; audit: AuditLog };
const opened: TestDb[] = [];

async function openDb(): Promise<TestDb> {
  const db = await createTestDatabase();
  const ds = createDataSource({ url: db.url, poolSize: 8 });
  await ds.initialize();
  const t = { ...db, ds, audit: new AuditLog(ds) };
  opened.push(t);
  return t;
}

afterAll(async () => {
  for (const t of opened) {
    await t.ds.destroy();
    await t.drop();
  }
});

const entry = (n: number, over: Partial<AuditRecordInput> = {}): AuditRecordInput => ({
  actor: { id: `key${n % 3}`, kind: 'api-key' },
  action: n % 2 ? 'discovery.run' : 'request.export',
  target: { type: 'request', id: `req-${n}` },
  params: { email: `person${n}@example.org`, n },
  outcome: AuditOutcome.SUCCESS,
  controllerId: n % 2 ? 'A' : 'B',
  ...over,
});

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string } | undefined> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  return undefined;
}

/** Runs SQL with the append-only triggers switched off, as a superuser attacker could. */
async function tamper(ds: DataSource, sql: string, params: unknown[] = []): Promise<void> {
  await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER ALL`);
  try {
    await ds.query(sql, params);
  } finally {
    await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER ALL`);
  }
}

describe('audit log', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openDb();
    for (let n = 1; n <= 30; n++) await t.audit.record(entry(n));
  });

  it('R13: records actor, time, action, target and a digest, never the personal data', async () => {
    const [e] = (await t.audit.list({ targetId: 'req-7' })).entries;
    expect(e).toMatchObject({ actorId: 'key1', actorKind: 'api-key', action: 'discovery.run', targetType: 'request', outcome: 'SUCCESS' });
    expect(e!.paramsDigest).toBe(paramsDigest({ n: 7, email: 'person7@example.org' }));
    const everything = JSON.stringify(await t.ds.query(`SELECT * FROM audit_log`));
    expect(everything).not.toContain('@example.org');
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    for (const sql of [
      `UPDATE audit_log SET outcome = 'FAILED' WHERE seq = 3`,
      `DELETE FROM audit_log WHERE seq = 3`,
      `TRUNCATE audit_log`,
      `UPDATE audit_chain_head SET last_seq = 0`,
      `DELETE FROM audit_chain_head`,
    ]) {
      const err = await errorOf(t.ds.query(sql));
      expect(err?.message, sql).toMatch(/append-only|only moves forward/);
    }
    expect((await verifyAuditChain(t.ds)).ok).toBe(true);
  });

  it('lists with filters and a seq cursor, newest first by default', async () => {
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await t.audit.list({ actions: ['discovery.run'] }, { first: 4, after });
      all.push(...page.entries.map((e) => e.targetId!));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(all).toEqual(Array.from({ length: 15 }, (_, i) => `req-${29 - 2 * i}`));
    const asc = await t.audit.list({ actorId: 'key0' }, { order: 'asc', first: 3 });
    expect(asc.entries.map((e) => e.targetId)).toEqual(['req-3', 'req-6', 'req-9']);
    expect((await t.audit.list({ targetType: 'request', targetId: 'req-5' })).entries).toHaveLength(1);
  });

  it('filters by time range', async () => {
    const clock = { now: new Date('2030-01-01T00:00:00.000Z') };
    const timed = new AuditLog(t.ds, { now: () => clock.now });
    await timed.record(entry(100, { target: { type: 'request', id: 'timed-1' } }));
    clock.now = new Date('2030-02-01T00:00:00.000Z');
    await timed.record(entry(101, { target: { type: 'request', id: 'timed-2' } }));
    const jan = await t.audit.list({ from: new Date('2030-01-01T00:00:00.000Z'), to: new Date('2030-01-31T00:00:00.000Z') });
    expect(jan.entries.map((e) => e.targetId)).toEqual(['timed-1']);
  });

  it('a reader bound to controller A sees only A entries', async () => {
    const page = await t.audit.list({}, { first: 500 }, { controllerIds: ['A'] });
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.every((e) => e.controllerId === 'A')).toBe(true);
  });

  it('rejects bad paging input and bad entries with coded errors', async () => {
    expect((await errorOf(t.audit.list({}, { after: '1; DROP TABLE x' })))?.code).toBe('BAD_USER_INPUT');
    expect((await errorOf(t.audit.list({}, { first: 0 })))?.code).toBe('BAD_USER_INPUT');
    expect((await errorOf(t.audit.list({}, { first: 501 })))?.code).toBe('BAD_USER_INPUT');
    expect((await errorOf(t.audit.list({ from: new Date('nope') })))?.code).toBe('BAD_USER_INPUT');
    expect((await errorOf(t.audit.record(entry(1, { action: 'Not An Action' as AuditActionName }))))?.code).toBe('INVALID_AUDIT_ENTRY');
    expect((await errorOf(t.audit.record(entry(1, { outcome: 'MAYBE' as AuditOutcome }))))?.code).toBe('INVALID_AUDIT_ENTRY');
  });

  it('an entry recorded inside a transaction that rolls back leaves no trace and no broken chain', async () => {
    await errorOf(
      t.ds.transaction(async (m) => {
        await t.audit.record(entry(200, { target: { type: 'request', id: 'rolled-back' } }), m);
        throw new Error('the change failed');
      }),
    );
    expect((await t.audit.list({ targetId: 'rolled-back' })).entries).toHaveLength(0);
    await t.audit.record(entry(201));
    expect((await verifyAuditChain(t.ds)).ok).toBe(true);
  });

  it('concurrent appends stay one unbroken chain', async () => {
    const before = (await verifyAuditChain(t.ds)).checked;
    await Promise.all(Array.from({ length: 60 }, (_, i) => t.audit.record(entry(300 + i))));
    const result = await verifyAuditChain(t.ds, { batchSize: 7 });
    expect(result).toEqual({ ok: true, checked: before + 60, breaks: [] });
  });

  it('two processes appending in turn, in and out of transactions, keep one unbroken chain', async () => {
    // Each AuditLog remembers the head it last wrote; the other one moves it in between.
    const other = new AuditLog(t.ds);
    const before = (await verifyAuditChain(t.ds)).checked;
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        t.audit.record(entry(400 + round)),
        other.record(entry(500 + round)),
        t.ds.transaction((m) => other.recordAll([entry(600 + round), entry(700 + round)], m)),
      ]);
    }
    expect(await verifyAuditChain(t.ds)).toEqual({ ok: true, checked: before + 20, breaks: [] });
  });

  it('uses an HMAC digest when given a keyring', async () => {
    const ring = new HmacKeyring([{ kid: 'a1', key: randomBytes(32) }]);
    const keyed = new AuditLog(t.ds, { digestKeyring: ring });
    const e = await keyed.record(entry(400));
    expect(e.paramsDigest).toMatch(/^hmac:a1:[A-Za-z0-9_-]{43}$/);
    expect(e.paramsDigest).toBe(paramsDigest(entry(400).params, ring));
  });
});

describe('tamper detection (npm run audit:verify)', () => {
  async function seeded(n = 10): Promise<TestDb> {
    const t = await openDb();
    for (let i = 1; i <= n; i++) await t.audit.record(entry(i));
    expect((await verifyAuditChain(t.ds)).ok).toBe(true);
    return t;
  }

  it('editing a row directly in the database is detected and the seq named', async () => {
    const t = await seeded();
    await tamper(t.ds, `UPDATE audit_log SET outcome = 'DENIED' WHERE seq = 6`);
    const result = await verifyAuditChain(t.ds);
    expect(result).toMatchObject({ ok: false, checked: 10, firstBrokenSeq: '6' });
    expect(result.breaks).toHaveLength(1);
    expect(result.reason).toContain('altered');
  });

  it('every column an attacker may edit is covered by the hash', async () => {
    const edits: Array<[string, unknown]> = [
      ['at', new Date('2001-01-01T00:00:00Z')],
      ['actor_id', 'someone-else'],
      ['actor_kind', 'oidc'],
      ['action', 'request.read'],
      ['target_type', 'source'],
      ['target_id', 'req-999'],
      ['params_digest', 'sha256:' + '0'.repeat(64)],
      ['controller_id', 'C'],
      ['id', '00000000-0000-4000-8000-000000000000'],
    ];
    const t = await seeded(edits.length + 1);
    for (const [i, [column, value]] of edits.entries()) {
      await tamper(t.ds, `UPDATE audit_log SET ${column} = $1 WHERE seq = $2`, [value, i + 1]);
      expect((await verifyAuditChain(t.ds)).firstBrokenSeq, column).toBe(String(1));
    }
  });

  it('re-hashing an edited row breaks the link to the next one', async () => {
    const t = await seeded();
    const [row] = (await t.audit.list({}, { order: 'asc', after: '3', first: 1 })).entries;
    const forged = { ...row!, outcome: 'DENIED' };
    const forgedHash = entryHash(row!.prevHash, forged);
    await tamper(t.ds, `UPDATE audit_log SET outcome = 'DENIED', hash = $1 WHERE seq = 4`, [forgedHash]);
    const result = await verifyAuditChain(t.ds);
    expect(result).toMatchObject({ ok: false, checked: 10, firstBrokenSeq: '5' });
    expect(result.breaks).toHaveLength(1);
    expect(result.reason).toContain('does not link to entry seq 4');
  });

  it('deleting a row in the middle is detected at the next one', async () => {
    const t = await seeded();
    await tamper(t.ds, `DELETE FROM audit_log WHERE seq = 5`);
    expect(await verifyAuditChain(t.ds)).toMatchObject({ ok: false, firstBrokenSeq: '6', checked: 9 });
  });

  it('cutting entries off the end is detected against the chain head', async () => {
    const t = await seeded();
    await tamper(t.ds, `DELETE FROM audit_log WHERE seq >= 9`);
    const result = await verifyAuditChain(t.ds);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: '10', checked: 8 });
    expect(result.reason).toContain('removed from the end');
  });

  it('R13: editing and re-hashing the newest entry is caught against the chain head, and named as such', async () => {
    // The newest entry has no successor whose link would break: only the head's hash tells.
    const t = await seeded();
    const [newest] = (await t.audit.list({}, { first: 1 })).entries;
    expect(newest!.seq).toBe('10');
    const forgedHash = entryHash(newest!.prevHash, { ...newest!, outcome: 'DENIED' });
    await tamper(t.ds, `UPDATE audit_log SET outcome = 'DENIED', hash = $1 WHERE seq = 10`, [forgedHash]);
    const result = await verifyAuditChain(t.ds);
    expect(result).toMatchObject({ ok: false, checked: 10, firstBrokenSeq: '10' });
    expect(result.breaks).toHaveLength(1);
    expect(result.reason).toContain('newest entry seq 10');
    expect(result.reason).toContain('altered and re-hashed');
    expect(result.reason).not.toContain('removed');
  });

  it('R13: every broken entry is reported, not only the first', async () => {
    const t = await seeded();
    await tamper(t.ds, `UPDATE audit_log SET outcome = 'DENIED' WHERE seq = 3`);
    await tamper(t.ds, `UPDATE audit_log SET target_id = 'req-x' WHERE seq = 7`);
    const result = await verifyAuditChain(t.ds, { batchSize: 4 });
    expect(result.breaks.map((b) => b.seq)).toEqual(['3', '7']);
    expect(result.breaks.every((b) => b.reason.includes('altered'))).toBe(true);
    const err: string[] = [];
    expect(await runAuditVerify(['--database-url', t.url], {}, { out: () => undefined, err: (l) => err.push(l) })).toBe(1);
    expect(err.join('\n')).toContain('BROKEN at seq 3');
    expect(err.join('\n')).toContain('BROKEN at seq 7');
  });

  it('R13: an entry whose ids hold lone UTF-16 surrogates or NUL verifies: the hash covers what is stored', async () => {
    const t = await seeded(2);
    const lone = 'src-\uD800-x';
    const pairAtCut = `${'a'.repeat(198)}\uD83D\uDE00tail`;
    await t.audit.record(entry(3, { actor: { id: 'key\uDC00', kind: 'api-key' }, target: { type: 'source', id: lone }, controllerId: 'c\u0000\uDBFF' }));
    await t.audit.record(entry(4, { target: { type: 'source', id: pairAtCut } }));
    await t.audit.record(entry(5));
    expect(await verifyAuditChain(t.ds)).toEqual({ ok: true, checked: 5, breaks: [] });
    const [stored] = (await t.audit.list({ targetType: 'source' }, { order: 'asc' })).entries;
    expect(stored).toMatchObject({ targetId: 'src-\uFFFD-x', actorId: 'key\uFFFD', controllerId: 'c\uFFFD\uFFFD' });
  });

  it('the CLI exits 0 on an intact chain and 1 naming the first broken link', async () => {
    const t = await seeded();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runAuditVerify(['--database-url', t.url], {}, io)).toBe(0);
    expect(out.join('\n')).toContain('10 entries verified');
    await tamper(t.ds, `UPDATE audit_log SET target_id = 'req-x' WHERE seq = 3`);
    expect(await runAuditVerify([], { DSR_DATABASE_URL: t.url }, io)).toBe(1);
    expect(err.join('\n')).toContain('BROKEN at seq 3');
    expect(await runAuditVerify([], {}, io)).toBe(2);
  });
});
