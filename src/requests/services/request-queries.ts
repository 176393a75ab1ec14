// Listing requests for handlers: filters (status, type, due before, overdue, due soon, failed
// tasks, blind-index entries), keyset pagination (newest first) and controller scoping in SQL.
import type { DataSource } from 'typeorm';
import { controllerScope, type Principal } from '../../auth/index.js';
import type { DataSubjectRequestEntity } from '../entities/data-subject-request.entity.js';
import { DataSubjectRequestEntity as Entity } from '../entities/data-subject-request.entity.js';
import { TERMINAL_STATUSES } from '../state-machine.js';
import { badInput } from './request-errors.js';

export interface RequestListFilter {
  status?: string[] | null;
  type?: string[] | null;
  dueBefore?: Date | null;
  overdue?: boolean | null;
  dueSoon?: boolean | null;
  /** Requests holding any of these blind-index entries (an identifier search, see request-search.ts). */
  blindIndex?: readonly string[] | null;
  /** true: requests with at least one FAILED task; false: none. */
  failedTasks?: boolean | null;
}

export interface RequestPage {
  nodes: DataSubjectRequestEntity[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

export const MAX_PAGE = 100;

const TERMINAL = [...TERMINAL_STATUSES];

/** SQL for "overdue" and "due soon" (same meaning as classifyDeadlines). $n placeholders given. */
export function deadlineSql(now: string, soonMs: string): { overdue: string; dueSoon: string } {
  const open = `r.status <> ALL('{${TERMINAL.join(',')}}'::text[])`;
  const due = `COALESCE(r.extended_due_at, r.due_at)`;
  const overdue = `(${open} AND (${due} < ${now} OR (r.acknowledged_at IS NULL AND r.acknowledge_by < ${now})))`;
  const soon = `(${open} AND NOT ${overdue} AND ((${due} <= ${now} + ${soonMs} * interval '1 millisecond')
      OR (r.acknowledged_at IS NULL AND r.acknowledge_by <= ${now} + interval '1 day')))`;
  return { overdue, dueSoon: soon };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Only a cursor this API gave out (it re-encodes to itself) reaches SQL; anything else is BAD_USER_INPUT. */
function decodeCursor(after: string): { createdAt: Date; id: string } {
  const [at, id, ...rest] = Buffer.from(after, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  const valid = rest.length === 0 && id !== undefined && UUID.test(id) && /^\d{4}-/.test(at ?? '') && !Number.isNaN(createdAt.getTime()) && cursorOf({ createdAt, id }) === after;
  if (!valid) throw badInput('The cursor "after" is not one this API gave out');
  return { createdAt, id };
}

export function cursorOf(r: { createdAt: Date; id: string }): string {
  return Buffer.from(`${r.createdAt.toISOString()}|${r.id}`, 'utf8').toString('base64url');
}

export async function listRequests(
  dataSource: DataSource,
  principal: Principal,
  filter: RequestListFilter,
  page: { first?: number | null; after?: string | null },
  now: Date,
  dueSoonDays: number,
): Promise<RequestPage> {
  const first = page.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be 1 to ${MAX_PAGE}`);
  const params: unknown[] = [];
  const where: string[] = [];
  const scope = controllerScope(principal);
  if (scope) {
    params.push(scope);
    where.push(`r.controller_ids && $${params.length}::text[]`);
  }
  if (filter.status?.length) {
    params.push(filter.status);
    where.push(`r.status = ANY($${params.length}::text[])`);
  }
  if (filter.type?.length) {
    params.push(filter.type);
    where.push(`r.type = ANY($${params.length}::text[])`);
  }
  if (filter.dueBefore) {
    params.push(filter.dueBefore);
    where.push(`COALESCE(r.extended_due_at, r.due_at) < $${params.length}`);
  }
  if (filter.blindIndex) {
    // The GIN index on blind_index answers this: keyed hashes only, never clear data.
    params.push(filter.blindIndex);
    where.push(`r.blind_index && $${params.length}::text[]`);
  }
  if (filter.failedTasks != null) {
    const failed = `EXISTS (SELECT 1 FROM task t WHERE t.request_id = r.id AND t.status = 'FAILED')`;
    where.push(filter.failedTasks ? failed : `NOT ${failed}`);
  }
  // Only the placeholders a statement uses may be bound.
  let nowP = 'NULL::timestamptz';
  let soonP = 'NULL::float8';
  if (filter.overdue != null || filter.dueSoon != null) nowP = `$${params.push(now)}::timestamptz`;
  if (filter.dueSoon != null) soonP = `$${params.push(dueSoonDays * 86_400_000)}::float8`;
  const { overdue, dueSoon } = deadlineSql(nowP, soonP);
  if (filter.overdue === true) where.push(overdue);
  if (filter.overdue === false) where.push(`NOT ${overdue}`);
  if (filter.dueSoon === true) where.push(dueSoon);
  if (filter.dueSoon === false) where.push(`NOT ${dueSoon}`);
  const filtered = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM data_subject_request r ${filtered}`, params)) as [{ n: number }];

  const pageWhere = [...where];
  if (page.after) {
    const c = decodeCursor(page.after);
    params.push(c.createdAt, c.id);
    pageWhere.push(`(r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(first + 1);
  const ids = (await dataSource.query(
    `SELECT r.id FROM data_subject_request r ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
     ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`,
    params,
  )) as { id: string }[];
  const wanted = ids.slice(0, first).map((r) => r.id);
  const rows = wanted.length ? await dataSource.manager.findBy(Entity, wanted.map((id) => ({ id }))) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const nodes = wanted.map((id) => byId.get(id)!).filter(Boolean);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: ids.length > first, endCursor: last ? cursorOf(last) : null, totalCount: n };
}
