import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AuditAction, type KnownAuditAction } from '../../src/audit/index.js';
import { isUnscoped } from '../../src/auth/index.js';
import { Capability, DataCategory, IdentifierType } from '../../src/domain/vocabulary.js';
import type { GraphQLContext } from '../context.js';
import { DateTimeScalar } from '../scalars.js';
import { requestScope } from '../discovery/request-scope.js';
import { registrationOf, RegisterSourceInput } from './register-source.input.js';
import { ControllerPolicyView, RetentionPolicyView, Source, SourceField, SourceHealthView } from './source.types.js';
import { sourceView } from './source.view.js';
import type { StatusChange } from '../../src/sources/source-registry.js';

@Resolver(() => Source)
export class SourceResolver {
  @Authorized('source:read')
  @Query(() => [Source], { description: 'Every registered source, with health, data categories, retention and controller.' })
  async sources(@Ctx() ctx: GraphQLContext): Promise<Source[]> {
    return (await ctx.services.sourceAdmin.visibleTo(ctx.principal!)).map(sourceView);
  }

  @Authorized('source:register')
  @Mutation(() => Source, {
    description:
      'Registers a source (or updates the one with the same id). A CONNECTOR key may register new sources and update only its own; what it registers or changes waits for approval (status PENDING_APPROVAL) and gets no traffic until an ADMIN approves it; a source approved before stays held to what was approved, the change waiting beside it (pendingChanges). A DISABLED source stays disabled.',
  })
  async registerSource(@Arg('input', () => RegisterSourceInput) input: RegisterSourceInput, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return sourceView(await ctx.services.sourceAdmin.register(registrationOf(input), ctx.principal!));
  }

  @Authorized('source:approve')
  @Mutation(() => Source, {
    description:
      'Approves a source waiting for approval (PENDING_APPROVAL to ACTIVE): from now on it is searched and sent tasks, held to exactly what waited (pendingChanges: a changed registration or description becomes what it is held to). With `approvalToken` (the one the approval view showed), refused with SOURCE_CHANGED_SINCE_SHOWN when the registration or its waiting change changed since.',
  })
  async approveSource(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('approvalToken', () => String, { nullable: true, description: 'Source.approvalToken as shown: approve only what was seen.' })
    approvalToken?: string | null,
  ): Promise<Source> {
    const options = approvalToken ? { approvalToken } : {};
    return sourceView(await ctx.services.sourceAdmin.changeStatus(id, 'approve', AuditAction.SOURCE_APPROVE, ctx.principal!, options));
  }

  @Authorized('source:register')
  @Mutation(() => Source, {
    description: 'Disables a source: no discovery, health checks or tasks; its queued tasks wait. An ADMIN, or the CONNECTOR that owns it.',
  })
  disableSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return this.changeStatus(ctx, id, 'disable', AuditAction.SOURCE_DISABLE);
  }

  @Authorized('source:approve')
  @Mutation(() => Source, {
    description:
      'Enables a disabled source again: ACTIVE when what it is held to was approved and no change waits; otherwise back to PENDING_APPROVAL (a source never approved, or with a changed registration or description waiting), for approveSource.',
  })
  enableSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return this.changeStatus(ctx, id, 'enable', AuditAction.SOURCE_ENABLE);
  }

  @Authorized('source:approve')
  @Mutation(() => Source, {
    description: 'Removes a source (status REMOVED: past requests still name it). Refused with SOURCE_HAS_OPEN_TASKS while tasks of it are still to run.',
  })
  removeSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Source> {
    return this.changeStatus(ctx, id, 'remove', AuditAction.SOURCE_REMOVE);
  }

  private async changeStatus(ctx: GraphQLContext, id: string, change: StatusChange, action: KnownAuditAction): Promise<Source> {
    return sourceView(await ctx.services.sourceAdmin.changeStatus(id, change, action, ctx.principal!));
  }

  @FieldResolver(() => Boolean, { description: 'Whether the latest health check (this request) reached the source.' })
  async healthy(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return (await requestScope(ctx).health(source.id)).healthy;
  }

  @FieldResolver(() => SourceHealthView, { description: 'Health check detail: reachable or why not, latency, when checked.' })
  async health(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<SourceHealthView> {
    const h = await requestScope(ctx).health(source.id);
    return { healthy: h.healthy, detail: h.detail ?? null, latencyMs: h.latencyMs ?? null, checkedAt: h.checkedAt };
  }

  @FieldResolver(() => DateTimeScalar, { description: 'When the health was checked.' })
  async checkedAt(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<Date> {
    return (await requestScope(ctx).health(source.id)).checkedAt;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'How many records the source holds, as its connector counts them (the figure discovery scales match priors by; counted again every few minutes). Null when unknown: the connector cannot count, the source is not ACTIVE, or its first count has not answered within a second; and, to a key bound to controllers, for a shared system (declared for no controller), whose count is of every controller’s records.',
  })
  async recordCount(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<number | null> {
    // A shared system's size is every controller's figure together, as the report's are.
    if (source.controllerIds.length === 0 && !isUnscoped(ctx.principal!)) return null;
    return ctx.services.discovery.recordCount(source);
  }

  @FieldResolver(() => [Capability], { description: 'What the connector can do (empty while it cannot be built).' })
  async capabilities(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<Capability[]> {
    return (await ctx.services.sources.abilities(source.id)).capabilities;
  }

  @FieldResolver(() => [IdentifierType], {
    description:
      'Identifier types the source can be searched by: the only ones discovery sends it. For a source not ACTIVE, what it declared when registered (it is not contacted).',
  })
  async identifierTypes(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<IdentifierType[]> {
    return (await ctx.services.sources.abilities(source.id)).identifierTypes;
  }

  @FieldResolver(() => [DataCategory], { description: 'Every data category the source holds (union over its fields).' })
  async dataCategories(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<DataCategory[]> {
    const d = await ctx.services.sources.describe(source.id);
    return [...new Set((d?.fields ?? []).flatMap((f) => f.categories))].sort();
  }

  @FieldResolver(() => [SourceField], { description: 'Fields per record type with their categories; special marks special-category data.' })
  async fields(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<SourceField[]> {
    const d = await ctx.services.sources.describe(source.id);
    return (d?.fields ?? []).map((f) => ({ ...f, identifierType: f.identifierType ?? null }));
  }

  @FieldResolver(() => RetentionPolicyView, { nullable: true, description: 'Null while the source cannot describe itself (unreachable).' })
  async retention(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<RetentionPolicyView | null> {
    const r = (await ctx.services.sources.describe(source.id))?.retention;
    if (!r) return null;
    return {
      summary: r.summary,
      activePeriod: r.activePeriod ?? null,
      archivePeriod: r.archivePeriod ?? null,
      maxAge: r.maxAge ?? null,
      periods: [r.activePeriod, r.archivePeriod, r.maxAge].filter((p): p is string => Boolean(p)),
      statutory: r.statutory,
      basis: r.basis ?? null,
      erasure: r.erasure,
    };
  }

  @FieldResolver(() => ControllerPolicyView, { nullable: true, description: 'Null while the source cannot describe itself (unreachable).' })
  async controller(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<ControllerPolicyView | null> {
    const c = (await ctx.services.sources.describe(source.id))?.controller;
    return c ? { role: c.role, defaultControllerId: c.defaultControllerId ?? null, note: c.note ?? null } : null;
  }
}
