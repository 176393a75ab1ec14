// The periodic jobs, as BullMQ job schedulers on the schedules queue: upserting them is
// idempotent, so every worker process may register them and each period runs once.
import type { Job } from 'bullmq';
import type { Services } from '../../src/app/services.js';
import type { AnyQueue } from '../../src/queue/queue-backend.js';
import { runRecreationSweep } from '../../src/tombstones/recreation-sweep.js';
import { AuditAction } from '../../src/audit/audit-actions.js';

export const ScheduleNames = {
  overdueScan: 'overdue-scan',
  retentionRun: 'retention-run',
  recreationSweep: 'recreation-sweep',
  packageSweep: 'package-sweep',
  strandedWork: 'stranded-work',
} as const;

export async function registerSchedulers(services: Services, queue: AnyQueue): Promise<void> {
  const s = services.execution.settings;
  const keep = { removeOnComplete: { age: 86_400, count: 100 }, removeOnFail: { age: 7 * 86_400 } };
  await queue.upsertJobScheduler(ScheduleNames.overdueScan, { every: s.overdueEveryMs }, { name: ScheduleNames.overdueScan, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.retentionRun, { every: s.retentionRunEveryMs }, { name: ScheduleNames.retentionRun, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.recreationSweep, { every: s.sweepEveryMs }, { name: ScheduleNames.recreationSweep, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.packageSweep, { every: s.packageSweepEveryMs }, { name: ScheduleNames.packageSweep, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.strandedWork, { every: s.strandedScanEveryMs }, { name: ScheduleNames.strandedWork, opts: keep });
  // A schedule renamed or retired in a release would otherwise keep firing jobs nobody processes.
  const current = new Set<string>(Object.values(ScheduleNames));
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    if (!current.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
}

export function schedulesProcessor(services: Services) {
  return async (job: Job) => {
    switch (job.name) {
      case ScheduleNames.overdueScan:
        return scanDeadlines(services, new Date());
      case ScheduleNames.retentionRun:
        // R9: a preview for handlers; sources whose policy says autoExecute are destroyed at once.
        return services.retention.runScheduled(new Date());
      case ScheduleNames.recreationSweep: {
        // Stateless window: twice the period, so a late or failed run leaves no gap;
        // overlaps are harmless (a recreated record gets one task: unique task key).
        const since = new Date(Date.now() - 2 * services.execution.settings.sweepEveryMs);
        const report = await runRecreationSweep(services, { since });
        return { checked: report.checked, skipped: report.skipped, failed: report.failed, hits: report.hits.length, unconfirmed: report.unconfirmed.length };
      }
      case ScheduleNames.packageSweep: {
        // R10, R11: access packages past retention or of people erased since; identifiers of completed erasures.
        const report = await services.requests.packages.sweep(new Date());
        return { expired: report.expiredPackages.length, erased: report.erasedPackages.length, identifiersDestroyed: report.identifiersDestroyed.length };
      }
      case ScheduleNames.strandedWork: {
        // The task table is the truth: work the queues lost (Redis flushed or restarted empty) is queued again.
        const quietSince = new Date(Date.now() - services.execution.settings.strandedAfterMs);
        const requests = await services.execution.requeueStranded(quietSince);
        const runs = await services.retention.requeueStranded(quietSince, (name) => services.execution.queue(name));
        return { requeued: requests, retentionRuns: runs };
      }
      default:
        throw new Error(`unknown scheduled job ${job.name}`);
    }
  };
}

/**
 * The deadline scan (R3-R5): overdue and due-soon requests, from the lifecycle's own
 * rules (src/requests/services/deadline-scan.ts); audited with ids only. Returns the ids
 * (the job's result, visible on the queue board).
 */
export async function scanDeadlines(services: Services, now: Date): Promise<{ overdue: string[]; dueSoon: string[] }> {
  const flags = await services.requests.flagDeadlines(now);
  if (flags.overdue.length > 0) {
    await services.audit.record({
      actor: { id: 'system:scheduler', kind: 'system' },
      action: AuditAction.REQUEST_OVERDUE,
      target: { type: 'request' },
      params: { overdue: flags.overdue },
      outcome: 'SUCCESS',
    });
  }
  return { overdue: flags.overdue, dueSoon: flags.dueSoon };
}
