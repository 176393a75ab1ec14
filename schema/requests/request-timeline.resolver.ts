// The `timeline` of a request: transitions and the audit entries targeting it, merged.
// A principal bound to controllers sees only the audit entries within them (as in auditLog),
// and the gateway's own reasons only when it sees the whole request (as in transitions).
// The audit lines carry no parameters (the log holds only their digest); reading them is
// recorded as a read of the audit log is (R13).
import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { AuditAction, AuditOutcome } from '../../src/audit/index.js';
import { mergeTimeline } from '../../src/requests/timeline.js';
import { controllerScope, soleControllerOf } from '../../src/auth/index.js';
import type { GraphQLContext } from '../context.js';
import { DataSubjectRequest } from './request.types.js';
import { transitionsSeenBy } from './whole-request.js';
import { TimelineEntry, TimelineEntryKind } from './timeline.types.js';

/** Most audit entries one timeline shows (a request gets a few dozen). */
const MAX_AUDIT_ENTRIES = 500;

@Resolver(() => DataSubjectRequest)
export class RequestTimelineResolver {
  @Authorized('request:read')
  @FieldResolver(() => [TimelineEntry], {
    description: `Status changes (with reasons, as transitions gives them) and the audit entries about this request (actor, action, outcome), oldest first; at most ${MAX_AUDIT_ENTRIES} audit entries. The audit lines carry no parameters; each read is recorded (audit.read, target audit-log and this request's id).`,
  })
  async timeline(@Root() r: DataSubjectRequest, @Ctx() ctx: GraphQLContext): Promise<TimelineEntry[]> {
    const [transitions, audit] = await Promise.all([
      transitionsSeenBy(ctx, r),
      ctx.services.audit.list(
        { targetType: 'request', targetId: r.id },
        { first: MAX_AUDIT_ENTRIES, order: 'asc' },
        { controllerIds: controllerScope(ctx.principal!) },
      ),
    ]);
    const principal = ctx.principal!;
    await ctx.services.audit.record({
      actor: { id: principal.id, kind: principal.kind },
      action: AuditAction.AUDIT_READ,
      // The audit log's part about this request: not a line of the timeline itself.
      target: { type: 'audit-log', id: r.id },
      params: { timeline: true, auditEntries: audit.entries.length },
      outcome: AuditOutcome.SUCCESS,
      controllerId: soleControllerOf(principal),
    });
    return mergeTimeline(transitions, audit.entries).map((e) => ({ ...e, kind: e.kind as TimelineEntryKind }));
  }
}
