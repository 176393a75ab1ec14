// Listing requests for handlers: filters (status, type, channel, due before, overdue, due
// soon, failed tasks, blind-index entries), keyset pagination in one of two orders (newest
// first, or fewest days left first) and controller scoping, run in SQL by the request store
// (the failed tasks' requests come from the task store).
import { controllerScope, type Principal } from '../../auth/index.js';
import type { Stores } from '../../app/stores.js';
import type { DataSubjectRequestEntity, RequestListFilters, RequestListKey, RequestListOrder } from '../store/request.store.js';
import { badInput } from '../request-errors.js';

export interface RequestListFilter extends RequestListFilters {
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

export type { RequestListOrder };

/** A page request: size, the cursor of the previous page's end, and the order (default NEWEST). */
export interface RequestPageArgs {
  first?: number | null;
  after?: string | null;
  orderBy?: RequestListOrder | null;
}

// NEWEST cursors keep their original form (`createdAt|id`); DAYS_LEFT ones name their order,
// so a cursor from one order is never read as the other.
const DAYS_LEFT_TAG = 'days-left';

/** The key a row ends a page with, in this order. */
function keyOf(r: { createdAt: Date; dueAt: Date | null; extendedDueAt: Date | null; id: string }, order: RequestListOrder): RequestListKey {
  return order === 'DAYS_LEFT' ? { order, due: r.extendedDueAt ?? r.dueAt, id: r.id } : { order, createdAt: r.createdAt, id: r.id };
}

function encode(key: RequestListKey): string {
  const text = key.order === 'DAYS_LEFT' ? `${DAYS_LEFT_TAG}|${key.due ? key.due.toISOString() : ''}|${key.id}` : `${key.createdAt.toISOString()}|${key.id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

function instant(text: string | undefined): Date | null {
  if (!text || !/^\d{4}-/.test(text)) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Only a cursor this API gave out for this order (it re-encodes to itself) reaches SQL; anything else is BAD_USER_INPUT. */
function decodeCursor(after: string, order: RequestListOrder): RequestListKey {
  const parts = Buffer.from(after, 'base64url').toString('utf8').split('|');
  let key: RequestListKey | null = null;
  if (order === 'DAYS_LEFT' && parts.length === 3 && parts[0] === DAYS_LEFT_TAG && UUID.test(parts[2]!)) {
    const due = parts[1] === '' ? null : instant(parts[1]);
    if (parts[1] === '' || due) key = { order, due, id: parts[2]! };
  } else if (order === 'NEWEST' && parts.length === 2 && UUID.test(parts[1]!)) {
    const createdAt = instant(parts[0]);
    if (createdAt) key = { order, createdAt, id: parts[1]! };
  }
  if (!key || encode(key) !== after) throw badInput('The cursor "after" is not one this API gave out for this order');
  return key;
}

/** The cursor of a request in a list in this order. */
export function cursorOf(r: { createdAt: Date; dueAt: Date | null; extendedDueAt: Date | null; id: string }, order: RequestListOrder = 'NEWEST'): string {
  return encode(keyOf(r, order));
}

/** Requests with a FAILED task; for a bound principal, only tasks on records it may see count (R13). */
async function requestsWithFailedTasksSeenBy(stores: Pick<Stores, 'requests' | 'tasks'>, scope: readonly string[] | null): Promise<string[]> {
  if (!scope) return stores.tasks.requestsWithFailedTasks();
  return stores.requests.requestsWithRecordsOf(await stores.tasks.failedTaskRecords(), scope);
}

export async function listRequests(
  stores: Pick<Stores, 'requests' | 'tasks'>,
  principal: Principal,
  filter: RequestListFilter,
  page: RequestPageArgs,
  now: Date,
  dueSoonDays: number,
): Promise<RequestPage> {
  const first = page.first ?? 20;
  const order = page.orderBy ?? 'NEWEST';
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be 1 to ${MAX_PAGE}`);
  const scope = controllerScope(principal) ?? null;
  const failed = filter.failedTasks != null ? await requestsWithFailedTasksSeenBy(stores, scope) : null;
  const { ids, total } = await stores.requests.page({
    controllerScope: scope,
    status: filter.status,
    type: filter.type,
    channel: filter.channel,
    dueBefore: filter.dueBefore,
    overdue: filter.overdue,
    dueSoon: filter.dueSoon,
    blindIndex: filter.blindIndex ?? null,
    within: filter.failedTasks === true ? failed : null,
    without: filter.failedTasks === false ? failed : null,
    now,
    dueSoonMs: dueSoonDays * 86_400_000,
    order,
    after: page.after ? decodeCursor(page.after, order) : null,
    limit: first,
  });
  const nodes = await stores.requests.findMany(ids.slice(0, first));
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: ids.length > first, endCursor: last ? cursorOf(last, order) : null, totalCount: total };
}
