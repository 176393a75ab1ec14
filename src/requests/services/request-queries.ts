// Listing requests for handlers: filters (status, type, due before, overdue, due soon, failed
// tasks, blind-index entries), keyset pagination (newest first) and controller scoping, run
// in SQL by the request store (the failed tasks' requests come from the task store).
import { controllerScope, type Principal } from '../../auth/index.js';
import type { Stores } from '../../app/stores.js';
import type { DataSubjectRequestEntity } from '../store/request.store.js';
import { badInput } from '../request-errors.js';

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
  stores: Pick<Stores, 'requests' | 'tasks'>,
  principal: Principal,
  filter: RequestListFilter,
  page: { first?: number | null; after?: string | null },
  now: Date,
  dueSoonDays: number,
): Promise<RequestPage> {
  const first = page.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be 1 to ${MAX_PAGE}`);
  const failed = filter.failedTasks != null ? await stores.tasks.requestsWithFailedTasks() : null;
  const { ids, total } = await stores.requests.page({
    controllerScope: controllerScope(principal) ?? null,
    status: filter.status,
    type: filter.type,
    dueBefore: filter.dueBefore,
    overdue: filter.overdue,
    dueSoon: filter.dueSoon,
    blindIndex: filter.blindIndex ?? null,
    within: filter.failedTasks === true ? failed : null,
    without: filter.failedTasks === false ? failed : null,
    now,
    dueSoonMs: dueSoonDays * 86_400_000,
    before: page.after ? decodeCursor(page.after) : null,
    limit: first,
  });
  const nodes = await stores.requests.findMany(ids.slice(0, first));
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: ids.length > first, endCursor: last ? cursorOf(last) : null, totalCount: total };
}
