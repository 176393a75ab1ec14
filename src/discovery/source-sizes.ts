// How many records each source holds, for its match prior (src/identity/matching/prior.ts).
// Counted through Connector.recordCount at most once per TTL per source, never per query:
// discovery reads the cached value and a stale one is refreshed in the background. Only a
// source not yet counted in this process is waited for, and then briefly. A count that
// fails keeps the last value (or none: the source is then scored with the model's λ).
// The caching itself: source-readings.ts.
import { SourceReadings } from './source-readings.js';

export interface SourceSizeOptions {
  /** How long a count is used before it is asked again. Default 5 minutes. */
  ttlMs?: number;
  /** How long a discovery waits for a source's first count. Default 1 s. */
  firstCountWaitMs?: number;
  /** A count taking longer than this is given up (and asked again after the TTL). Default 10 s. */
  countTimeoutMs?: number;
  now?: () => number;
}

/** Counts one source's records; undefined when the source cannot count. May throw. */
export type CountRecords = (sourceId: string) => Promise<number | undefined>;

const DEFAULT_TTL_MS = 5 * 60_000;
const DEFAULT_FIRST_WAIT_MS = 1_000;
const DEFAULT_COUNT_TIMEOUT_MS = 10_000;

export class SourceSizes {
  private readonly readings: SourceReadings<number>;

  constructor(count: CountRecords, options: SourceSizeOptions = {}) {
    this.readings = new SourceReadings(
      async (sourceId) => {
        const counted = await count(sourceId);
        // A count that is no count keeps the last value, as a failed one does.
        if (counted !== undefined && !(Number.isFinite(counted) && counted >= 0)) throw new Error('not a record count');
        return counted;
      },
      {
        refreshMs: options.ttlMs ?? DEFAULT_TTL_MS,
        firstReadWaitMs: options.firstCountWaitMs ?? DEFAULT_FIRST_WAIT_MS,
        readTimeoutMs: options.countTimeoutMs ?? DEFAULT_COUNT_TIMEOUT_MS,
        ...(options.now ? { now: options.now } : {}),
      },
    );
  }

  /** The source's record count as last known; undefined when it has none. */
  async recordsOf(sourceId: string): Promise<number | undefined> {
    return (await this.readings.readingOf(sourceId)).value;
  }

  /** The counts of many sources, each as recordsOf gives it. */
  async recordsOfAll(sourceIds: readonly string[]): Promise<Map<string, number | undefined>> {
    const counts = await Promise.all(sourceIds.map((id) => this.recordsOf(id)));
    return new Map(sourceIds.map((id, i) => [id, counts[i]]));
  }

  /** Drops a source's count (its registration changed): the next discovery counts again. */
  forget(sourceId: string): void {
    this.readings.forget(sourceId);
  }
}
