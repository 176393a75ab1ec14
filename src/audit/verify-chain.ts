import type { DataSource } from 'typeorm';
import { GENESIS_HASH, entryHash } from './chain.js';
import { rowToView } from './audit-log.js';

/** One place where the chain does not verify, and why. */
export interface ChainBreak {
  seq: string;
  reason: string;
}

/** A point of the chain known from outside the database (a signed checkpoint): entry `seq` had hash `hash`. */
export interface ChainAnchor {
  seq: string;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Entries read and checked (good or not). */
  checked: number;
  /** Every place the chain does not verify, in seq order. */
  breaks: ChainBreak[];
  /** The first break's seq and reason (the same as breaks[0]). */
  firstBrokenSeq?: string;
  reason?: string;
}

/**
 * Walks the whole audit log in seq order inside one REPEATABLE READ snapshot (so appends
 * during the walk do not cause false alarms), recomputing every hash, checking every link,
 * that the last entry is the one the chain head names, and that every anchor (a signed
 * checkpoint kept outside the database) still matches the entry it names.
 *
 * It reports every break, not only the first: after a break the walk goes on from the
 * stored hash, so one edit is reported once, and a later edit is still reported at its place.
 */
export async function verifyAuditChain(
  dataSource: DataSource,
  options: { batchSize?: number; anchors?: readonly ChainAnchor[] } = {},
): Promise<ChainVerification> {
  const batchSize = options.batchSize ?? 1000;
  const anchors = new Map<string, string>();
  for (const a of options.anchors ?? []) if (a.seq !== '0') anchors.set(a.seq, a.hash);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    const [head] = (await runner.query(`SELECT last_seq::text AS last_seq, last_hash FROM audit_chain_head WHERE id = 1`)) as Array<{
      last_seq: string;
      last_hash: string;
    }>;
    if (!head) return result(0, [{ seq: '0', reason: 'audit_chain_head is missing' }]);
    const breaks: ChainBreak[] = [];
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
        const broken = (reason: string) => breaks.push({ seq: e.seq, reason });
        if (BigInt(e.seq) > BigInt(head.last_seq)) {
          broken(`entry seq ${e.seq} lies beyond the chain head (seq ${head.last_seq}): appended outside the audit log`);
        }
        if (e.prevHash !== prevHash) {
          broken(
            prevSeq === null
              ? `entry seq ${e.seq} should start the chain but its prev_hash is not the genesis hash`
              : `entry seq ${e.seq} does not link to entry seq ${prevSeq} (prev_hash differs): an entry was changed or removed`,
          );
        }
        if (entryHash(e.prevHash, e) !== e.hash) {
          broken(`entry seq ${e.seq} was altered: its content does not match its hash`);
        }
        const anchored = anchors.get(e.seq);
        if (anchored !== undefined) {
          anchors.delete(e.seq);
          if (anchored !== e.hash) {
            broken(`entry seq ${e.seq} differs from the signed checkpoint: the log was rewritten up to it`);
          }
        }
        prevHash = e.hash;
        prevSeq = e.seq;
        checked += 1;
      }
      after = rows[rows.length - 1].seq;
    }
    const lastSeq = prevSeq ?? '0';
    if (BigInt(lastSeq) < BigInt(head.last_seq)) {
      breaks.push({
        seq: head.last_seq,
        reason: `the log ends at seq ${lastSeq} but the chain head names seq ${head.last_seq}: entries were removed from the end`,
      });
    } else if (lastSeq === head.last_seq && prevHash !== head.last_hash) {
      // Same seq, other hash: the newest entry was edited and re-hashed (its own hash
      // verifies, and no later entry links to it): only the head still holds the original.
      breaks.push({
        seq: lastSeq,
        reason: `the newest entry seq ${lastSeq} has another hash than the chain head records: it was altered and re-hashed`,
      });
    }
    for (const seq of [...anchors.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
      breaks.push({ seq, reason: `entry seq ${seq}, named by the signed checkpoint, is missing: the log was cut or rewritten` });
    }
    return result(checked, breaks);
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}

function result(checked: number, breaks: ChainBreak[]): ChainVerification {
  if (breaks.length === 0) return { ok: true, checked, breaks };
  return { ok: false, checked, breaks, firstBrokenSeq: breaks[0]!.seq, reason: breaks[0]!.reason };
}
