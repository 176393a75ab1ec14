// The scheduled deadline scan (R3, R4, R5): which open requests are overdue and which are
// due soon. Ids only, in the return value and in the log. A job scheduler calls it.
import type { DataSource } from 'typeorm';
import type { Logger } from '../../logging/logger.js';
import { deadlineSql } from './request-queries.js';

export interface DeadlineFlags {
  at: Date;
  overdue: string[];
  dueSoon: string[];
}

export function createDeadlineScan(deps: { dataSource: DataSource; logger: Logger; dueSoonDays: number }) {
  return async function flagDeadlines(now: Date = new Date()): Promise<DeadlineFlags> {
    const { overdue, dueSoon } = deadlineSql('$1::timestamptz', '$2::float8');
    const params = [now, deps.dueSoonDays * 86_400_000];
    const rows = (await deps.dataSource.query(
      `SELECT r.id, ${overdue} AS overdue, ${dueSoon} AS due_soon FROM data_subject_request r
       WHERE ${overdue} OR ${dueSoon} ORDER BY COALESCE(r.extended_due_at, r.due_at, r.acknowledge_by), r.id`,
      params,
    )) as { id: string; overdue: boolean; due_soon: boolean }[];
    const flags: DeadlineFlags = { at: now, overdue: rows.filter((r) => r.overdue).map((r) => r.id), dueSoon: rows.filter((r) => r.due_soon).map((r) => r.id) };
    if (flags.overdue.length || flags.dueSoon.length) {
      deps.logger.warn({ overdue: flags.overdue, dueSoon: flags.dueSoon }, 'request deadlines need attention');
    }
    return flags;
  };
}
