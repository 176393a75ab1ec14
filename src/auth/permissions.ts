import { AuthError, forbidden, unauthenticated } from './errors.js';
import type { Principal } from './principal.js';
import { Role } from './roles.js';

/**
 * Named permissions. Resolvers check permissions, never roles, so a role's scope is
 * changed here in one place and the test matrix reads this table.
 */
export const PERMISSIONS = {
  /** Run discovery (`subject`) across sources. */
  'discovery:run': [Role.HANDLER],
  /** Read requests, their decisions, tasks and access packages. */
  'request:read': [Role.HANDLER],
  /** Submit, verify, decide, confirm/reject matches, extend, execute, retry. */
  'request:write': [Role.HANDLER],
  /** Register a source (CONNECTOR: its own), update one it owns. */
  'source:register': [Role.ADMIN, Role.CONNECTOR],
  /** Approve a CONNECTOR's source, enable a disabled one, remove one (disabling is also open to its owner). */
  'source:approve': [Role.ADMIN],
  /** List sources and their health. */
  'source:read': [Role.ADMIN, Role.HANDLER],
  /** Create, list and revoke API keys. */
  'key:manage': [Role.ADMIN],
  /** Read the audit log. */
  'audit:read': [Role.AUDITOR],
  /** Ask whether identifiers were erased (R10). */
  'tombstone:check': [Role.CONNECTOR, Role.HANDLER],
  /**
   * The recreation guard of a source feed (R10): a check counts every controller's
   * erasures, since a shared system holds several controllers' records. Without it a
   * principal bound to controllers learns only of erasures within them.
   */
  'tombstone:guard': [Role.CONNECTOR],
  /** See special-category field values (R12) where the principal may see the record at all. */
  'special-category:read': [Role.SPECIAL_CATEGORY],
  /** Run queued tasks and report results. */
  'task:work': [Role.WORKER],
  /** Operate the queues: ping workers. */
  'queue:operate': [Role.ADMIN, Role.WORKER],
  /** The queue board at /admin/queues: see jobs, retry or remove them. */
  'queue:board': [Role.ADMIN],
  /** The data map (Art. 30 record of processing): no personal data, the sources' descriptions. */
  'governance:read': [Role.ADMIN, Role.HANDLER, Role.AUDITOR],
  /** R9: see retention runs, their previews (counts, dates, record ids) and tasks. */
  'retention:read': [Role.ADMIN, Role.HANDLER, Role.AUDITOR],
  /**
   * R9: prepare, approve or cancel a retention run (destruction of what is past retention).
   * The privacy office's decision, so HANDLER only, and only unbound to controllers: a run
   * crosses every controller's records.
   */
  'retention:approve': [Role.HANDLER],
  /** Scrape /metrics (the gateway's, and a worker process's). */
  'metrics:read': [Role.ADMIN, Role.MONITOR],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

/** Permissions a principal holds through all its roles. */
export function permissionsOf(principal: Principal | null | undefined): Permission[] {
  return ALL_PERMISSIONS.filter((p) => can(principal, p));
}

export function can(principal: Principal | null | undefined, permission: Permission): boolean {
  if (!principal) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return principal.roles.some((r) => allowed.includes(r));
}

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN without the permission. */
export function assertCan(principal: Principal | null | undefined, permission: Permission): asserts principal is Principal {
  if (!principal) throw unauthenticated();
  if (!can(principal, permission)) throw forbidden(`missing permission ${permission}`);
}

/** Throws UNAUTHENTICATED when there is no principal. */
export function assertAuthenticated(principal: Principal | null | undefined): asserts principal is Principal {
  if (!principal) throw unauthenticated();
}

/** True when the principal sees every controller (an unbound API key, a token whose claim says so). */
export function isUnscoped(principal: Principal): boolean {
  return principal.controllers.every;
}

/** The controllers a principal is bound to; null when it sees every controller. An empty list sees none. */
function boundIds(principal: Principal): readonly string[] | null {
  return principal.controllers.every ? null : principal.controllers.ids;
}

/** The one controller an audit entry of this principal's act belongs to, when it is bound to exactly one. */
export function soleControllerOf(principal: Principal): string | null {
  const ids = boundIds(principal);
  return ids?.length === 1 ? ids[0]! : null;
}

/**
 * May the principal see data of this controller? A principal bound to controllers sees
 * only those; data with no controller (the group's own) is visible only to unbound ones,
 * so a handler for client A cannot see the group's own records either.
 */
export function canSeeController(principal: Principal | null | undefined, controllerId: string | null | undefined): boolean {
  if (!principal) return false;
  const ids = boundIds(principal);
  if (ids === null) return true;
  return controllerId != null && ids.includes(controllerId);
}

/**
 * Throws when the principal may not see this controller's data. Use FORBIDDEN-free
 * `notFound` semantics at the call site when existence itself must not leak: callers
 * fetching by id should treat an invisible row as absent (see `visibleOrNull`).
 */
export function assertCanSeeController(principal: Principal | null | undefined, controllerId: string | null | undefined): void {
  if (!principal) throw unauthenticated();
  if (!canSeeController(principal, controllerId)) throw forbidden('outside your controller scope');
}

/**
 * May the principal see this source at all? A shared system (no declared controller)
 * holds records of many controllers and is visible to every scoped principal, who then
 * sees only their own controllers' records in it; a source declared for controllers is
 * visible only within those.
 */
export function canSeeSource(principal: Principal | null | undefined, source: { controllerIds: readonly string[] }): boolean {
  if (!principal) return false;
  const ids = boundIds(principal);
  if (ids === null || source.controllerIds.length === 0) return true;
  return source.controllerIds.some((c) => ids.includes(c));
}

/** Returns the row when its controller is visible, otherwise null (no existence leak). */
export function visibleOrNull<T>(
  principal: Principal | null | undefined,
  row: T | null | undefined,
  controllerOf: (row: T) => string | null | undefined,
): T | null {
  if (row == null) return null;
  return canSeeController(principal, controllerOf(row)) ? row : null;
}

/** Keeps only the rows whose controller the principal may see. */
export function filterVisible<T>(principal: Principal | null | undefined, rows: readonly T[], controllerOf: (row: T) => string | null | undefined): T[] {
  return rows.filter((r) => canSeeController(principal, controllerOf(r)));
}

/**
 * A filter for SQL: `null` means no restriction, otherwise the list of controller ids to
 * restrict to (rows with a NULL controller are then excluded; an empty list matches
 * nothing). Use as `WHERE ($1::text[] IS NULL OR controller_id = ANY($1))`.
 */
export function controllerScope(principal: Principal): string[] | null {
  const ids = boundIds(principal);
  return ids === null ? null : [...ids];
}

/**
 * A CONNECTOR may only update sources it owns (sourceIds). Other roles with
 * source:register (ADMIN) may update any source in their controller scope.
 */
export function canManageSource(principal: Principal | null | undefined, source: { id: string; controllerId: string | null | undefined }): boolean {
  if (!principal || !can(principal, 'source:register')) return false;
  if (!canSeeController(principal, source.controllerId)) return false;
  if (principal.roles.includes(Role.ADMIN)) return true;
  return (principal.sourceIds ?? []).includes(source.id);
}

export function assertCanManageSource(principal: Principal | null | undefined, source: { id: string; controllerId: string | null | undefined }): void {
  assertCan(principal, 'source:register');
  if (!canManageSource(principal, source)) throw forbidden('not your source');
}

export { AuthError };
