// How many records each source holds, for its match prior (src/identity/matching/prior.ts).
// Counted through Connector.recordCount at most once per TTL per source, never per query:
// discovery reads the cached value and a stale one is refreshed in the background. Only a
// source not yet counted in this process is waited for, and then briefly. A count that
// fails keeps the last value (or none: the source is then scored with the model's λ).

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

interface Entry {
  records?: number;
  /** When the last count finished (or failed); undefined until the first one has. */
  checkedAt?: number;
  pending?: Promise<void>;
}

const DEFAULT_TTL_MS = 5 * 60_000;
const DEFAULT_FIRST_WAIT_MS = 1_000;
const DEFAULT_COUNT_TIMEOUT_MS = 10_000;

export class SourceSizes {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly count: CountRecords,
    private readonly options: SourceSizeOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The source's record count as last known; undefined when it has none. */
  async recordsOf(sourceId: string): Promise<number | undefined> {
    let entry = this.entries.get(sourceId);
    if (!entry) {
      entry = {};
      this.entries.set(sourceId, entry);
    }
    if (entry.checkedAt === undefined) {
      await within(this.refresh(sourceId, entry), this.options.firstCountWaitMs ?? DEFAULT_FIRST_WAIT_MS);
    } else if (this.now() - entry.checkedAt >= (this.options.ttlMs ?? DEFAULT_TTL_MS)) {
      void this.refresh(sourceId, entry);
    }
    return entry.records;
  }

  /** The counts of many sources, each as recordsOf gives it. */
  async recordsOfAll(sourceIds: readonly string[]): Promise<Map<string, number | undefined>> {
    const counts = await Promise.all(sourceIds.map((id) => this.recordsOf(id)));
    return new Map(sourceIds.map((id, i) => [id, counts[i]]));
  }

  /** Drops a source's count (its registration changed): the next discovery counts again. */
  forget(sourceId: string): void {
    this.entries.delete(sourceId);
  }

  /** Starts a count unless one is running; the promise settles when it has (never rejects). */
  private refresh(sourceId: string, entry: Entry): Promise<void> {
    entry.pending ??= (async () => {
      try {
        const counted = await within(this.count(sourceId), this.options.countTimeoutMs ?? DEFAULT_COUNT_TIMEOUT_MS);
        if (counted === TIMED_OUT) return;
        if (counted === undefined) entry.records = undefined;
        else if (Number.isFinite(counted) && counted >= 0) entry.records = counted;
      } catch {
        // Keep the last value: a source that is down now was the same size a minute ago.
      } finally {
        entry.checkedAt = this.now();
        entry.pending = undefined;
      }
    })();
    return entry.pending;
  }
}

export const TIMED_OUT = Symbol('timed out');

/** The promise's value, or TIMED_OUT after `ms` (the promise itself runs on). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
