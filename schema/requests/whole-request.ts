// What a request tells only a principal who sees the whole of it (every record and every
// source still unsearched): the rule the acts on all of it check, and the reasons the
// gateway itself wrote, which name the sources and records of every controller.
import type { TransitionRow } from '../../src/requests/store/request.store.js';
import type { GraphQLContext } from '../context.js';
import type { DataSubjectRequest } from './request.types.js';
import { childLoaders, childrenOf } from './request.views.js';

/** The principal sees the whole request (VisibleRequests.seesWhole), on this operation's records. */
export async function seesWhole(ctx: GraphQLContext, r: DataSubjectRequest): Promise<boolean> {
  const { records } = await childrenOf(ctx, r.id);
  return ctx.services.requests.visible.seesWhole(r.entity, records, ctx.principal!);
}

/** Moves made by the gateway itself (closing, reopening, failing stranded work), not by a person. */
const bySystem = (t: TransitionRow) => t.actor.startsWith('system:');

/**
 * The request's status changes. A closing's reason lists every failed task and unverified
 * removal by source and record id, so to a principal who does not see the whole request the
 * reasons the gateway wrote are withheld (null), as `response` is; a person's own reasons stay.
 */
export async function transitionsSeenBy(ctx: GraphQLContext, r: DataSubjectRequest): Promise<TransitionRow[]> {
  const transitions = await childLoaders(ctx).transitions.load(r.id);
  if (!transitions.some((t) => bySystem(t) && t.reason !== null) || (await seesWhole(ctx, r))) return transitions;
  return transitions.map((t) => (bySystem(t) ? { ...t, reason: null } : t));
}
