// Term-frequency tables of names built from the registered sources, so that "smith" agreeing
// counts for less than "zylberstein" (model.ts, tfOf). Each source's counts come through
// Connector.nameFrequencies at most once per refresh interval, in the background; only a
// source not yet read in this process is waited for, and then briefly. A read that fails
// keeps the last counts; a source without the method adds nothing. The counts are personal
// data (a rare name and its count point at a person): held in this process's memory only,
// never stored, never logged.
import type { NameFrequencies } from '../../connectors/contract.js';
import { IdentifierType } from '../domain/vocabulary.js';
import type { TermFrequencies, TermFrequencyTable } from '../identity/matching/parameters.js';
import { profileOfRaw } from '../identity/matching/profile.js';
import { SourceReadings, type Reading } from './source-readings.js';

export interface NameFrequencyOptions {
  /** How long a source's counts are used before they are asked again. Default 1 hour. */
  refreshMs?: number;
  /** How long a discovery waits for a source's first counts. Default 1 s. */
  firstReadWaitMs?: number;
  /** A read taking longer than this is given up (and asked again after the interval). Default 60 s. */
  readTimeoutMs?: number;
  /** Values per field asked of each source (the most frequent). Default 10,000. */
  limit?: number;
  now?: () => number;
}

/** Reads one source's name counts; undefined when the source cannot count them. May throw. */
export type ReadNames = (sourceId: string, limit: number) => Promise<NameFrequencies | undefined>;

/** One source's counts by normalised value, and how many values of each field it holds in all. */
export interface NameCounts {
  given: Map<string, number>;
  family: Map<string, number>;
  totals: { given: number; family: number };
}

/**
 * A source's raw counts as the profiles see the names: each value through the profiles'
 * normaliser (so "Smith" and "SMITH " add up), unusable values dropped, and counts below 2
 * dropped (a source should not send them: a name held once adds nothing and points at a person).
 */
export function normaliseNameCounts(answer: NameFrequencies): NameCounts {
  /** Adds the list's counts; returns the total to use (the source's, never less than what it listed). */
  const add = (into: Map<string, number>, type: IdentifierType, list: unknown, total: unknown): number => {
    let listed = 0;
    for (const entry of (Array.isArray(list) ? list : []) as { value?: unknown; records?: unknown }[]) {
      const { value, records } = entry ?? {};
      if (typeof value !== 'string' || typeof records !== 'number' || !Number.isInteger(records) || records < 2) continue;
      const profile = profileOfRaw([{ type, value }]);
      const name = (type === IdentifierType.GIVEN_NAME ? profile.given : profile.family)[0]?.value;
      if (!name) continue;
      into.set(name, (into.get(name) ?? 0) + records);
      listed += records;
    }
    return typeof total === 'number' && Number.isFinite(total) && total > listed ? total : listed;
  };
  const given = new Map<string, number>();
  const family = new Map<string, number>();
  const totals = answer.totals as Partial<NameFrequencies['totals']> | undefined;
  return {
    given,
    family,
    totals: {
      given: add(given, IdentifierType.GIVEN_NAME, answer.givenNames, totals?.givenNames),
      family: add(family, IdentifierType.FAMILY_NAME, answer.familyNames, totals?.familyNames),
    },
  };
}

/** The sources' counts and totals summed into one table per field (a field no source counted has none). */
export function mergeNameCounts(sources: Iterable<NameCounts>): TermFrequencies {
  const given = new Map<string, number>();
  const family = new Map<string, number>();
  let givenTotal = 0;
  let familyTotal = 0;
  for (const s of sources) {
    for (const [name, n] of s.given) given.set(name, (given.get(name) ?? 0) + n);
    for (const [name, n] of s.family) family.set(name, (family.get(name) ?? 0) + n);
    givenTotal += s.totals.given;
    familyTotal += s.totals.family;
  }
  const table = (counts: Map<string, number>, total: number): TermFrequencyTable | undefined =>
    total > 0 ? { total, counts: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) } : undefined;
  const out: TermFrequencies = {};
  const givenName = table(given, givenTotal);
  const familyName = table(family, familyTotal);
  if (givenName) out.givenName = givenName;
  if (familyName) out.familyName = familyName;
  return out;
}

const DEFAULT_REFRESH_MS = 60 * 60_000;
const DEFAULT_FIRST_WAIT_MS = 1_000;
const DEFAULT_READ_TIMEOUT_MS = 60_000;
const DEFAULT_LIMIT = 10_000;

/** The name tables of the registered sources, per source and merged over the ones asked for. */
export class NameFrequencyTables {
  private readonly readings: SourceReadings<NameCounts>;
  private merged?: { key: string; table: TermFrequencies };

  constructor(read: ReadNames, options: NameFrequencyOptions = {}) {
    const limit = options.limit ?? DEFAULT_LIMIT;
    this.readings = new SourceReadings(
      async (sourceId) => {
        const answer = await read(sourceId, limit);
        return answer ? normaliseNameCounts(answer) : undefined;
      },
      {
        refreshMs: options.refreshMs ?? DEFAULT_REFRESH_MS,
        firstReadWaitMs: options.firstReadWaitMs ?? DEFAULT_FIRST_WAIT_MS,
        readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        ...(options.now ? { now: options.now } : {}),
      },
    );
  }

  /** One table over the given sources' counts as last read (sources not read yet are waited for briefly). */
  async tableFor(sourceIds: readonly string[]): Promise<TermFrequencies> {
    const ids = [...new Set(sourceIds)].sort();
    const readings: Reading<NameCounts>[] = await Promise.all(ids.map((id) => this.readings.readingOf(id)));
    const key = ids.map((id, i) => `${id}\u0000${readings[i]!.version}`).join('\u0001');
    if (this.merged?.key !== key) {
      this.merged = { key, table: mergeNameCounts(readings.flatMap((r) => (r.value ? [r.value] : []))) };
    }
    return this.merged.table;
  }

  /** Drops a source's counts (its registration changed): the next discovery reads them again. */
  forget(sourceId: string): void {
    this.readings.forget(sourceId);
    this.merged = undefined;
  }
}
