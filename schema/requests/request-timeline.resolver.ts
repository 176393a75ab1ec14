// The `timeline` of a request: transitions and the audit entries targeting it, merged.
// A principal bound to controllers sees only the audit entries within them (as in auditLog),
// and the gateway's own reasons only when it sees the whole request (as in transitions).
import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { mergeTimeline } from '../../src/requests/timeline.js';
import { controllerScope } from '../../src/auth/index.js';
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
    description: `Status changes (with reasons, as transitions gives them) and the audit entries about this request (actor, action, outcome), oldest first; at most ${MAX_AUDIT_ENTRIES} audit entries.`,
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
    return mergeTimeline(transitions, audit.entries).map((e) => ({ ...e, kind: e.kind as TimelineEntryKind }));
  }
}
