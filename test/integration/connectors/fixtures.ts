// Test helpers: a seeded set of reference stores inside an isolated test database, and
// conformance fixtures picked from what was loaded.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Connector, FieldChange } from '../../../connectors/contract.js';
import type { ConformanceFixture } from '../../../connectors/conformance/index.js';
import { blockingKeysOf } from '../../../src/identity/blocking.js';
import { seedReferenceSources, type SeedResult } from '../../../src/population/seed.js';
import { createTestDatabase } from '../../support/test-database.js';
import { qualified } from '../../../connectors/shared/sql.js';

export interface SeededStores {
  url: string;
  footageDir: string;
  seed: SeedResult;
  drop(): Promise<void>;
}

export async function seededStores(people = 80, seed = 11): Promise<SeededStores> {
  const db = await createTestDatabase();
  const footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-footage-'));
  const groundTruthPath = path.join(footageDir, '..', `${path.basename(footageDir)}-truth.csv`);
  const result = await seedReferenceSources({ url: db.url, people, seed, footageDir, groundTruthPath, referenceDate: new Date('2026-06-01T00:00:00Z') });
  return {
    url: db.url,
    footageDir,
    seed: result,
    async drop() {
      await db.drop();
      await rm(footageDir, { recursive: true, force: true });
      await rm(groundTruthPath, { force: true });
    },
  };
}

export async function recordIds(url: string, schema: string, prefix: string, limit = 10): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ record_id: string }>(
      `SELECT record_id FROM ${qualified(schema, 'appearance')} WHERE record_id LIKE $1 ORDER BY record_id LIMIT $2`,
      [`${prefix}%`, limit],
    );
    return rows.map((r) => r.record_id);
  } finally {
    await client.end();
  }
}

/** Gives two records of a reference store's table one family name no one else holds; returns it. */
export async function seedFamilyNameTwice(url: string, schema: string, table: string, recordIds: [string, string], name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`UPDATE ${qualified(schema, table)} SET family_name = $1 WHERE id = ANY($2::text[])`, [name, recordIds]);
    return name;
  } finally {
    await client.end();
  }
}

/** Picks known / erasable / correctable / restrictable records of one record type. */
export async function fixtureFrom(
  connector: Connector,
  ids: string[],
  sourceId: string,
  change: FieldChange,
  extra: Partial<ConformanceFixture> & { unknownRecordId: string },
): Promise<ConformanceFixture> {
  if (ids.length < 4) throw new Error(`need 4 records of ${sourceId}, found ${ids.length}`);
  const [known, erasable, correctable, restrictable] = ids as [string, string, string, string];
  const [record] = await connector.export([{ sourceId, recordId: known }]);
  if (!record) throw new Error(`known record ${known} not exported`);
  return {
    connector,
    known: {
      query: {
        identifiers: record.identifiers,
        blockingKeys: blockingKeysOf(record.identifiers, extra.phoneCountry ? { defaultCountry: extra.phoneCountry } : {}),
      },
      recordId: known,
    },
    erasable: { sourceId, recordId: erasable },
    correctable: { ref: { sourceId, recordId: correctable }, changes: [change] },
    restrictable: { sourceId, recordId: restrictable },
    ...extra,
  };
}
