// A source's size scales its match prior: the same namesake scores lower in a registry ten
// times the size of the set the prior was estimated on than in a small one (and is never
// MATCH), while the person's own records stay MATCH in both and every waterfall still adds up.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters } from '../../../src/identity/matching/parameters.js';
import { priorWeightOf } from '../../../src/identity/matching/prior.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { databaseUrl, withAdminClient } from '../../support/test-database.js';

const FOREIGN_DB = `dsr_test_sizes_${randomBytes(5).toString('hex')}`;
const FILLERS = 23_110; // ten times the records the shipped prior was estimated on

let gw: TestGateway;
let handler: Record<string, string>;
let largeRecords: number;

function registration(id: string, schema: string) {
  return {
    id,
    name: `Registry ${id}`,
    kind: 'OTHER',
    type: 'sql',
    connection: { url: databaseUrl(FOREIGN_DB) },
    controller: { role: 'CONTROLLER' },
    mapping: {
      recordTypes: [
        {
          name: 'person',
          table: `${schema}.people`,
          primaryKey: 'id',
          identifiers: { given_name: 'GIVEN_NAME', family_name: 'FAMILY_NAME', born: 'DATE_OF_BIRTH', email: 'EMAIL' },
          columns: {
            given_name: { categories: ['IDENTITY'] },
            family_name: { categories: ['IDENTITY'] },
            born: { categories: ['IDENTITY'] },
            email: { categories: ['CONTACT'] },
          },
        },
      ],
    },
  };
}

beforeAll(async () => {
  // Name frequencies off: every named record here is a Jack White, so the name tables would
  // (rightly) make the name worth nothing; this test is about the prior alone.
  gw = await startTestGateway({ worker: false, env: { DISCOVERY_NAME_FREQUENCIES: 'off' } });
  handler = await bearer(gw, ['HANDLER']);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${FOREIGN_DB}`));
  const client = new pg.Client({ connectionString: databaseUrl(FOREIGN_DB) });
  await client.connect();
  try {
    for (const schema of ['small', 'large']) {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`CREATE TABLE ${schema}.people (id serial PRIMARY KEY, given_name text, family_name text, born date, email text)`);
      // The person asked about, and a namesake born the same year.
      await client.query(
        `INSERT INTO ${schema}.people (given_name, family_name, born, email) VALUES
           ('Jack', 'White', '1971-04-09', 'jack.white@example.org'), ('Jack', 'White', '1971-11-23', NULL)`,
      );
    }
    // Everyone else in the large registry shares nothing with the query.
    await client.query(`INSERT INTO large.people (email) SELECT 'member' || g || '@example.net' FROM generate_series(1, ${FILLERS}) g`);
    await client.query('ANALYZE small.people, large.people');
    largeRecords = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM large.people')).rows[0]!.n);
  } finally {
    await client.end();
  }
  await gw.runtime.services.sources.register(registration('small-registry', 'small'), 'test');
  await gw.runtime.services.sources.register(registration('large-registry', 'large'), 'test');
}, 180_000);

afterAll(async () => {
  await gw?.stop();
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${FOREIGN_DB} WITH (FORCE)`));
});

interface Answer {
  complete: boolean;
  records: {
    sourceId: string;
    recordId: string;
    band: 'MATCH' | 'REVIEW';
    score: number;
    explanation: { weight: number }[];
    matchWeight: { priorWeight: number; totalWeight: number };
  }[];
}

const SUBJECT = `query Subject($q: SubjectQueryInput!) { subject(query: $q) {
  complete records { sourceId recordId band score explanation { weight } matchWeight { priorWeight totalWeight } } } }`;

describe('the prior of a source follows its size', () => {
  it('a namesake born months apart scores lower in a large registry than in a small one; the person is MATCH in both, with a lower starting bar in the large one', async () => {
    const reply = await gw.graphql<{ subject: Answer }>(
      SUBJECT,
      {
        q: {
          identifiers: [
            { type: 'GIVEN_NAME', value: 'Jack' },
            { type: 'FAMILY_NAME', value: 'White' },
            { type: 'DATE_OF_BIRTH', value: '09/04/1971' },
            { type: 'EMAIL', value: 'Jack.White@example.org' },
          ],
        },
      },
      handler,
    );
    expect(reply.body.errors).toBeUndefined();
    const answer = reply.body.data!.subject;
    expect(answer.complete).toBe(true);
    const found = answer.records.map((r) => `${r.sourceId}/${r.recordId}/${r.band}`).sort();
    // A birth date seven months off is within a year: a namesake stays worth a look (REVIEW),
    // less so where there are ten times the people to share the name.
    expect(found).toEqual([
      'large-registry/person:1/MATCH',
      'large-registry/person:2/REVIEW',
      'small-registry/person:1/MATCH',
      'small-registry/person:2/REVIEW',
    ]);
    const namesake = (source: string) => answer.records.find((r) => r.sourceId === source && r.recordId === 'person:2')!;
    expect(namesake('large-registry').score).toBeLessThan(namesake('small-registry').score);
    // Lower by exactly the prior's difference: the same fields weigh the same in both.
    const gap = namesake('small-registry').matchWeight.totalWeight - namesake('large-registry').matchWeight.totalWeight;
    expect(gap).toBeCloseTo(namesake('small-registry').matchWeight.priorWeight - namesake('large-registry').matchWeight.priorWeight, 6);
    expect(gap).toBeGreaterThan(1);

    const small = answer.records.find((r) => r.sourceId === 'small-registry' && r.recordId === 'person:1')!;
    const large = answer.records.find((r) => r.sourceId === 'large-registry')!;
    // The small registry is scored with the model's λ, the large one with λ × N_ref / N.
    const params = defaultParameters();
    expect(small.matchWeight.priorWeight).toBeCloseTo(priorWeightOf(params.probabilityTwoRandomRecordsMatch), 6);
    expect(small.matchWeight.priorWeight - large.matchWeight.priorWeight).toBeCloseTo(Math.log2(largeRecords / params.priorRecords!), 2);
    expect(large.score).toBeLessThan(small.score);
    // The waterfall of the large registry's record starts lower and still adds up.
    for (const r of [small, large]) {
      const sum = r.matchWeight.priorWeight + r.explanation.reduce((a, f) => a + f.weight, 0);
      expect(r.matchWeight.totalWeight).toBeCloseTo(sum, 6);
    }
  });
});
