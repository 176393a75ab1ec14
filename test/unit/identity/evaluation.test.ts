import { describe, expect, it } from 'vitest';
import { IdentifierType as T, MatchBand } from '../../../src/domain/vocabulary.js';
import { parseCsv } from '../../../src/identity/evaluation/csv.js';
import { loadLabelledRecords, parseMapping } from '../../../src/identity/evaluation/labelled-records.js';
import { evaluate, percentile } from '../../../src/identity/evaluation/metrics.js';

describe('pairwise metrics', () => {
  // Entities: a = {a1, a2, a3}, b = {b1, b2}, c = {c1}. Ordered true pairs: 3*2 + 2*1 = 8.
  const entityOf = new Map([
    ['a1', 'a'],
    ['a2', 'a'],
    ['a3', 'a'],
    ['b1', 'b'],
    ['b2', 'b'],
    ['c1', 'c'],
  ]);
  const M = MatchBand.MATCH;
  const R = MatchBand.REVIEW;

  it('counts (query, returned) pairs, excluding the query record itself', () => {
    const figures = evaluate(entityOf, [
      {
        queryId: 'a1',
        returned: [
          { recordId: 'a1', band: M },
          { recordId: 'a2', band: M },
          { recordId: 'a3', band: R },
        ],
        ms: 1,
      },
      {
        queryId: 'a2',
        returned: [
          { recordId: 'a1', band: M },
          { recordId: 'a3', band: M },
        ],
        ms: 2,
      },
      {
        queryId: 'a3',
        returned: [
          { recordId: 'a1', band: M },
          { recordId: 'b1', band: M },
        ],
        ms: 3,
      },
      { queryId: 'b1', returned: [{ recordId: 'b2', band: M }], ms: 4 },
      { queryId: 'b2', returned: [{ recordId: 'c1', band: R }], ms: 5 },
      { queryId: 'c1', returned: [], ms: 100 },
    ]);
    // MATCH pairs: a1-a2, a2-a1, a2-a3, a3-a1, a3-b1 (wrong), b1-b2 => 6 predicted, 5 true.
    expect(figures.matchPairs).toBe(6);
    expect(figures.truePositives).toBe(5);
    expect(figures.truePairs).toBe(8);
    expect(figures.precision).toBeCloseTo(5 / 6, 12);
    expect(figures.recall).toBeCloseTo(5 / 8, 12);
    expect(figures.f1).toBeCloseTo((2 * (5 / 6) * (5 / 8)) / (5 / 6 + 5 / 8), 12);
    // MATCH+REVIEW adds a1-a3 (true) and b2-c1 (false): 6 of 8.
    expect(figures.reviewRecall).toBeCloseTo(6 / 8, 12);
    expect(figures.queries).toBe(6);
    expect(figures.p50ms).toBe(3);
    expect(figures.p95ms).toBe(100);
    // B-cubed at MATCH: each query's cluster is itself plus its MATCH records.
    expect(figures.bcubedPrecision).toBeCloseTo((1 + 1 + 2 / 3 + 1 + 1 + 1) / 6, 12);
    expect(figures.bcubedRecall).toBeCloseTo((2 / 3 + 1 + 2 / 3 + 1 + 1 / 2 + 1) / 6, 12);
    // Every true record back: a1, a2, b1, c1 at MATCH+REVIEW; a2, b1, c1 at MATCH.
    expect(figures.completeQueries).toBeCloseTo(4 / 6, 12);
    expect(figures.completeQueriesMatch).toBeCloseTo(3 / 6, 12);
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('labelled CSV loading', () => {
  const csv = [
    'rec_id, given_name, surname, street_number, address_1, date_of_birth',
    'rec-1-org, mitchell, green, 7, wallaby place, 19560409',
    'rec-1-dup-0, mitchell, , , "wallaby, place", 1956-04-09',
    'rec-22-org, "harley ""h""", mccarthy, 177, pridham street, ',
  ].join('\r\n');

  it('joins mapped columns, reads entities by regex and treats blank cells as missing', () => {
    const records = loadLabelledRecords(csv, {
      idColumn: 'rec_id',
      entityRegex: /rec-(\d+)/,
      mappings: [
        parseMapping('given_name=GIVEN_NAME'),
        parseMapping('surname=FAMILY_NAME'),
        parseMapping('street_number+address_1=STREET_ADDRESS'),
        parseMapping('date_of_birth=DATE_OF_BIRTH'),
      ],
    });
    expect(records.map((r) => [r.id, r.entity])).toEqual([
      ['rec-1-org', '1'],
      ['rec-1-dup-0', '1'],
      ['rec-22-org', '22'],
    ]);
    expect(records[1]!.identifiers).toEqual([
      { type: T.GIVEN_NAME, value: 'mitchell' },
      { type: T.STREET_ADDRESS, value: 'wallaby, place' },
      { type: T.DATE_OF_BIRTH, value: '1956-04-09' },
    ]);
    expect(records[0]!.identifiers).toContainEqual({ type: T.STREET_ADDRESS, value: '7 wallaby place' });
    expect(records[2]!.identifiers[0]).toEqual({ type: T.GIVEN_NAME, value: 'harley "h"' });
    expect(records[2]!.identifiers.some((i) => i.type === T.DATE_OF_BIRTH)).toBe(false);
  });

  it('reads the entity from a cluster column and refuses unknown columns or types', () => {
    const text = 'id,cluster,email\n1,x,a@b.co\n2,x,\n';
    const records = loadLabelledRecords(text, { idColumn: 'id', clusterColumn: 'cluster', mappings: [parseMapping('email=EMAIL')] });
    expect(records.map((r) => r.entity)).toEqual(['x', 'x']);
    expect(records[1]!.identifiers).toEqual([]);
    expect(() => loadLabelledRecords(text, { idColumn: 'id', clusterColumn: 'cluster', mappings: [parseMapping('phone=PHONE')] })).toThrow(/phone/);
    expect(() => parseMapping('email=SHOE_SIZE')).toThrow(/SHOE_SIZE/);
  });

  it('parses quoted fields with commas, doubled quotes and newlines', () => {
    expect(parseCsv('a,"b,c","d ""e""\nf"\n1,2,3')).toEqual([
      ['a', 'b,c', 'd "e"\nf'],
      ['1', '2', '3'],
    ]);
  });
});

describe('evaluation run over an in-memory source', () => {
  it('resolves each record with its own identifiers and scores the pairs', async () => {
    const { runEvaluation } = await import('../../../src/identity/evaluation/eval-resolution.js');
    const { MemorySource } = await import('../../../src/identity/evaluation/memory-source.js');
    const { Relationship } = await import('../../../src/domain/vocabulary.js');
    const csv = [
      'id,given,family,dob,postcode',
      'rec-1-org,isabelle,mason,19811128,4881',
      'rec-1-dup-0,isabele,mason,19811128,4881',
      'rec-2-org,harley,mccarthy,19080419,3165',
      'rec-2-dup-0,harley,mccarthy,19080419,3156',
      'rec-3-org,harley,mccarthy,19790101,2000',
      'rec-4-org,joan,smith,19620713,',
    ].join('\n');
    const records = loadLabelledRecords(csv, {
      idColumn: 'id',
      entityRegex: /rec-(\d+)/,
      mappings: ['given=GIVEN_NAME', 'family=FAMILY_NAME', 'dob=DATE_OF_BIRTH', 'postcode=POSTCODE'].map(parseMapping),
    });
    const source = new MemorySource('m');
    for (const r of records)
      source.add({ recordId: r.id, recordType: 'r', relationship: Relationship.SUBJECT, identifiers: r.identifiers, data: {}, dates: {} });
    const figures = await runEvaluation({ records, lookup: (_s, q) => source.discover(q), sourceIds: ['m'], resolveOptions: {} });
    expect(figures).toMatchObject({ queries: 6, truePairs: 4, precision: 1, recall: 1, reviewRecall: 1 });
    expect(figures.p95ms).toBeGreaterThan(0);
  });
});
