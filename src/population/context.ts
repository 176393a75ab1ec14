// What row generators share while one system is being generated: the seed, the size of
// the population, the reference date that "now" means, and per-table id counters.
// Each system's generator lives in its connector folder (connectors/<system>/population.ts).
import type { CopyValue } from '../../connectors/shared/copy.js';
import type { Random } from './variation.js';
import { intBetween } from './variation.js';

/** One row a system's generator writes: its table and columns. */
export interface GeneratedRow {
  table: string;
  row: Record<string, CopyValue>;
  /** Set on record rows: the person the record is about (ground truth). */
  personId?: string;
}

export interface GenerationContext {
  seed: number;
  total: number;
  referenceDate: Date;
  /** AES-256 key for stored card numbers; a system that needs one and finds none sets it once. */
  cardKey?: Buffer;
  /** Where footage files go; omitted in benchmarks that only need the metadata. */
  footageDir?: string;
  nextId(prefix: string): string;
}

export function createContext(options: Omit<GenerationContext, 'nextId'>): GenerationContext {
  const counters = new Map<string, number>();
  return {
    ...options,
    nextId(prefix: string) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}${String(n).padStart(7, '0')}`;
    },
  };
}

/** A moment between `minDays` and `maxDays` before the reference date, during working hours. */
export function daysAgo(ctx: GenerationContext, rng: Random, minDays: number, maxDays: number): Date {
  const day = intBetween(rng, minDays, maxDays);
  const d = new Date(ctx.referenceDate.getTime() - day * 86_400_000);
  d.setUTCHours(intBetween(rng, 7, 17), intBetween(rng, 0, 59), 0, 0);
  return d;
}

export function addMinutes(d: Date, minutes: number): Date {
  return new Date(d.getTime() + minutes * 60_000);
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
