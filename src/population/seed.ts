// Creates the reference stores and fills them with the synthetic population, one system
// at a time, streaming rows to COPY; writes the ground-truth file as it goes. Each system's
// rows come from its descriptor (connectors/<system>/population.ts).
import os from 'node:os';
import path from 'node:path';
import { createStore, loadStore, type StoreRow } from '../../connectors/shared/system.js';
import type { BuiltinSystem } from '../../connectors/shared/builtin-system.js';
import { BUILTIN_SYSTEMS, builtinSystem } from '../../connectors/builtin.js';
import { createContext, type GenerationContext } from './context.js';
import { GroundTruthWriter } from './ground-truth.js';
import { personAt } from './person.js';

/** A built-in system's name, as configs give it. */
type ReferenceSystemName = (typeof BUILTIN_SYSTEMS)[number]['name'];

export interface SeedOptions {
  /** Database URL holding the stores (one PostgreSQL schema per system). */
  url: string;
  /** Number of people (default 2,000). */
  people?: number;
  /** Same seed, same population (default 42). */
  seed?: number;
  /** Directory for footage files of systems that keep them; omit to write metadata only (benchmarks). */
  footageDir?: string;
  /** Where to write the ground-truth CSV (default: a file in the system temp folder). */
  groundTruthPath?: string;
  /** Schema per system, if not its default name. */
  schemas?: Partial<Record<ReferenceSystemName, string>>;
  /** Which systems to seed (default: all the built-in systems). */
  systems?: ReferenceSystemName[];
  /** What "now" is for record dates (default: today, 00:00 UTC). */
  referenceDate?: Date;
  /** AES-256 key for stored card numbers (default: the system's own, from its environment or random). */
  cardKey?: Buffer;
}

export interface SeedResult {
  people: number;
  seed: number;
  groundTruthPath: string;
  /** Rows loaded per system and table (record_key included). */
  rows: Record<string, Record<string, number>>;
  /** Ground-truth entries per system (records that are about a person). */
  records: Record<string, number>;
  durationMs: number;
}

export function startOfTodayUtc(): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

async function* systemRows(
  system: BuiltinSystem<object>,
  ctx: GenerationContext,
  truth: GroundTruthWriter,
  counts: { records: number },
): AsyncGenerator<StoreRow> {
  const { name } = system;
  if (system.population.fixedRows) yield* system.population.fixedRows();
  for (let i = 0; i < ctx.total; i++) {
    for await (const generated of system.population.rowsOf(ctx, personAt(ctx.seed, i))) {
      if (generated.personId) {
        counts.records++;
        await truth.write({ source: name, recordId: String(generated.row.id), personId: generated.personId });
      }
      yield generated;
    }
  }
}

export async function seedReferenceSources(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const people = options.people ?? 2000;
  const seed = options.seed ?? 42;
  const referenceDate = options.referenceDate ?? startOfTodayUtc();
  const cardKey = options.cardKey;
  const groundTruthPath = options.groundTruthPath ?? path.join(os.tmpdir(), `dsr-ground-truth-${seed}-${people}.csv`);
  const names = options.systems ?? BUILTIN_SYSTEMS.map((s) => s.name);
  for (const name of names) await builtinSystem(name).population.prepare?.({ ...(options.footageDir ? { footageDir: options.footageDir } : {}) });
  const truth = await GroundTruthWriter.open(groundTruthPath);
  const rows: SeedResult['rows'] = {};
  const records: SeedResult['records'] = {};
  try {
    for (const name of names) {
      const system = builtinSystem(name);
      const schema = options.schemas?.[name] ?? system.store.name;
      await createStore(system.store, { url: options.url, schema, reset: true });
      const ctx = createContext({
        seed,
        total: people,
        referenceDate,
        ...(cardKey ? { cardKey } : {}),
        ...(options.footageDir ? { footageDir: options.footageDir } : {}),
      });
      const counts = { records: 0 };
      rows[name] = await loadStore(system.store, { url: options.url, schema }, systemRows(system, ctx, truth, counts));
      records[name] = counts.records;
    }
  } finally {
    await truth.close();
  }
  return { people, seed, groundTruthPath, rows, records, durationMs: Date.now() - started };
}
