// Creates the six reference stores and fills them with the synthetic population, one
// system at a time, streaming rows to COPY; writes the ground-truth file as it goes.
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStore, loadStore, type StoreRow, type SystemDefinition } from '../../connectors/shared/system.js';
import { REFERENCE_SYSTEMS, type ReferenceSystemName } from '../../connectors/reference-systems.js';
import { cardKeyFrom } from '../../connectors/concierge/card-crypto.js';
import { createContext, type GenerationContext } from './context.js';
import { GroundTruthWriter } from './ground-truth.js';
import { personAt, type Person } from './person.js';
import {
  caseManagementRows,
  cameraRows,
  cctvRows,
  clinicRows,
  conciergeRows,
  recruitmentRows,
  SITES,
  trainingRows,
  type GeneratedRow,
} from './systems.js';

export interface SeedOptions {
  /** Database URL holding the stores (one PostgreSQL schema per system). */
  url: string;
  /** Number of people (default 2,000). */
  people?: number;
  /** Same seed, same population (default 42). */
  seed?: number;
  /** Directory for CCTV footage files; omit to write metadata only (benchmarks). */
  footageDir?: string;
  /** Where to write the ground-truth CSV (default: a file in the system temp folder). */
  groundTruthPath?: string;
  /** Schema per system, if not the default names (case_management, clinic, ...). */
  schemas?: Partial<Record<ReferenceSystemName, string>>;
  /** Which systems to seed (default: all six). */
  systems?: ReferenceSystemName[];
  /** What "now" is for record dates (default: today, 00:00 UTC). */
  referenceDate?: Date;
  /** AES-256 key for stored card numbers (default: CONCIERGE_CARD_KEY or a random key). */
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

type Generator = (ctx: GenerationContext, person: Person) => AsyncGenerator<GeneratedRow>;

const GENERATORS: Record<ReferenceSystemName, Generator> = {
  case_management: caseManagementRows,
  clinic: clinicRows,
  training: trainingRows,
  concierge: conciergeRows,
  recruitment: recruitmentRows,
  cctv: cctvRows,
};

export function startOfTodayUtc(): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

async function* systemRows(
  name: ReferenceSystemName,
  ctx: GenerationContext,
  truth: GroundTruthWriter,
  counts: { records: number },
): AsyncGenerator<StoreRow> {
  if (name === 'cctv') yield* cameraRows();
  const generate = GENERATORS[name];
  for (let i = 0; i < ctx.total; i++) {
    for await (const generated of generate(ctx, personAt(ctx.seed, i))) {
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
  const cardKey = options.cardKey ?? cardKeyFrom();
  const groundTruthPath = options.groundTruthPath ?? path.join(os.tmpdir(), `dsr-ground-truth-${seed}-${people}.csv`);
  const names = options.systems ?? (Object.keys(REFERENCE_SYSTEMS) as ReferenceSystemName[]);
  if (options.footageDir) {
    // Only the per-site folders this seeding writes are replaced; nothing else in the directory is touched.
    for (const site of SITES) await rm(path.join(options.footageDir, site), { recursive: true, force: true });
    await mkdir(options.footageDir, { recursive: true });
  }
  const truth = await GroundTruthWriter.open(groundTruthPath);
  const rows: SeedResult['rows'] = {};
  const records: SeedResult['records'] = {};
  try {
    for (const name of names) {
      const def: SystemDefinition = REFERENCE_SYSTEMS[name];
      const schema = options.schemas?.[name] ?? def.name;
      await createStore(def, { url: options.url, schema, reset: true });
      const ctx = createContext({ seed, total: people, referenceDate, cardKey, ...(options.footageDir ? { footageDir: options.footageDir } : {}) });
      const counts = { records: 0 };
      rows[name] = await loadStore(def, { url: options.url, schema }, systemRows(name, ctx, truth, counts));
      records[name] = counts.records;
    }
  } finally {
    await truth.close();
  }
  return { people, seed, groundTruthPath, rows, records, durationMs: Date.now() - started };
}
