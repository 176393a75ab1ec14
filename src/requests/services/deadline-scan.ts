// The scheduled deadline scan (R3, R4, R5): which open requests are overdue and which are
// due soon. Ids only, in the return value and in the log. A job scheduler calls it.
import type { Logger } from '../../logging/logger.js';
import type { RequestStore } from '../store/request.store.js';

export interface DeadlineFlags {
  at: Date;
  overdue: string[];
  dueSoon: string[];
}

export function createDeadlineScan(deps: { store: RequestStore; logger: Logger; dueSoonDays: number }) {
  return async function flagDeadlines(now: Date = new Date()): Promise<DeadlineFlags> {
    const rows = await deps.store.deadlineFlags(now, deps.dueSoonDays * 86_400_000);
    const flags: DeadlineFlags = { at: now, overdue: rows.filter((r) => r.overdue).map((r) => r.id), dueSoon: rows.filter((r) => r.due_soon).map((r) => r.id) };
    if (flags.overdue.length || flags.dueSoon.length) {
      deps.logger.warn({ overdue: flags.overdue, dueSoon: flags.dueSoon }, 'request deadlines need attention');
    }
    return flags;
  };
}
