import { describe, expect, it } from 'vitest';
import { EVERY_CONTROLLER, onlyControllers, Role, type Principal } from '../../../src/auth/index.js';
import { canSeeRecord, canSeeRequest, seesWholeRequest } from '../../../src/requests/visibility.js';

// R13: a handler bound to controllers sees a request only when its controllers intersect
// theirs, and inside it only the records of those controllers.
// An API key: no controllers is every controller.
const handler = (...controllerIds: string[]): Principal => ({
  kind: 'api-key',
  id: 'k-1',
  roles: [Role.HANDLER],
  controllers: controllerIds.length ? onlyControllers(controllerIds) : EVERY_CONTROLLER,
});
const groupWide = handler();
const forA = handler('ctrl-a');
const forAB = handler('ctrl-a', 'ctrl-b');

describe('controller scoping of requests (R13)', () => {
  it('a handler bound to controllers sees a request when one of its controllers is theirs', () => {
    expect(canSeeRequest(forA, { controllerIds: ['ctrl-b', 'ctrl-a'] })).toBe(true);
    expect(canSeeRequest(forAB, { controllerIds: ['ctrl-b'] })).toBe(true);
    expect(canSeeRequest(forA, { controllerIds: ['ctrl-b'] })).toBe(false);
    expect(canSeeRequest(forA, { controllerIds: [] })).toBe(false);
  });

  it('an unbound handler sees every request, even one without controllers', () => {
    expect(canSeeRequest(groupWide, { controllerIds: ['ctrl-b'] })).toBe(true);
    expect(canSeeRequest(groupWide, { controllerIds: [] })).toBe(true);
  });

  it('a principal bound to no controller (an OIDC token without its claim) sees no request and no record, not even the group’s', () => {
    const none: Principal = { kind: 'oidc', id: 'sub', roles: [Role.HANDLER], controllers: onlyControllers([]) };
    expect(canSeeRequest(none, { controllerIds: ['ctrl-a'] })).toBe(false);
    expect(canSeeRequest(none, { controllerIds: [] })).toBe(false);
    expect(canSeeRecord(none, { controllerId: null })).toBe(false);
    expect(seesWholeRequest(none, { records: [], unsearched: [] })).toBe(true);
    expect(seesWholeRequest(none, { records: [{ controllerId: null }], unsearched: [] })).toBe(false);
  });

  it("inside a request, a bound handler sees only its controllers' records; the group's own only unbound", () => {
    expect(canSeeRecord(forA, { controllerId: 'ctrl-a' })).toBe(true);
    expect(canSeeRecord(forA, { controllerId: 'ctrl-b' })).toBe(false);
    expect(canSeeRecord(forA, { controllerId: null })).toBe(false);
    expect(canSeeRecord(groupWide, { controllerId: null })).toBe(true);
  });

  it('acting on the whole request needs every record in sight', () => {
    const records = [{ controllerId: 'ctrl-a' }, { controllerId: 'ctrl-b' }];
    const whole = (r: { controllerId: string | null }[]) => ({ records: r, unsearched: [] });
    expect(seesWholeRequest(forAB, whole(records))).toBe(true);
    expect(seesWholeRequest(forA, whole(records))).toBe(false);
    expect(seesWholeRequest(forA, whole([{ controllerId: 'ctrl-a' }, { controllerId: null }]))).toBe(false);
    expect(seesWholeRequest(groupWide, whole([...records, { controllerId: null }]))).toBe(true);
    expect(seesWholeRequest(forA, whole([]))).toBe(true);
  });

  it("and every source still unsearched: one declared only for another controller may hold that controller's records", () => {
    const mine = [{ controllerId: 'ctrl-a' }];
    expect(seesWholeRequest(forA, { records: mine, unsearched: [{ controllerIds: ['ctrl-b'] }] })).toBe(false);
    expect(seesWholeRequest(forA, { records: mine, unsearched: [{ controllerIds: ['ctrl-a'] }, { controllerIds: ['ctrl-b', 'ctrl-a'] }] })).toBe(true);
    // A shared system, declared for none, is in every principal's sight.
    expect(seesWholeRequest(forA, { records: mine, unsearched: [{ controllerIds: [] }] })).toBe(true);
    expect(seesWholeRequest(groupWide, { records: mine, unsearched: [{ controllerIds: ['ctrl-b'] }] })).toBe(true);
  });
});
