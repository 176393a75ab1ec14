// The synthetic population: the same seed gives the same population, and the ground truth
// names exactly the records that were loaded.
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { readGroundTruth } from '../../../src/population/ground-truth.js';
import { REFERENCE_SYSTEMS, REFERENCE_SYSTEM_NAMES } from '../../../connectors/reference-systems.js';
import { createTestDatabase } from '../../support/test-database.js';

const referenceDate = new Date('2026-06-01T00:00:00Z');
const dbs: { url: string; drop: () => Promise<void> }[] = [];
const files: string[] = [];

async function dump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const name of REFERENCE_SYSTEM_NAMES) {
      for (const t of REFERENCE_SYSTEMS[name].load) {
        // The card envelope has a random IV by design; everything else must be identical.
        const cols = t.columns
          .filter((c) => c !== 'card_number_enc')
          .map((c) => `"${c}"`)
          .join(', ');
        const { rows } = await client.query(`SELECT ${cols} FROM "${name}"."${t.table}" ORDER BY id`);
        parts.push(`${name}.${t.table}:${JSON.stringify(rows)}`);
      }
      const { rows } = await client.query(`SELECT key, record_id FROM "${name}".record_key ORDER BY record_id, key`);
      parts.push(`${name}.keys:${JSON.stringify(rows)}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

async function seedInto(seed: number) {
  const db = await createTestDatabase();
  dbs.push(db);
  const truth = path.join(os.tmpdir(), `dsr-truth-${process.pid}-${seed}-${dbs.length}.csv`);
  const footageDir = path.join(os.tmpdir(), `dsr-footage-${process.pid}-${dbs.length}`);
  files.push(truth, footageDir);
  const result = await seedReferenceSources({ url: db.url, people: 150, seed, referenceDate, groundTruthPath: truth, footageDir });
  return { db, result, truth };
}

let a: Awaited<ReturnType<typeof seedInto>>;
let b: Awaited<ReturnType<typeof seedInto>>;
let c: Awaited<ReturnType<typeof seedInto>>;

beforeAll(async () => {
  a = await seedInto(2024);
  b = await seedInto(2024);
  c = await seedInto(7);
}, 120_000);

afterAll(async () => {
  for (const db of dbs) await db.drop();
  for (const f of files) await rm(f, { recursive: true, force: true });
});

describe('synthetic population', () => {
  it('is the same for the same seed (stores and ground truth)', async () => {
    expect(await readFile(a.truth, 'utf8')).toBe(await readFile(b.truth, 'utf8'));
    expect(await dump(a.db.url)).toBe(await dump(b.db.url));
  });

  it('differs for another seed', async () => {
    expect(await readFile(a.truth, 'utf8')).not.toBe(await readFile(c.truth, 'utf8'));
  });

  it('has a ground truth that matches what was loaded, record for record', async () => {
    const truth = new Map<string, string>();
    for await (const e of readGroundTruth(a.truth)) truth.set(`${e.source}/${e.recordId}`, e.personId);
    const client = new pg.Client({ connectionString: a.db.url });
    await client.connect();
    try {
      const loaded: string[] = [];
      for (const name of REFERENCE_SYSTEM_NAMES) {
        const { rows } = await client.query<{ record_id: string }>(`SELECT record_id FROM "${name}".appearance`);
        loaded.push(...rows.map((r) => `${name}/${r.record_id}`));
      }
      expect(loaded.sort()).toEqual([...truth.keys()].sort());
      expect(Object.values(a.result.records).reduce((x, y) => x + y, 0)).toBe(truth.size);
    } finally {
      await client.end();
    }
  });

  it("spreads people over all six systems, with appearances in other people's records", async () => {
    for (const name of REFERENCE_SYSTEM_NAMES) expect(a.result.records[name]).toBeGreaterThan(0);
    const related = new Set<string>();
    for await (const e of readGroundTruth(a.truth)) related.add(e.recordId.split('-')[0]!);
    for (const prefix of ['CPTY', 'EC', 'REF', 'VIS']) expect(related).toContain(prefix);
    const people = new Set<string>();
    for await (const e of readGroundTruth(a.truth)) people.add(e.personId);
    expect(people.size).toBeGreaterThan(60); // most of the 150 appear somewhere
  });
});
