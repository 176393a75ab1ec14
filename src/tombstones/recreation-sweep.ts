// The recreation sweep (R10): finds erased people that came back through a feed that
// ignored the guard. Tombstones hold keyed hashes only, so the sweep cannot search for a
// person; it works the other way round: it lists each source's records created or
// changed since a point in time, exports their identifiers, and checks them against the
// tombstones. A hit is reported (audit + log, ids only) and an erasure task is added to
// the request that tombstoned the person and queued at once.
//
// Listing recent records needs a store the gateway can query: the built-in reference
// stores (their `appearance` view). Remote and generic SQL sources are skipped and
// reported as such (see docs/erasure.md).
import type pg from 'pg';
import type { Connector, ErasureStrategy } from '../../connectors/contract.js';
import { unwrapConnector } from '../../connectors/registry.js';
import { ReferenceConnector } from '../../connectors/shared/reference-connector.js';
import { RecordAction } from '../domain/vocabulary.js';
import { normaliseRecordIdentifiers } from '../identity/index.js';
import type { Services } from '../app/services.js';
import { rowsOf, type TaskRow } from '../execution/execution.service.js';

export interface SweepOptions {
  /** Records created or changed at or after this time are checked (null-dated ones always). */
  since: Date;
  /** Records exported and checked per batch. */
  batchSize?: number;
}

export interface SweepHit {
  sourceId: string;
  recordId: string;
  requestId: string;
  taskId: string | null;
}

export interface SweepReport {
  checked: Record<string, number>;
  /** Sources the sweep cannot list (remote, generic SQL): they rely on the guard alone. */
  skipped: string[];
  hits: SweepHit[];
}

/** The action that erases a recreated record in a source, from its erasure strategy. */
export function sweepActionOf(strategy: ErasureStrategy | undefined): RecordAction {
  switch (strategy) {
    case 'ANONYMISE':
      return RecordAction.ANONYMISE;
    case 'MINIMISE':
      return RecordAction.MINIMISE;
    case 'PURGE_SEGMENTS':
      return RecordAction.PURGE;
    case 'LEGAL_HOLD':
      return RecordAction.RESTRICT;
    default:
      return RecordAction.ERASE;
  }
}

/** Pool and schema of a reference store (the store the connector itself queries). */
function storeOf(connector: Connector): { pool: pg.Pool; schema: string } | null {
  const inner = unwrapConnector(connector);
  if (!(inner instanceof ReferenceConnector)) return null;
  const store = inner as unknown as { pool: pg.Pool; schema: string };
  return { pool: store.pool, schema: store.schema };
}

export async function runRecreationSweep(services: Services, options: SweepOptions): Promise<SweepReport> {
  const { sources, tombstones, logger, dataSource } = services;
  const batchSize = options.batchSize ?? 500;
  const report: SweepReport = { checked: {}, skipped: [], hits: [] };
  for (const source of await sources.list()) {
    let connector: Connector;
    try {
      connector = await sources.connector(source.id);
    } catch {
      report.skipped.push(source.id);
      continue;
    }
    const store = storeOf(connector);
    if (!store) {
      report.skipped.push(source.id);
      continue;
    }
    const strategy = connector.describe().retention.erasure;
    const { rows } = await store.pool.query<{ record_id: string }>(
      `SELECT record_id FROM "${store.schema}".appearance
        WHERE (doc->>'created_at') IS NULL
           OR (doc->>'created_at')::timestamptz >= $1
           OR (doc->>'last_activity_at')::timestamptz >= $1`,
      [options.since],
    );
    report.checked[source.id] = rows.length;
    for (let i = 0; i < rows.length; i += batchSize) {
      const ids = rows.slice(i, i + batchSize).map((r) => r.record_id);
      const records = await connector.export(ids.map((recordId) => ({ sourceId: source.id, recordId })));
      const people = records.map((r) => normaliseRecordIdentifiers(r.identifiers));
      const answers = await tombstones.check(people);
      for (const [k, record] of records.entries()) {
        const hit = answers[k]!.find((a) => a.tombstoned);
        if (!hit?.requestId) continue;
        // Records the erasure decided to keep (legal hold) or already handled are not recreations.
        const known = await dataSource.query(
          `SELECT 1 FROM record_decision WHERE request_id = $1 AND source_id = $2 AND record_id = $3
              AND action NOT IN ('ERASE', 'ANONYMISE', 'MINIMISE', 'PURGE')
           UNION ALL SELECT 1 FROM task WHERE request_id = $1 AND source_id = $2 AND record_id = $3 AND status NOT IN ('SUCCEEDED', 'FAILED')`,
          [hit.requestId, source.id, record.recordId],
        );
        if (known.length > 0) continue;
        const taskId = await queueErasure(services, hit.requestId, source.id, record.recordId, sweepActionOf(strategy));
        report.hits.push({ sourceId: source.id, recordId: record.recordId, requestId: hit.requestId, taskId });
      }
    }
  }
  if (report.hits.length > 0) {
    logger.warn({ hits: report.hits }, 'recreation sweep found erased people again; erasure queued');
  }
  await services.audit.record({
    actor: { id: 'system:sweep', kind: 'system' },
    action: 'tombstone.sweep',
    target: { type: 'tombstone' },
    params: { checked: report.checked, skipped: report.skipped, hits: report.hits },
    outcome: report.hits.length > 0 ? 'FAILED' : 'SUCCESS',
  });
  return report;
}

/** A new task on the original request (its history shows the recreation), queued alone. */
async function queueErasure(services: Services, requestId: string, sourceId: string, recordId: string, action: RecordAction): Promise<string | null> {
  const [task] = rowsOf<TaskRow>(
    await services.dataSource.query(
      `INSERT INTO task (request_id, source_id, record_id, action, status, last_error)
       VALUES ($1, $2, $3, $4, 'QUEUED', 'RECREATED: found again by the recreation sweep')
       ON CONFLICT (request_id, source_id, record_id, action) DO UPDATE SET status = 'QUEUED', updated_at = now()
         WHERE task.status = 'SUCCEEDED'
       RETURNING *`,
      [requestId, sourceId, recordId, action],
    ),
  );
  if (!task) return null;
  const jobId = task.attempts === 0 ? task.id : `${task.id}-sweep-${task.attempts}`;
  await services.dataSource.query(`UPDATE task SET job_id = $2 WHERE id = $1`, [task.id, jobId]);
  await services.execution.enqueueSingle({ ...task, job_id: jobId });
  await services.audit.record({
    actor: { id: 'system:sweep', kind: 'system' },
    action: 'tombstone.recreation-found',
    target: { type: 'request', id: requestId },
    params: { sourceId, recordId, taskId: task.id, action },
    outcome: 'FAILED',
  });
  return task.id;
}
