import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { AuditAction, AuditOutcome } from '../../src/audit/index.js';
import { presentRecord } from '../../src/discovery/record-presentation.js';
import { parentRecordIdFor } from '../../src/requests/visibility.js';
import type { GraphQLContext } from '../context.js';
import { sourceView } from '../sources/source.view.js';
import { Source } from '../sources/source.types.js';
import { requestScope } from './request-scope.js';
import { RecordMatch, SourceOutcome, SubjectQueryInput, SubjectResolution } from './discovery.types.js';

@Resolver()
export class DiscoveryResolver {
  @Authorized('discovery:run')
  @Query(() => SubjectResolution, {
    description:
      "Finds one person across every registered source (or the chosen ones): matched records with score, band, relationship, explanation and retention status, and every source's outcome. Aliased subject fields in one operation share one batched connector call per source per round.",
  })
  async subject(@Arg('query', () => SubjectQueryInput) query: SubjectQueryInput, @Ctx() ctx: GraphQLContext): Promise<SubjectResolution> {
    const principal = ctx.principal!;
    const { services } = ctx;
    const scope = requestScope(ctx);
    const audit = (outcome: AuditOutcome) =>
      services.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action: AuditAction.DISCOVERY_RUN,
        target: { type: 'subject', id: null },
        // Only the keyed digest of the query is stored: no personal data in the log.
        params: { identifiers: query.identifiers, sourceIds: query.sourceIds ?? null, includeRelated: query.includeRelated ?? null },
        outcome,
      });
    let resolution;
    try {
      resolution = await services.discovery.discover(
        {
          identifiers: query.identifiers.map((i) => ({ type: i.type, value: i.value, ...(i.country != null ? { country: i.country } : {}) })),
          ...(query.sourceIds ? { sourceIds: query.sourceIds } : {}),
          ...(query.includeRelated != null ? { includeRelated: query.includeRelated } : {}),
        },
        { loaders: scope.loaders, principal },
      );
    } catch (error) {
      await audit(AuditOutcome.FAILED);
      throw error;
    }
    // The entry is written while the answer is put together; the answer waits for both.
    const present = async () => {
      // The list and descriptions discovery already read for this request: no more queries.
      const { registered, descriptions, held } = await services.discovery.sourcesFor(scope.loaders);
      // A held source (disabled, or waiting for approval again) is named as registered too.
      const views = new Map([...registered, ...held.map((h) => h.source)].map((s) => [s.id, sourceView(s)]));
      const sourceOf = (id: string): Source =>
        views.get(id) ??
        // Disabled since the run started: still name it rather than fail the answer.
        Object.assign(new Source(), {
          id,
          name: id,
          kind: 'OTHER',
          type: 'unknown',
          controllerIds: [],
          registeredBy: null,
          phoneCountry: null,
          phoneCountriesBefore: null,
          registeredAt: new Date(0),
          updatedAt: new Date(0),
        });
      const now = new Date();
      const sources: SourceOutcome[] = resolution.sources.map((s) => ({
        source: sourceOf(s.sourceId),
        sourceId: s.sourceId,
        status: s.status,
        error: s.error ?? null,
        errorCode: s.errorCode ?? null,
        records: s.records,
        rounds: s.rounds,
        latencyMs: s.latencyMs,
      }));
      const presented = resolution.records.map((r) => presentRecord(r, descriptions.get(r.sourceId) ?? null, principal, now));
      // A parent is named only when it is a record the caller may see (R13), as on a request's records.
      const records: RecordMatch[] = presented.map((r) => ({
        ...r,
        parentRecordId: parentRecordIdFor(principal, r, presented),
        source: sourceOf(r.sourceId),
      }));
      return { complete: resolution.complete, rounds: resolution.rounds, roundLimitReached: resolution.roundLimitReached, sources, records };
    };
    const [, answer] = await Promise.all([audit(AuditOutcome.SUCCESS), present()]);
    return answer;
  }
}
