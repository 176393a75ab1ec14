import type { DataSource } from 'typeorm';
import { GENESIS_HASH, entryHash } from './chain.js';
import { rowToView } from './audit-log.js';

export interface ChainVerification {
  ok: boolean;
  /** Entries whose hash and link were checked and found good. */
  checked: number;
  /** The first entry whose link or content does not verify. */
  firstBrokenSeq?: string;
  reason?: string;
}

/**
 * Walks the whole audit log in seq order inside one REPEATABLE READ snapshot (so appends
 * during the walk do not cause false alarms), recomputing every hash, checking every link
 * and finally that the last entry is the one the chain head names (entries cut off the end).
 */
export async function verifyAuditChain(dataSource: DataSource, options: { batchSize?: number } = {}): Promise<ChainVerification> {
  const batchSize = options.batchSize ?? 1000;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    const [head] = (await runner.query(`SELECT last_seq::text AS last_seq, last_hash FROM audit_chain_head WHERE id = 1`)) as Array<{
      last_seq: string;
      last_hash: string;
    }>;
    if (!head) return { ok: false, checked: 0, reason: 'audit_chain_head is missing' };
    let prevHash = GENESIS_HASH;
    let prevSeq: string | null = null;
    let checked = 0;
    let after = '0';
    for (;;) {
      const rows = await runner.query(
        `SELECT seq::text AS seq, id, at, actor_id, actor_kind, action, target_type, target_id, params_digest,
                outcome, controller_id, prev_hash, hash
           FROM audit_log WHERE audit_log.seq > $1::bigint ORDER BY audit_log.seq LIMIT $2`,
        [after, batchSize],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const e = rowToView(row);
        const broken = (reason: string): ChainVerification => ({ ok: false, checked, firstBrokenSeq: e.seq, reason });
        if (BigInt(e.seq) > BigInt(head.last_seq)) {
          return broken(`entry seq ${e.seq} lies beyond the chain head (seq ${head.last_seq}): appended outside the audit log`);
        }
        if (e.prevHash !== prevHash) {
          return broken(
            prevSeq === null
              ? `entry seq ${e.seq} should start the chain but its prev_hash is not the genesis hash`
              : `entry seq ${e.seq} does not link to entry seq ${prevSeq} (prev_hash differs): an entry was changed or removed`,
          );
        }
        if (entryHash(e.prevHash, e) !== e.hash) {
          return broken(`entry seq ${e.seq} was altered: its content does not match its hash`);
        }
        prevHash = e.hash;
        prevSeq = e.seq;
        checked += 1;
      }
      after = rows[rows.length - 1].seq;
    }
    const lastSeq = prevSeq ?? '0';
    if (lastSeq !== head.last_seq || prevHash !== head.last_hash) {
      return {
        ok: false,
        checked,
        firstBrokenSeq: head.last_seq,
        reason: `the log ends at seq ${lastSeq} but the chain head names seq ${head.last_seq}: entries were removed from the end`,
      };
    }
    return { ok: true, checked };
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}
