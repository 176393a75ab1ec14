import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, isUnscoped, type Principal } from '../../src/auth/index.js';
import { RetentionRunStatus } from '../../src/domain/vocabulary.js';
import type { RetentionRunRow } from '../../src/retention/store/retention-run.store.js';
import type { GraphQLContext } from '../context.js';
import { Task } from '../requests/request.types.js';
import { taskView } from '../requests/request.views.js';
import { RetentionItemView, RetentionRunView } from './retention.types.js';

const runView = (r: RetentionRunRow): RetentionRunView =>
  Object.assign(new RetentionRunView(), {
    id: r.id,
    status: r.status,
    asOf: new Date(r.as_of),
    automatic: r.automatic,
    preparedBy: r.prepared_by,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    cancelledBy: r.cancelled_by,
    supersededBy: r.superseded_by,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    sources: r.summary.map((s) => ({ ...s, oldest: s.oldest ? new Date(s.oldest) : null })),
    outcome: r.status === RetentionRunStatus.PREVIEWED ? null : r.outcome,
  });

/** A run crosses every controller's records: a key bound to some controllers may not decide one. */
function unscoped(ctx: GraphQLContext): Principal {
  const principal = ctx.principal!;
  if (!isUnscoped(principal)) throw forbidden('retention runs cover every controller; this key is bound to some');
  return principal;
}

@Resolver(() => RetentionRunView)
export class RetentionResolver {
  @Authorized('retention:read')
  @Query(() => RetentionRunView, { nullable: true, description: 'R9: the latest retention run waiting for approval (PREVIEWED), or null.' })
  async retentionPreview(@Ctx() ctx: GraphQLContext): Promise<RetentionRunView | null> {
    unscoped(ctx);
    const [run] = await ctx.services.retention.list(1, RetentionRunStatus.PREVIEWED);
    return run ? runView(run) : null;
  }

  @Authorized('retention:read')
  @Query(() => [RetentionRunView], {
    description:
      'R9: retention runs, the latest first (`first`: 1 to 100, default 20). `before`: the id of the last run of a page, for the runs listed after it (RETENTION_RUN_NOT_FOUND when no run has it).',
  })
  async retentionRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('before', () => ID, { nullable: true }) before?: string | null,
  ): Promise<RetentionRunView[]> {
    unscoped(ctx);
    return (await ctx.services.retention.list(Math.min(Math.max(first ?? 20, 1), 100), undefined, before ?? undefined)).map(runView);
  }

  @Authorized('retention:read')
  @Query(() => RetentionRunView, { description: 'R9: one retention run (RETENTION_RUN_NOT_FOUND).' })
  async retentionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RetentionRunView> {
    unscoped(ctx);
    return runView(await ctx.services.retention.find(id));
  }

  @Authorized('retention:approve')
  @Mutation(() => RetentionRunView, {
    description:
      'R9: previews what is past retention now in these sources (default: every active source), kept as a PREVIEWED run for approval; earlier previews of the same sources not yet approved become SUPERSEDED.',
  })
  async prepareRetentionRun(
    @Ctx() ctx: GraphQLContext,
    @Arg('sourceIds', () => [ID], { nullable: true }) sourceIds?: string[] | null,
  ): Promise<RetentionRunView> {
    const principal = unscoped(ctx);
    return runView(await ctx.services.retention.prepare({ actor: principal.id, ...(sourceIds ? { sourceIds } : {}) }));
  }

  @Authorized('retention:approve')
  @Mutation(() => RetentionRunView, {
    description:
      'R9: approves exactly what the run previewed and queues it; records held since the preview are kept (RETENTION_RUN_NOT_PREVIEWED once approved, cancelled or superseded).',
  })
  async approveRetentionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RetentionRunView> {
    return runView(await ctx.services.retention.approve(id, unscoped(ctx).id));
  }

  @Authorized('retention:approve')
  @Mutation(() => RetentionRunView, { description: 'R9: drops a previewed run; nothing is destroyed (RETENTION_RUN_NOT_PREVIEWED otherwise).' })
  async cancelRetentionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RetentionRunView> {
    return runView(await ctx.services.retention.cancel(id, unscoped(ctx).id));
  }

  @Authorized('retention:read')
  @FieldResolver(() => [RetentionItemView], {
    description: 'The run’s records: those to destroy, or also those kept (`withKept`), at most `first` (default 100, at most 1000).',
  })
  async items(
    @Root() run: RetentionRunView,
    @Ctx() ctx: GraphQLContext,
    @Arg('withKept', () => Boolean, { nullable: true }) withKept?: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
  ): Promise<RetentionItemView[]> {
    const rows = await ctx.services.stores.retentionRuns.items(run.id, withKept ? 'all' : 'planned');
    return rows.slice(0, Math.min(Math.max(first ?? 100, 1), 1000)).map((r) => ({
      sourceId: r.source_id,
      recordId: r.record_id,
      recordType: r.record_type,
      retentionStart: r.retention_start,
      action: r.action,
      keptReason: r.kept_reason,
      keptDetail: r.kept_detail,
    }));
  }

  @Authorized('retention:read')
  @FieldResolver(() => [Task], { description: 'The run’s tasks, as a request’s: status, attempts, outcome.' })
  async tasks(@Root() run: RetentionRunView, @Ctx() ctx: GraphQLContext): Promise<Task[]> {
    return (await ctx.services.stores.tasks.ofRun(run.id)).map(taskView);
  }
}
