// Runs one task: the connector's erase, correct or restrict, and the outcome persisted
// in the task table. Connectors are idempotent (a repeat answers ALREADY_APPLIED or
// NOT_FOUND), and applied_count counts only APPLIED, so the table proves the effect
// happened once even when a job runs twice (crash, stalled lock, retry).
import { ConnectorError, type ActionResult, type ErasurePlan } from '../../connectors/contract.js';
import { RecordAction } from '../domain/vocabulary.js';
import { AuditAction } from '../audit/index.js';
import type { ExecutionDeps } from './execution-deps.js';
import { openCorrections } from './request-secrets.js';
import { taskDuration, taskOutcomes } from './execution-metrics.js';
import type { TaskJobData } from './task-plan.js';
import type { TaskRow } from './execution.service.js';
import { rowsOf } from './execution.service.js';

/** The task cannot succeed by retrying (refused by the source, unknown action). */
export class PermanentTaskError extends Error {}

/** The source said "too many requests": the job goes back without using an attempt. */
export class SourceRateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`source rate limited; retry after ${retryAfterMs} ms`);
  }
}

export class TaskTimeout extends Error {}

export interface AttemptInfo {
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
}

const SUCCESS: ReadonlySet<string> = new Set(['APPLIED', 'ALREADY_APPLIED', 'NOT_FOUND']);

export class TaskRunner {
  constructor(private readonly deps: ExecutionDeps) {}

  async run(job: TaskJobData, info: AttemptInfo): Promise<{ outcome: string } | { skipped: string }> {
    const { dataSource } = this.deps;
    const [task] = rowsOf<TaskRow>(
      await dataSource.query(
        `UPDATE task SET status = 'RUNNING', attempts = attempts + 1, started_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('QUEUED', 'RUNNING', 'RETRYING', 'REOPENED') RETURNING *`,
        [job.taskId],
      ),
    );
    // Already finished (a job delivered again after its result was saved): nothing to do.
    if (!task) return { skipped: 'task already finished or unknown' };
    const started = performance.now();
    let result: ActionResult;
    try {
      result = await this.withTimeout(this.apply(task), this.deps.settings.taskTimeoutMs);
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      if (error instanceof ConnectorError && error.code === 'RATE_LIMITED') {
        taskOutcomes.inc({ source: task.source_id, action: task.action, outcome: 'RATE_LIMITED' });
        // Not an attempt: the source asked us to slow down.
        await dataSource.query(`UPDATE task SET status = 'RETRYING', attempts = attempts - 1, last_error = $2, duration_ms = $3 WHERE id = $1`, [task.id, 'RATE_LIMITED: source asked to slow down', ms]);
        throw new SourceRateLimited(error.retryAfterMs ?? 1000);
      }
      const permanent = error instanceof PermanentTaskError || (error instanceof ConnectorError && (error.code === 'NOT_SUPPORTED' || error.code === 'CONFIGURATION'));
      const last = permanent || info.attempt >= info.maxAttempts;
      const reason = `${error instanceof TaskTimeout ? 'TIMEOUT' : error instanceof ConnectorError ? error.code : 'ERROR'}: ${(error as Error).message}`.slice(0, 500);
      taskOutcomes.inc({ source: task.source_id, action: task.action, outcome: error instanceof TaskTimeout ? 'TIMEOUT' : 'ERROR' });
      taskDuration.observe({ source: task.source_id, action: task.action }, ms / 1000);
      await dataSource.query(
        `UPDATE task SET status = $2, last_error = $3, duration_ms = $4, finished_at = CASE WHEN $2 = 'FAILED' THEN now() ELSE NULL END WHERE id = $1`,
        [task.id, last ? 'FAILED' : 'RETRYING', reason, ms],
      );
      if (last) await this.auditTask(task, 'FAILED', reason);
      throw permanent ? new PermanentTaskError(reason) : error;
    }
    const ms = Math.round(performance.now() - started);
    taskOutcomes.inc({ source: task.source_id, action: task.action, outcome: result.outcome });
    taskDuration.observe({ source: task.source_id, action: task.action }, ms / 1000);
    const ok = SUCCESS.has(result.outcome);
    const detail = result.detail ? `${result.outcome}: ${result.detail}`.slice(0, 500) : null;
    await dataSource.query(
      `UPDATE task SET status = $2, outcome = $3, applied_count = applied_count + $4, last_error = $5, duration_ms = $6, finished_at = now() WHERE id = $1`,
      [task.id, ok ? 'SUCCEEDED' : 'FAILED', result.outcome, result.outcome === 'APPLIED' ? 1 : 0, ok ? null : detail, ms],
    );
    await this.auditTask(task, ok ? 'SUCCESS' : 'FAILED', result.outcome);
    if (!ok) throw new PermanentTaskError(detail ?? result.outcome);
    return { outcome: result.outcome };
  }

  private async apply(task: TaskRow): Promise<ActionResult> {
    const connector = await this.deps.sources.connector(task.source_id);
    const ref = { sourceId: task.source_id, recordId: task.record_id };
    switch (task.action) {
      case RecordAction.ERASE:
      case RecordAction.ANONYMISE:
      case RecordAction.MINIMISE:
      case RecordAction.PURGE: {
        const plan: ErasurePlan = { action: task.action, requestId: task.request_id, taskId: task.id };
        return connector.erase(ref, plan);
      }
      case RecordAction.RESTRICT:
        return connector.restrict(ref, true);
      case RecordAction.CORRECT:
      case RecordAction.ANNOTATE: {
        // Only the fields this record's source can take and the handler found inaccurate
        // (R14): the decision lists them; the other requested fields belong to other records.
        const [request] = await this.deps.dataSource.query(
          `SELECT r.id, r.corrections_sealed, r.inaccuracy_finding, d.correction_fields
             FROM data_subject_request r
             LEFT JOIN record_decision d ON d.request_id = r.id AND d.source_id = $2 AND d.record_id = $3
            WHERE r.id = $1`,
          [task.request_id, task.source_id, task.record_id],
        );
        const finding = request?.inaccuracy_finding as { inaccurate?: boolean; accepted?: string[] } | null;
        if (!finding?.inaccurate) throw new PermanentTaskError('INACCURACY_NOT_ESTABLISHED: no finding that the data was inaccurate');
        const fields: string[] | null = request.correction_fields;
        const accepted = new Set(finding.accepted ?? []);
        const changes = openCorrections(this.deps.keyrings.encryption, request).filter((c) => accepted.has(c.field) && (fields === null || fields.includes(c.field)));
        if (changes.length === 0) throw new PermanentTaskError('no requested correction applies to this record');
        return connector.correct(ref, changes);
      }
      default:
        throw new PermanentTaskError(`no task runs action ${task.action}`);
    }
  }

  private async withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TaskTimeout(`no answer within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async auditTask(task: TaskRow, outcome: 'SUCCESS' | 'FAILED', detail: string): Promise<void> {
    await this.deps.audit.record({
      actor: { id: 'system:worker', kind: 'worker' },
      action: AuditAction.TASK_EXECUTE,
      target: { type: 'task', id: task.id },
      params: { requestId: task.request_id, sourceId: task.source_id, recordId: task.record_id, action: task.action, detail },
      outcome,
    });
  }
}
