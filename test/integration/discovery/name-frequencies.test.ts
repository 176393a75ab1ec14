// Discovery weighs an exact name by how many records of the registered sources hold it,
// from the counts the gateway reads through each connector of a store it reads itself (five
// of the six reference systems; not the training platform, reached over the remote
// protocol, whose counts are its word): a name many records hold counts for less
// than its level's average, a rare one for as much or more; switched off, every exact name
// weighs the average.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personAt } from '../../../src/population/person.js';
import { bearer } from '../../support/runtime.js';
import { startReferenceGateway, SUBJECT_FIELDS, type ReferenceGateway, type SubjectAnswer } from './reference-gateway.js';

const SEED = 5;
const PEOPLE = 600; // enough family names (about 1,600) that a name held twice is rarer than the average
/** The systems whose names the gateway counts: the training platform is a remote source. */
const SYSTEMS = ['case_management', 'clinic', 'concierge', 'recruitment', 'cctv'];
const SUBJECT = `query Subject($q: SubjectQueryInput!) { subject(query: $q) { ${SUBJECT_FIELDS} } }`;

type Explained = SubjectAnswer['records'][number]['explanation'][number] & { m: number | null; u: number | null; tfAdjustment: number };

/** Records per family name (trimmed, lower case) per system, over every family-name column. */
async function familyNameCounts(url: string): Promise<Map<string, Map<string, number>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; table: string }>(
      `SELECT c.table_schema AS schema, c.table_name AS table FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.column_name = 'family_name' AND c.table_schema = ANY($1::text[])`,
      [SYSTEMS],
    );
    const parts = tables.map(
      (t) => `SELECT '${t.schema}' AS system, lower(btrim(family_name)) AS name FROM "${t.schema}"."${t.table}" WHERE family_name IS NOT NULL`,
    );
    const { rows } = await client.query<{ system: string; name: string; n: number }>(
      `SELECT system, name, count(*)::int AS n FROM (${parts.join(' UNION ALL ')}) x GROUP BY system, name`,
    );
    const counts = new Map<string, Map<string, number>>();
    for (const r of rows) counts.set(r.name, (counts.get(r.name) ?? new Map<string, number>()).set(r.system, r.n));
    return counts;
  } finally {
    await client.end();
  }
}

function identifiersOf(index: number) {
  const p = personAt(SEED, index);
  return [
    { type: 'GIVEN_NAME', value: p.givenName },
    { type: 'FAMILY_NAME', value: p.familyName },
    { type: 'DATE_OF_BIRTH', value: p.dateOfBirth },
    { type: 'EMAIL', value: p.email },
  ];
}

/**
 * The person whose family name the most records hold; one whose name two records of one
 * system hold and no other record (in the tables); one whose name one record in each of two
 * systems holds (held once per source: no source counts it).
 */
function pickPeople(counts: Map<string, Map<string, number>>): { common: number; rare: number; oncePerSource: number } {
  const people = Array.from({ length: PEOPLE }, (_, i) => personAt(SEED, i));
  const bySystem = (i: number) => [...(counts.get(people[i]!.familyName.trim().toLowerCase())?.values() ?? [])];
  const held = (i: number) => bySystem(i).reduce((a, n) => a + n, 0);
  const order = people.map((_, i) => i).sort((a, b) => held(b) - held(a));
  const rare = order.find((i) => held(i) === 2 && bySystem(i).length === 1);
  const oncePerSource = order.find((i) => held(i) === 2 && bySystem(i).length === 2);
  if (rare === undefined || oncePerSource === undefined) throw new Error('the population holds no rare family name of each kind');
  return { common: order[0]!, rare, oncePerSource };
}

async function familyNameWeights(ref: ReferenceGateway, headers: Record<string, string>, index: number): Promise<Explained[]> {
  const reply = await ref.gw.graphql<{ subject: SubjectAnswer }>(SUBJECT, { q: { identifiers: identifiersOf(index) } }, headers);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!.subject.records.flatMap((r) => r.explanation as Explained[]).filter((f) => f.field === 'familyName' && f.level === 'exact');
}

describe('name frequencies from the sources (on, the default)', () => {
  let ref: ReferenceGateway;
  let handler: Record<string, string>;
  let people: ReturnType<typeof pickPeople>;
  let counts: Map<string, Map<string, number>>;

  beforeAll(async () => {
    ref = await startReferenceGateway({ people: PEOPLE, seed: SEED });
    handler = await bearer(ref.gw, ['HANDLER']);
    counts = await familyNameCounts(ref.gw.databaseUrl);
    people = pickPeople(counts);
  }, 300_000);

  afterAll(async () => {
    await ref?.stop();
  });

  it('a family name many records hold weighs less than its level average once the gateway has read the sources; one two records of a source hold weighs more; one no source holds twice weighs the average', async () => {
    const common = personAt(SEED, people.common).familyName;
    const commonHeld = [...counts.get(common.trim().toLowerCase())!.values()].reduce((a, n) => a + n, 0);
    expect(commonHeld).toBeGreaterThan(10);
    // The first discovery waits at most a second for the sources' counts; later ones use them.
    let weights: Explained[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      weights = await familyNameWeights(ref, handler, people.common);
      if (weights.some((f) => f.tfAdjustment !== 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(weights.length).toBeGreaterThan(0);
    for (const f of weights) expect(f.tfAdjustment, `${common}: held by ${commonHeld} records`).toBeLessThan(0);
    // The waterfall still adds up: the adjustment is part of the field's weight.
    for (const f of weights) expect(f.weight).toBeCloseTo(Math.log2(f.m! / f.u!) + f.tfAdjustment, 6);

    const rare = await familyNameWeights(ref, handler, people.rare);
    expect(rare.length).toBeGreaterThan(0);
    for (const f of rare) expect(f.tfAdjustment).toBeGreaterThan(0);

    // Held once in each of two sources: no source lists it (a name held once points at a
    // person), and a name no table holds weighs its level average, never as the rarest.
    const unlisted = await familyNameWeights(ref, handler, people.oncePerSource);
    expect(unlisted.length).toBeGreaterThan(0);
    for (const f of unlisted) expect(f.tfAdjustment).toBe(0);
  });
});

describe('name frequencies switched off (DISCOVERY_NAME_FREQUENCIES=off)', () => {
  let ref: ReferenceGateway;
  let handler: Record<string, string>;
  let people: ReturnType<typeof pickPeople>;

  beforeAll(async () => {
    ref = await startReferenceGateway({ people: PEOPLE, seed: SEED, env: { DISCOVERY_NAME_FREQUENCIES: 'off' } });
    handler = await bearer(ref.gw, ['HANDLER']);
    people = pickPeople(await familyNameCounts(ref.gw.databaseUrl));
  }, 300_000);

  afterAll(async () => {
    await ref?.stop();
  });

  it('every exact family name weighs its level average, the common one as the rare one, however long the gateway has run', async () => {
    for (const index of [people.common, people.rare, people.common]) {
      const weights = await familyNameWeights(ref, handler, index);
      expect(weights.length).toBeGreaterThan(0);
      for (const f of weights) expect(f.tfAdjustment).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the first read's wait
    }
  });
});
