// The periodic jobs, as BullMQ job schedulers on the schedules queue: upserting them is
// idempotent, so every worker process may register them and each period runs once.
import type { Job } from 'bullmq';
import type { Services } from '../../src/app/services.js';
import type { AnyQueue } from '../../src/queue/queue-backend.js';
import type { PurgeReport } from '../../connectors/contract.js';
import { runRecreationSweep } from '../../src/tombstones/recreation-sweep.js';
import { AuditAction } from '../../src/audit/audit-actions.js';

export const ScheduleNames = {
  overdueScan: 'overdue-scan',
  expiryPurge: 'expiry-purge',
  recreationSweep: 'recreation-sweep',
  packageSweep: 'package-sweep',
} as const;

export async function registerSchedulers(services: Services, queue: AnyQueue): Promise<void> {
  const s = services.execution.settings;
  const keep = { removeOnComplete: { age: 86_400, count: 100 }, removeOnFail: { age: 7 * 86_400 } };
  await queue.upsertJobScheduler(ScheduleNames.overdueScan, { every: s.overdueEveryMs }, { name: ScheduleNames.overdueScan, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.expiryPurge, { every: s.expiryPurgeEveryMs }, { name: ScheduleNames.expiryPurge, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.recreationSweep, { every: s.sweepEveryMs }, { name: ScheduleNames.recreationSweep, opts: keep });
  await queue.upsertJobScheduler(ScheduleNames.packageSweep, { every: s.packageSweepEveryMs }, { name: ScheduleNames.packageSweep, opts: keep });
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
      case ScheduleNames.expiryPurge:
        return purgeExpired(services, new Date());
      case ScheduleNames.recreationSweep: {
        // Stateless window: twice the period, so a late or failed run leaves no gap;
        // overlaps are harmless (a recreated record gets one task: unique task key).
        const since = new Date(Date.now() - 2 * services.execution.settings.sweepEveryMs);
        const report = await runRecreationSweep(services, { since });
        return { checked: report.checked, skipped: report.skipped, failed: report.failed, hits: report.hits.length };
      }
      case ScheduleNames.packageSweep: {
        // R10, R11: access packages past retention or of people erased since; identifiers of completed erasures.
        const report = await services.requests.packages.sweep(new Date());
        return { expired: report.expiredPackages.length, erased: report.erasedPackages.length, identifiersDestroyed: report.identifiersDestroyed.length };
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

/** The maximum-age purge (R9, e.g. footage after 90 days) in every source that offers one (purgeExpired). */
export async function purgeExpired(services: Services, now: Date): Promise<Record<string, PurgeReport>> {
  const out: Record<string, PurgeReport> = {};
  for (const source of await services.sources.list()) {
    // Every active source is asked whether it purges; one whose connector cannot be built
    // (a secret not set) has nothing to purge here and must not stop the others.
    const connector = await services.sources.connector(source.id).catch((error: unknown) => {
      services.logger.warn({ sourceId: source.id, code: (error as { code?: string }).code }, 'expiry purge skipped a source it could not connect');
      return null;
    });
    if (!connector?.purgeExpired) continue;
    const result = await connector.purgeExpired(now);
    out[source.id] = result;
    if ((result.filesNotRemoved ?? 0) > 0) services.logger.warn({ sourceId: source.id, ...result }, 'expiry purge left files on disk');
    else services.logger.info({ sourceId: source.id, ...result }, 'expiry purge');
  }
  return out;
}

