import DataLoader from 'dataloader';
import type { DiscoveryQuery, SourceRecord } from '../../connectors/contract.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { flightLimitedLoader } from '../domain/flight-limited-loader.js';

/** Connector calls per source in flight at once in this process (the rest wait and merge). */
const BATCHES_IN_FLIGHT = 3;

/**
 * Process-wide batching per source, across requests: lookups that concurrent requests
 * make in the same turn of the event loop, or while the source's calls are busy, go to
 * the connector as one `discover` call.
 * Round trips, not CPU, dominate discovery cost, so under load this is what scales.
 * No cache here: caching stays per request (DiscoveryLoaders).
 */
export class SourceBatcher {
  private readonly loaders = new Map<string, DataLoader<DiscoveryQuery, SourceRecord[], DiscoveryQuery>>();

  constructor(private readonly registry: SourceRegistry) {}

  load(sourceId: string, queries: readonly DiscoveryQuery[]): Promise<SourceRecord[][]> {
    let loader = this.loaders.get(sourceId);
    if (!loader) {
      // Lookups of one loop turn go together; while BATCHES_IN_FLIGHT calls of this source
      // are running, new lookups wait and go out as one larger call.
      loader = flightLimitedLoader<DiscoveryQuery, SourceRecord[]>(async (batch) => (await this.registry.connector(sourceId)).discover([...batch]), {
        maxBatchSize: 500,
        maxInFlight: BATCHES_IN_FLIGHT,
      });
      this.loaders.set(sourceId, loader);
    }
    return Promise.all(queries.map((q) => loader.load(q)));
  }
}

/**
 * One DataLoader per source for one GraphQL request: every lookup of that source made
 * while the operation resolves (many subjects, several rounds) is coalesced into one
 * batched call per tick, and identical queries are asked once. The batches go through
 * the process-wide SourceBatcher, which may merge them with other requests' batches.
 */
export class DiscoveryLoaders {
  private readonly loaders = new Map<string, DataLoader<DiscoveryQuery, SourceRecord[], string>>();
  /** Connector calls made, per source: what batching saves is measurable. */
  readonly calls = new Map<string, number>();

  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(private readonly batcher: SourceBatcher) {}

  /**
   * Per-request memo (the source list, their descriptions): every subject of one operation
   * awaits the same promise, so their first lookups land in the same tick and batch.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.memos.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load();
      this.memos.set(key, pending);
      pending.catch(() => this.memos.delete(key));
    }
    return pending;
  }

  /** Total connector calls made through these loaders. */
  get totalCalls(): number {
    let n = 0;
    for (const c of this.calls.values()) n += c;
    return n;
  }

  lookup = async (sourceId: string, queries: DiscoveryQuery[]): Promise<SourceRecord[][]> => Promise.all(queries.map((q) => this.loaderFor(sourceId).load(q)));

  private loaderFor(sourceId: string): DataLoader<DiscoveryQuery, SourceRecord[], string> {
    let loader = this.loaders.get(sourceId);
    if (!loader) {
      loader = new DataLoader(
        async (queries) => {
          this.calls.set(sourceId, (this.calls.get(sourceId) ?? 0) + 1);
          return this.batcher.load(sourceId, queries);
        },
        { cacheKeyFn: cacheKeyOf, maxBatchSize: 500 },
      );
      this.loaders.set(sourceId, loader);
    }
    return loader;
  }
}

function cacheKeyOf(query: DiscoveryQuery): string {
  const identifiers = query.identifiers.map((i) => `${i.type}=${i.value}`).sort();
  return JSON.stringify([identifiers, [...query.blockingKeys].sort()]);
}
