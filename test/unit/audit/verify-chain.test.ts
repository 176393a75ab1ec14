import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { GENESIS_HASH, entryHash, type ChainedFields } from '../../../src/audit/chain.js';
import { verifyAuditChain } from '../../../src/audit/verify-chain.js';

// The verifier's rules against an in-memory log: a stand-in for the two queries it runs
// (the chain head and the log in seq order, in batches). The integration tests run it on PostgreSQL.
interface Row {
  seq: string;
  id: string;
  at: string;
  actor_id: string;
  actor_kind: string;
  action: string;
  target_type: string;
  target_id: string | null;
  params_digest: string;
  outcome: string;
  controller_id: string | null;
  prev_hash: string;
  hash: string;
}

function chain(length: number): Row[] {
  const rows: Row[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= length; i++) {
    const f: ChainedFields = {
      seq: String(i),
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorId: 'user-1',
      actorKind: 'USER',
      action: 'REQUEST_CREATED',
      targetType: 'request',
      targetId: `r-${i}`,
      paramsDigest: 'sha256:00',
      outcome: 'SUCCESS',
      controllerId: null,
    };
    const hash = entryHash(prev, f);
    rows.push({
      seq: f.seq,
      id: f.id,
      at: f.at.toISOString(),
      actor_id: f.actorId,
      actor_kind: f.actorKind,
      action: f.action,
      target_type: f.targetType,
      target_id: f.targetId,
      params_digest: f.paramsDigest,
      outcome: f.outcome,
      controller_id: f.controllerId,
      prev_hash: prev,
      hash,
    });
    prev = hash;
  }
  return rows;
}

function rehash(row: Row): Row {
  const hash = entryHash(row.prev_hash, {
    seq: row.seq,
    id: row.id,
    at: new Date(row.at),
    actorId: row.actor_id,
    actorKind: row.actor_kind,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    paramsDigest: row.params_digest,
    outcome: row.outcome,
    controllerId: row.controller_id,
  });
  return { ...row, hash };
}

function fakeDataSource(rows: Row[], head: { last_seq: string; last_hash: string } | undefined) {
  const state = { transaction: '', readOnly: false, released: false, rolledBack: false, active: false, batches: [] as number[] };
  const runner = {
    get isTransactionActive() {
      return state.active;
    },
    connect: async () => undefined,
    startTransaction: async (level: string) => {
      state.transaction = level;
      state.active = true;
    },
    rollbackTransaction: async () => {
      state.rolledBack = true;
      state.active = false;
    },
    release: async () => {
      state.released = true;
    },
    query: async (sql: string, params: unknown[] = []) => {
      if (sql.includes('READ ONLY')) {
        state.readOnly = true;
        return [];
      }
      if (sql.includes('audit_chain_head')) return head ? [head] : [];
      const [after, limit] = params as [string, number];
      const batch = rows.filter((r) => BigInt(r.seq) > BigInt(after)).slice(0, limit);
      state.batches.push(batch.length);
      return batch;
    },
  };
  return { dataSource: { createQueryRunner: () => runner } as unknown as DataSource, state };
}

const headOf = (rows: Row[]) => ({ last_seq: rows.at(-1)!.seq, last_hash: rows.at(-1)!.hash });

describe('audit chain verification', () => {
  it('an intact chain verifies, read in batches inside one read-only REPEATABLE READ snapshot', async () => {
    const rows = chain(5);
    const { dataSource, state } = fakeDataSource(rows, headOf(rows));
    expect(await verifyAuditChain(dataSource, { batchSize: 2 })).toEqual({ ok: true, checked: 5, breaks: [] });
    expect(state).toMatchObject({ transaction: 'REPEATABLE READ', readOnly: true, rolledBack: true, released: true, batches: [2, 2, 1, 0] });
  });

  it('an empty log with a head at seq 0 verifies', async () => {
    const { dataSource } = fakeDataSource([], { last_seq: '0', last_hash: GENESIS_HASH });
    expect(await verifyAuditChain(dataSource)).toEqual({ ok: true, checked: 0, breaks: [] });
  });

  it('a missing chain head is a break', async () => {
    const { dataSource, state } = fakeDataSource(chain(2), undefined);
    expect(await verifyAuditChain(dataSource)).toEqual({
      ok: false,
      checked: 0,
      breaks: [{ seq: '0', reason: 'audit_chain_head is missing' }],
      firstBrokenSeq: '0',
      reason: 'audit_chain_head is missing',
    });
    expect(state.released).toBe(true);
  });

  it('an edited entry is reported once, at its place, and a later edit at its own place', async () => {
    const rows = chain(6);
    rows[1] = { ...rows[1]!, outcome: 'DENIED' };
    rows[4] = { ...rows[4]!, actor_id: 'someone-else' };
    const { dataSource } = fakeDataSource(rows, headOf(rows));
    const result = await verifyAuditChain(dataSource, { batchSize: 4 });
    expect(result.breaks).toEqual([
      { seq: '2', reason: 'entry seq 2 was altered: its content does not match its hash' },
      { seq: '5', reason: 'entry seq 5 was altered: its content does not match its hash' },
    ]);
    expect(result).toMatchObject({ ok: false, checked: 6, firstBrokenSeq: '2', reason: result.breaks[0]!.reason });
  });

  it('an edited and re-hashed entry breaks the link of the next one', async () => {
    const rows = chain(4);
    rows[1] = rehash({ ...rows[1]!, outcome: 'DENIED' });
    const { dataSource } = fakeDataSource(rows, headOf(rows));
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '3', reason: 'entry seq 3 does not link to entry seq 2 (prev_hash differs): an entry was changed or removed' },
    ]);
  });

  it('a removed entry in the middle breaks the link', async () => {
    const rows = chain(4);
    const cut = [rows[0]!, rows[2]!, rows[3]!];
    const { dataSource } = fakeDataSource(cut, headOf(rows));
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '3', reason: 'entry seq 3 does not link to entry seq 1 (prev_hash differs): an entry was changed or removed' },
    ]);
  });

  it('a first entry that does not start from the genesis hash is a break', async () => {
    const rows = chain(3).slice(1);
    const { dataSource } = fakeDataSource(rows, headOf(rows));
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '2', reason: 'entry seq 2 should start the chain but its prev_hash is not the genesis hash' },
    ]);
  });

  it('entries removed from the end are caught by the chain head', async () => {
    const rows = chain(5);
    const { dataSource } = fakeDataSource(rows.slice(0, 3), headOf(rows));
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '5', reason: 'the log ends at seq 3 but the chain head names seq 5: entries were removed from the end' },
    ]);
    const { dataSource: emptied } = fakeDataSource([], headOf(rows));
    expect((await verifyAuditChain(emptied)).breaks).toEqual([
      { seq: '5', reason: 'the log ends at seq 0 but the chain head names seq 5: entries were removed from the end' },
    ]);
  });

  it('the newest entry altered and re-hashed is caught by the chain head', async () => {
    const rows = chain(3);
    const head = headOf(rows);
    rows[2] = rehash({ ...rows[2]!, outcome: 'DENIED' });
    const { dataSource } = fakeDataSource(rows, head);
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '3', reason: 'the newest entry seq 3 has another hash than the chain head records: it was altered and re-hashed' },
    ]);
  });

  it('an entry appended beyond the chain head is a break', async () => {
    const rows = chain(4);
    const { dataSource } = fakeDataSource(rows, headOf(rows.slice(0, 3)));
    expect((await verifyAuditChain(dataSource)).breaks).toEqual([
      { seq: '4', reason: 'entry seq 4 lies beyond the chain head (seq 3): appended outside the audit log' },
    ]);
  });

  it('a signed checkpoint catches a log rewritten up to it, and one naming a missing entry', async () => {
    const rows = chain(12);
    const rewritten = chain(12).map((r) => rehash({ ...r, actor_id: 'x' }));
    // A consistent rewrite of the whole log: every link and the head agree, only anchors know.
    let prev = GENESIS_HASH;
    const relinked = rewritten.map((r) => {
      const next = rehash({ ...r, prev_hash: prev });
      prev = next.hash;
      return next;
    });
    const anchors = [
      { seq: '0', hash: 'ignored' },
      { seq: '2', hash: rows[1]!.hash },
      { seq: '11', hash: relinked[10]!.hash },
      { seq: '200', hash: 'x' },
      { seq: '30', hash: 'y' },
      { seq: '100', hash: 'z' },
    ];
    const { dataSource } = fakeDataSource(relinked, headOf(relinked));
    expect((await verifyAuditChain(dataSource, { anchors })).breaks).toEqual([
      { seq: '2', reason: 'entry seq 2 differs from the signed checkpoint: the log was rewritten up to it' },
      // In seq order (numeric, not text order).
      { seq: '30', reason: 'entry seq 30, named by the signed checkpoint, is missing: the log was cut or rewritten' },
      { seq: '100', reason: 'entry seq 100, named by the signed checkpoint, is missing: the log was cut or rewritten' },
      { seq: '200', reason: 'entry seq 200, named by the signed checkpoint, is missing: the log was cut or rewritten' },
    ]);
  });
});
