import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { IdentifierInput } from '../discovery/identifier.input.js';
import type { GraphQLContext } from '../context.js';
import { codedError, rateLimitedError } from '../errors.js';
import { AuthError } from '../../src/auth/index.js';
import { AuditAction } from '../../src/audit/index.js';
import { checkBudgetOf, checkPeople, checkReadingOf, MAX_IDENTIFIERS_PER_CHECK, tombstoneViewerOf } from '../../src/tombstones/tombstone-check.js';
import type { IdentifierType } from '../../src/domain/vocabulary.js';
import { TombstoneCheck } from './tombstone.types.js';

@Resolver()
export class TombstoneResolver {
  @Authorized('tombstone:check')
  @Query(() => TombstoneCheck, {
    description: `Checks one person's identifiers against the tombstones (up to ${MAX_IDENTIFIERS_PER_CHECK}); costs the caller's rate limit one call per TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN identifiers begun (docs/security.md, "Limits").`,
  })
  async tombstoneCheck(@Arg('identifiers', () => [IdentifierInput]) identifiers: IdentifierInput[], @Ctx() ctx: GraphQLContext): Promise<TombstoneCheck> {
    // The operation's own token pays for its first check only (taken before any await: aliases run side by side).
    const callTokenCounts = !ctx.tombstoneCallTokenUsed;
    ctx.tombstoneCallTokenUsed = true;
    const reading = await checkReadingOf(ctx.principal!, ctx.services.sources);
    const result = await checkPeople(ctx.services.tombstones, [{ identifiers }], tombstoneViewerOf(ctx.principal!), {
      reading,
      budget: { ...checkBudgetOf(ctx.services, ctx.principal!), callTokenCounts },
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
