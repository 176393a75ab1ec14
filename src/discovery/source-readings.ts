// A value read from each source (its record count, its name counts) kept per source and read
// again at most once per refresh interval, in the background, never per query. Only a source
// not yet read in this process is waited for, and then briefly. A read that fails or times
// out keeps the last value; a source that cannot answer (undefined) has none.
import { withinTime } from '../domain/time-limit.js';

export interface SourceReadingOptions {
  /** How long a value is used before it is read again. */
  refreshMs: number;
  /** How long a discovery waits for a source's first value. */
  firstReadWaitMs: number;
  /** A read taking longer than this is given up (and tried again after the interval). */
  readTimeoutMs: number;
  now?: () => number;
}

/** Reads one source's value; undefined when the source cannot give it. May throw (the last value is kept). */
export type ReadSource<T> = (sourceId: string) => Promise<T | undefined>;

export interface Reading<T> {
  value?: T;
  /** Bumped whenever `value` changes, so what is derived from it is rebuilt only then. */
  version: number;
}

interface Entry<T> extends Reading<T> {
  /** When the last read finished (or failed); undefined until the first one has. */
  checkedAt?: number;
  pending?: Promise<void>;
}

export class SourceReadings<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;

  constructor(
    private readonly read: ReadSource<T>,
    private readonly options: SourceReadingOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The source's value as last read (the first read waited for briefly). */
  async readingOf(sourceId: string): Promise<Reading<T>> {
    let entry = this.entries.get(sourceId);
    if (!entry) {
      entry = { version: 0 };
      this.entries.set(sourceId, entry);
    }
    if (entry.checkedAt === undefined) {
      // The read runs on past the wait; this discovery goes on without it.
      await withinTime(this.refresh(sourceId, entry), this.options.firstReadWaitMs, () => new Error('first read still running')).catch(() => undefined);
    } else if (this.now() - entry.checkedAt >= this.options.refreshMs) {
      void this.refresh(sourceId, entry);
    }
    return entry;
  }

  /** Drops a source's value (its registration changed): the next discovery reads it again. */
  forget(sourceId: string): void {
    this.entries.delete(sourceId);
  }

  /** Starts a read unless one is running; the promise settles when it has (never rejects). */
  private refresh(sourceId: string, entry: Entry<T>): Promise<void> {
    entry.pending ??= (async () => {
      try {
        entry.value = await withinTime(this.read(sourceId), this.options.readTimeoutMs, () => new Error('read timed out'));
        entry.version++;
      } catch {
        // Keep the last value (a failed or timed-out read): a source that is down now held the same a moment ago.
      } finally {
        entry.checkedAt = this.now();
        entry.pending = undefined;
      }
    })();
    return entry.pending;
  }
}
