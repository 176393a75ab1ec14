import type { Identifier, SourceDescription, SourceRecord } from '../../connectors/contract.js';
import type { DataCategory } from '../domain/vocabulary.js';
import { resolveSubject, type ResolveOptions, type SourceOutcome, type SubjectResolution } from '../identity/resolver.js';
import { canSeeController, canSeeSource, type Principal } from '../auth/index.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { SourceStatus, type SourceEntity } from '../sources/source.entity.js';
import { HeldSourceCode } from '../sources/held-sources.js';
import { DomainError } from '../domain/errors.js';
import { DiscoveryLoaders, SourceBatcher } from './discovery-loaders.js';
import { SourceSizes, type SourceSizeOptions } from './source-sizes.js';
import { NameFrequencyTables, type NameFrequencyOptions } from './name-frequencies.js';
import { createMatchModel, type MatchModel } from '../identity/matching/model.js';
import type { TermFrequencies } from '../identity/matching/parameters.js';

export interface DiscoverInput {
  identifiers: readonly Identifier[];
  /** Only these sources; all registered ones when absent. */
  sourceIds?: readonly string[];
  /** Also return appearances in other people's records (default true). */
  includeRelated?: boolean;
}

export interface DiscoverContext {
  /** Reuse one set per GraphQL request so lookups batch across subjects. */
  loaders?: DiscoveryLoaders;
  /** When given, records of controllers the principal may not see are left out. */
  principal?: Principal | null;
}

export interface DiscoveryOptions {
  timeoutMs?: number;
  maxRounds?: number;
  thresholds?: ResolveOptions['thresholds'];
  /** Caching of the sources' record counts, which scale each source's prior. */
  sourceSizes?: SourceSizeOptions;
  /** Term-frequency tables of names read from the ACTIVE sources; false: names weigh without frequency. */
  nameFrequencies?: NameFrequencyOptions | false;
}

/** Discovery: one person across every registered source (or the chosen ones). */
export class DiscoveryService {
  private readonly batcher: SourceBatcher;
  private readonly sizes: SourceSizes;
  private readonly names?: NameFrequencyTables;
  /** The match model over the last merged name table (rebuilt only when the table is). */
  private model?: { table: TermFrequencies; model: MatchModel };

  constructor(
    private readonly registry: SourceRegistry,
    private readonly options: DiscoveryOptions = {},
  ) {
    this.batcher = new SourceBatcher(registry);
    this.sizes = new SourceSizes(async (id) => {
      const connector = await registry.connector(id);
      return connector.recordCount ? connector.recordCount() : undefined;
    }, options.sourceSizes);
    if (options.nameFrequencies !== false) {
      this.names = new NameFrequencyTables(async (id, limit) => {
        // Counted only in stores the gateway reads itself: the table weighs every source's
        // records, and a remote's counts are its word (one claiming to hold a trillion names
        // would make every name look unique, so a stranger sharing a common name would match).
        if ((await registry.find(id))?.config.type === 'remote') return undefined;
        const connector = await registry.connector(id);
        return connector.nameFrequencies ? connector.nameFrequencies(limit) : undefined;
      }, options.nameFrequencies);
    }
    // A changed registration may point at other data: count it again.
    registry.onRegistered((id) => {
      this.sizes.forget(id);
      this.names?.forget(id);
    });
  }

  /**
   * The source's record count as discovery's priors use it (cached, counted again in the
   * background when stale); null when the source cannot count, has not answered within the
   * first-count wait, or is not ACTIVE (never contacted then).
   */
  async recordCount(source: Pick<SourceEntity, 'id' | 'status'>): Promise<number | null> {
    if (source.status !== SourceStatus.ACTIVE) return null;
    return (await this.sizes.recordsOf(source.id)) ?? null;
  }

  /** The match model with the ACTIVE sources' name table; undefined (the default model) when tables are off. */
  private async modelOver(sources: readonly SourceEntity[]): Promise<MatchModel | undefined> {
    if (!this.names) return undefined;
    const table = await this.names.tableFor(sources.filter((s) => s.status === SourceStatus.ACTIVE).map((s) => s.id));
    if (this.model?.table !== table) this.model = { table, model: createMatchModel({ termFrequencies: table }) };
    return this.model.model;
  }

  createLoaders(): DiscoveryLoaders {
    return new DiscoveryLoaders(this.batcher);
  }

  /**
   * The registered sources and their descriptions, and the held sources (searched before, not
   * ACTIVE now), read once per request (per loaders).
   */
  sourcesFor(loaders: DiscoveryLoaders): Promise<{
    registered: SourceEntity[];
    descriptions: Map<string, SourceDescription | null>;
    held: { source: SourceEntity; code: HeldSourceCode }[];
  }> {
    return loaders.once('sources', async () => {
      const [list, held] = await Promise.all([this.registry.list(), this.registry.listHeld()]);
      const described = new Map<string, SourceDescription | null>();
      await Promise.all(list.map(async (s) => described.set(s.id, await this.registry.describe(s.id))));
      return { registered: list, descriptions: described, held };
    });
  }

  async discover(input: DiscoverInput, context: DiscoverContext = {}): Promise<SubjectResolution> {
    const loaders = context.loaders ?? this.createLoaders();
    // Once per request: many subjects in one operation share the list and descriptions.
    const { registered: all, descriptions, held } = await this.sourcesFor(loaders);
    // Sources of controllers the caller may not see are neither queried nor named.
    const principal = context.principal;
    const registered = principal ? all.filter((s) => canSeeSource(principal, s)) : all;
    const known = new Set(registered.map((s) => s.id));
    const unknown = (input.sourceIds ?? []).filter((id) => !known.has(id));
    if (unknown.length) throw new DomainError('SOURCE_NOT_FOUND', `unknown source(s): ${unknown.join(', ')}`, { sourceIds: unknown });
    const chosen = input.sourceIds?.length ? registered.filter((s) => input.sourceIds!.includes(s.id)) : registered;
    // Cached counts, read once per request so many subjects still start (and batch) together.
    // Name frequencies over every ACTIVE source (not only the chosen or visible ones): how
    // common a name is does not depend on who asks or where. Both first waits run at once.
    const [sizes, model] = await Promise.all([
      loaders.once('sizes', () => this.sizes.recordsOfAll(all.map((s) => s.id))),
      loaders.once('model', () => this.modelOver(all)),
    ]);

    const resolution = await resolveSubject({
      identifiers: input.identifiers,
      // Each source's records are read in its phone country; the query in the caller's
      // (an identifier's own `country`, else the deployment's default).
      sources: chosen.map((s) => ({ id: s.id, records: sizes.get(s.id), normalise: { defaultCountry: this.registry.phoneCountryOf(s) } })),
      lookup: loaders.lookup,
      options: {
        normalise: { defaultCountry: this.registry.defaultPhoneCountry },
        ...(model ? { model } : {}),
        timeoutMs: this.options.timeoutMs,
        maxRounds: this.options.maxRounds,
        thresholds: this.options.thresholds,
        includeRelated: input.includeRelated ?? true,
        categoriesOf: (sourceId, record) => categoriesOf(descriptions.get(sourceId) ?? null, record),
        // Records of controllers the caller may not see are left out before scoring, not after:
        // otherwise a visible record could be scored against one (its values shown as the
        // compared query side, its id as matchedAgainst) or found through its identifiers.
        ...(principal ? { admits: (_sourceId: string, record: SourceRecord) => canSeeController(principal, record.controllerId ?? null) } : {}),
      },
    });
    // R1: a search of every source names the held ones it could not ask (those the caller may see).
    if (input.sourceIds?.length) return resolution;
    const notAsked = held.filter(({ source }) => !principal || canSeeSource(principal, source)).map(({ source, code }) => heldOutcome(source.id, code));
    if (notAsked.length === 0) return resolution;
    return { ...resolution, complete: false, sources: [...resolution.sources, ...notAsked] };
  }
}

/** A held source's outcome: not asked, so FAILED with the code of why; the gateway's words only. */
function heldOutcome(sourceId: string, code: HeldSourceCode): SourceOutcome {
  const why = code === HeldSourceCode.SOURCE_DISABLED ? 'the source is disabled' : 'the source waits for approval again';
  return { sourceId, status: 'FAILED', errorCode: code, error: `${code}: not searched: ${why}`, records: 0, rounds: 0, latencyMs: 0 };
}

/** Categories of the fields a record actually carries, from the source's description. */
export function categoriesOf(description: SourceDescription | null, record: SourceRecord): DataCategory[] {
  if (!description) return [];
  const present = new Set(Object.keys(record.data ?? {}));
  const categories = new Set<DataCategory>();
  for (const field of description.fields) {
    if (field.recordType === record.recordType && present.has(field.field)) for (const c of field.categories) categories.add(c);
  }
  return [...categories].sort();
}
