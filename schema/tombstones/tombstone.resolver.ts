import { Arg, Authorized, Ctx, Info, Query, Resolver } from 'type-graphql';
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { IdentifierInput } from '../discovery/identifier.input.js';
import type { GraphQLContext } from '../context.js';
import { codedError, rateLimitedError } from '../errors.js';
import { AuthError } from '../../src/auth/index.js';
import { AuditAction } from '../../src/audit/index.js';
import { checkBudgetOf, checkPeople, checkReadingOf, MAX_IDENTIFIERS_PER_CHECK, tombstoneViewerOf } from '../../src/tombstones/tombstone-check.js';
import type { IdentifierType } from '../../src/domain/vocabulary.js';
import { TombstoneCheck } from './tombstone.types.js';

/**
 * The size of every tombstoneCheck the operation asks (each alias, through fragments too, not
 * those skipped by @skip/@include): the checks are paid one by one, but together they may not
 * cost more than a full bucket (payForCheck).
 */
function checksOfOperation(info: GraphQLResolveInfo): number[] {
  const field = info.parentType.getFields()[info.fieldName]!;
  const sizes: number[] = [];
  const visited = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const node of set.selections) {
      if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if === true) continue;
      if (getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if === false) continue;
      if (node.kind === Kind.FIELD) {
        if (node.name.value !== info.fieldName) continue;
        const args = getArgumentValues(field, node, info.variableValues) as { identifiers?: unknown[] };
        sizes.push(args.identifiers?.length ?? 0);
      } else if (node.kind === Kind.INLINE_FRAGMENT) {
        walk(node.selectionSet);
      } else if (!visited.has(node.name.value) && info.fragments[node.name.value]) {
        visited.add(node.name.value);
        walk(info.fragments[node.name.value]!.selectionSet);
      }
    }
  };
  walk(info.operation.selectionSet);
  return sizes;
}

@Resolver()
export class TombstoneResolver {
  @Authorized('tombstone:check')
  @Query(() => TombstoneCheck, {
    description: `Checks one person's identifiers against the tombstones (up to ${MAX_IDENTIFIERS_PER_CHECK}); costs the caller's rate limit one call per TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN identifiers begun; the checks of one operation together may not cost more than a full bucket (TOO_MANY_IDENTIFIERS) (docs/security.md, "Limits").`,
  })
  async tombstoneCheck(
    @Arg('identifiers', () => [IdentifierInput]) identifiers: IdentifierInput[],
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TombstoneCheck> {
    // The operation's own token pays for its first check only (taken before any await: aliases run side by side).
    const callTokenCounts = !ctx.tombstoneCallTokenUsed;
    ctx.tombstoneCallTokenUsed = true;
    const callChecks = checksOfOperation(info);
    const reading = await checkReadingOf(ctx.principal!, ctx.services.sources);
    const result = await checkPeople(ctx.services.tombstones, [{ identifiers }], tombstoneViewerOf(ctx.principal!), {
      reading,
      budget: { ...checkBudgetOf(ctx.services, ctx.principal!), callTokenCounts, callChecks },
    }).catch((error: unknown) => {
      // Refused as a call over its rate is at the door: 429 with Retry-After.
      if (error instanceof AuthError && error.code === 'RATE_LIMITED') throw rateLimitedError(error.retryAfterSeconds ?? 1);
      throw error;
    });
    const invalid = result.people[0]!.results.find((r) => r.error);
    if (invalid) throw codedError('INVALID_IDENTIFIER', `${invalid.type}: ${invalid.error!.message}`, { identifierType: invalid.type });
    await ctx.services.audit.record({
      actor: { id: ctx.principal!.id, kind: ctx.principal!.kind },
      action: AuditAction.TOMBSTONE_CHECK,
      target: { type: 'tombstone' },
      params: { identifiers: identifiers.length, hit: result.anyTombstoned },
      outcome: 'SUCCESS',
    });
    return {
      anyTombstoned: result.anyTombstoned,
      results: result.people[0]!.results.map((r) => ({ type: r.type as IdentifierType, tombstoned: r.tombstoned, requestId: r.requestId })),
    };
  }
}
