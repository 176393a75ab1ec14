import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { AuditAction, AuditOutcome, type AuditFilter as CoreAuditFilter } from '../../src/audit/index.js';
import { DomainError } from '../../src/domain/errors.js';
import { controllerScope, soleControllerOf } from '../../src/auth/index.js';
import type { GraphQLContext } from '../context.js';
import { ApiKeyInfo, CreateApiKeyInput, CreatedApiKey } from './api-key.types.js';
import { AuditConnection, AuditFilter } from './audit.types.js';

const MAX_FILTER_TEXT = 200;

/** Filter text goes to SQL as parameters; refuse what PostgreSQL cannot hold (NUL) or what is absurdly long. */
function filterText(value: string | null | undefined, field: string): string | undefined {
  if (value == null) return undefined;
  if (value.length > MAX_FILTER_TEXT || value.includes('\u0000')) {
    throw new DomainError('BAD_USER_INPUT', `filter.${field} must be at most ${MAX_FILTER_TEXT} characters without NUL`, { field });
  }
  return value;
}

export function toCoreFilter(filter: AuditFilter | null | undefined): CoreAuditFilter {
  if (!filter) return {};
  const actions = [...(filter.actions ?? []), ...(filter.action != null ? [filter.action] : [])].map((a) => filterText(a, 'action')!);
  if (actions.length > 50) throw new DomainError('BAD_USER_INPUT', 'filter.actions holds at most 50 names', { field: 'actions' });
  if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) {
    throw new DomainError('BAD_USER_INPUT', 'filter.from must not be after filter.to', { field: 'from' });
  }
  return {
    actorId: filterText(filter.actor, 'actor'),
    actions: actions.length ? actions : undefined,
    targetType: filterText(filter.targetType, 'targetType'),
    targetId: filterText(filter.target, 'target'),
    controllerId: filterText(filter.controllerId, 'controllerId'),
    outcome: filter.outcome ?? undefined,
    from: filter.from ?? undefined,
    to: filter.to ?? undefined,
  };
}

/** Administration: the audit log for auditors, API keys for administrators. */
@Resolver()
export class AdminResolver {
  @Authorized('audit:read')
  @Query(() => AuditConnection, {
    description:
      'The audit log, newest first. `after` is the seq cursor (pageInfo.endCursor). An auditor bound to controllers sees only their entries. Reading is itself audited.',
  })
  async auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter?: AuditFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditConnection> {
    const principal = ctx.principal!;
    const core = toCoreFilter(filter);
    const page = await ctx.services.audit.list(core, { first: first ?? undefined, after: after ?? undefined }, { controllerIds: controllerScope(principal) });
    await ctx.services.audit.record({
      actor: { id: principal.id, kind: principal.kind },
      action: AuditAction.AUDIT_READ,
      target: { type: 'audit-log' },
      params: { filter: core, first, after },
      outcome: AuditOutcome.SUCCESS,
      controllerId: soleControllerOf(principal),
    });
    const nodes = page.entries.map((e) => ({ ...e, outcome: e.outcome as AuditOutcome }));
    return { edges: nodes.map((node) => ({ cursor: node.seq, node })), nodes, pageInfo: page.pageInfo };
  }

  @Authorized('key:manage')
  @Query(() => [ApiKeyInfo], { description: 'API keys within your controllers (revoked ones on request).' })
  async apiKeys(
    @Ctx() ctx: GraphQLContext,
    @Arg('includeRevoked', () => Boolean, { nullable: true, defaultValue: false }) includeRevoked: boolean,
  ): Promise<ApiKeyInfo[]> {
    return ctx.services.apiKeys.list({ includeRevoked }, ctx.principal!);
  }

  @Authorized('key:manage')
  @Mutation(() => CreatedApiKey, { description: 'Creates a key; the clear key is returned once. Audited (key.create).' })
  async createApiKey(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(
      { name: input.name, roles: input.roles, controllerIds: input.controllerIds ?? [], sourceIds: input.sourceIds ?? [] },
      ctx.principal!,
    );
  }

  @Authorized('key:manage')
  @Mutation(() => ApiKeyInfo, { description: 'Revokes a key at once (idempotent). Audited (key.revoke).' })
  async revokeApiKey(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ApiKeyInfo> {
    return ctx.services.apiKeys.revoke(id, ctx.principal!);
  }
}
