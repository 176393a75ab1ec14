import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  PERMISSIONS,
  assertCan,
  assertCanManageSource,
  assertCanSeeController,
  can,
  canManageSource,
  canSeeController,
  controllerScope,
  filterVisible,
  permissionsOf,
  visibleOrNull,
  type Permission,
} from '../../../src/auth/permissions.js';
import { EVERY_CONTROLLER, onlyControllers, type Principal } from '../../../src/auth/principal.js';
import { ALL_ROLES, Role } from '../../../src/auth/roles.js';
import { codeOf } from '../../support/error-codes.js';

const principal = (roles: Role[], controllerIds: string[] = [], sourceIds?: string[]): Principal => ({
  kind: 'api-key',
  id: 'k',
  roles,
  controllers: controllerIds.length ? onlyControllers(controllerIds) : EVERY_CONTROLLER,
  sourceIds,
});

// What each role may do, written out independently of the table so a change to one is caught.
const EXPECTED: Record<Role, Permission[]> = {
  [Role.ADMIN]: [
    'source:register',
    'source:approve',
    'source:read',
    'key:manage',
    'queue:operate',
    'queue:board',
    'metrics:read',
    'governance:read',
    'retention:read',
  ],
  [Role.HANDLER]: [
    'discovery:run',
    'request:read',
    'request:write',
    'source:read',
    'tombstone:check',
    'governance:read',
    'retention:read',
    'retention:approve',
  ],
  [Role.SPECIAL_CATEGORY]: ['special-category:read'],
  [Role.AUDITOR]: ['audit:read', 'governance:read', 'retention:read'],
  [Role.CONNECTOR]: ['source:register', 'tombstone:check', 'tombstone:guard'],
  [Role.WORKER]: ['task:work', 'queue:operate'],
  [Role.MONITOR]: ['metrics:read'],
};

describe('permission table', () => {
  it.each(ALL_ROLES.flatMap((role) => ALL_PERMISSIONS.map((p) => [role, p] as const)))('%s / %s is allowed exactly when expected', (role, permission) => {
    const p = principal([role]);
    const expected = EXPECTED[role].includes(permission);
    expect(can(p, permission)).toBe(expected);
    expect(codeOf(() => assertCan(p, permission))).toBe(expected ? undefined : 'FORBIDDEN');
  });

  it('AUDITOR is read only: no write or run permission', () => {
    expect(permissionsOf(principal([Role.AUDITOR]))).toEqual(['audit:read', 'governance:read', 'retention:read']);
    expect(permissionsOf(principal([Role.AUDITOR])).every((p) => p.endsWith(':read'))).toBe(true);
  });

  it('CONNECTOR registers its source and checks tombstones, nothing else', () => {
    expect(permissionsOf(principal([Role.CONNECTOR])).sort()).toEqual(['source:register', 'tombstone:check', 'tombstone:guard']);
  });

  it('MONITOR reads metrics, nothing else', () => {
    expect(permissionsOf(principal([Role.MONITOR]))).toEqual(['metrics:read']);
  });

  it('roles add up', () => {
    const p = principal([Role.HANDLER, Role.SPECIAL_CATEGORY]);
    expect(can(p, 'special-category:read')).toBe(true);
    expect(can(p, 'request:write')).toBe(true);
    expect(can(p, 'key:manage')).toBe(false);
  });

  it('no principal is UNAUTHENTICATED, never FORBIDDEN', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(can(null, permission)).toBe(false);
      expect(codeOf(() => assertCan(undefined, permission))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('controller scoping', () => {
  const a = principal([Role.HANDLER], ['A']);
  const all = principal([Role.HANDLER]);

  it("a handler bound to controller A never sees B (nor the group's own, unbound data)", () => {
    expect(canSeeController(a, 'A')).toBe(true);
    expect(canSeeController(a, 'B')).toBe(false);
    expect(canSeeController(a, null)).toBe(false);
    expect(codeOf(() => assertCanSeeController(a, 'B'))).toBe('FORBIDDEN');
    expect(codeOf(() => assertCanSeeController(null, 'A'))).toBe('UNAUTHENTICATED');
  });

  it('an unbound principal sees every controller', () => {
    expect(canSeeController(all, 'B')).toBe(true);
    expect(canSeeController(all, null)).toBe(true);
    expect(controllerScope(all)).toBeNull();
    expect(controllerScope(a)).toEqual(['A']);
  });

  it('fetching by id returns null outside the scope, lists are filtered', () => {
    const rows = [
      { id: 1, c: 'A' },
      { id: 2, c: 'B' },
      { id: 3, c: null },
    ];
    expect(visibleOrNull(a, rows[1], (r) => r.c)).toBeNull();
    expect(visibleOrNull(a, rows[0], (r) => r.c)).toBe(rows[0]);
    expect(filterVisible(a, rows, (r) => r.c).map((r) => r.id)).toEqual([1]);
    expect(filterVisible(all, rows, (r) => r.c).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(filterVisible(null, rows, (r) => r.c)).toEqual([]);
  });

  it('a CONNECTOR manages only its own sources; an ADMIN any source in its scope', () => {
    const connector = principal([Role.CONNECTOR], [], ['s1']);
    expect(canManageSource(connector, { id: 's1', controllerId: 'A' })).toBe(true);
    expect(canManageSource(connector, { id: 's2', controllerId: 'A' })).toBe(false);
    expect(codeOf(() => assertCanManageSource(connector, { id: 's2', controllerId: null }))).toBe('FORBIDDEN');
    const adminA = principal([Role.ADMIN], ['A']);
    expect(canManageSource(adminA, { id: 's2', controllerId: 'A' })).toBe(true);
    expect(canManageSource(adminA, { id: 's3', controllerId: 'B' })).toBe(false);
    expect(canManageSource(principal([Role.HANDLER]), { id: 's1', controllerId: null })).toBe(false);
  });
});
