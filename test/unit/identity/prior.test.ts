import { describe, expect, it } from 'vitest';
import type { Identifier, SourceRecord } from '../../../connectors/contract.js';
import { IdentifierType as T, MatchBand, Relationship } from '../../../src/domain/vocabulary.js';
import { MemorySource } from '../../../src/identity/evaluation/memory-source.js';
import { createMatchModel, scorePair } from '../../../src/identity/matching/model.js';
import { defaultParameters } from '../../../src/identity/matching/parameters.js';
import { priorWeightOf, sourcePrior } from '../../../src/identity/matching/prior.js';
import { profileOfRaw } from '../../../src/identity/matching/profile.js';
import { resolveSubject } from '../../../src/identity/resolver.js';

const ids = (...pairs: [T, string][]): Identifier[] => pairs.map(([type, value]) => ({ type, value }));

describe('a source prior scaled to its size', () => {
  const lambda = 0.001;

  it('is λ × N_ref / N_s for a source larger than the reference set', () => {
    expect(sourcePrior(lambda, 2_000, 20_000)).toBeCloseTo(0.0001, 12);
    expect(sourcePrior(lambda, 2_000, 2_000_000)).toBeCloseTo(0.000001, 15);
  });

  it('keeps λ for a source at most the reference size: being small is no evidence of a match', () => {
    expect(sourcePrior(lambda, 2_000, 2_000)).toBe(lambda);
    expect(sourcePrior(lambda, 2_000, 15)).toBe(lambda);
  });

  it('keeps λ when the size or the reference size is unknown or unusable', () => {
    expect(sourcePrior(lambda, 2_000, undefined)).toBe(lambda);
    expect(sourcePrior(lambda, undefined, 1_000_000)).toBe(lambda);
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(sourcePrior(lambda, 2_000, bad)).toBe(lambda);
      expect(sourcePrior(lambda, bad, 1_000_000)).toBe(lambda);
    }
  });

  it('ten times the records lowers the starting bar by about log2(10) bits', () => {
    const small = priorWeightOf(sourcePrior(lambda, 2_000, 20_000));
    const large = priorWeightOf(sourcePrior(lambda, 2_000, 200_000));
    expect(small - large).toBeCloseTo(Math.log2(10), 3);
  });

  it('the shipped parameters name the reference size λ was estimated at (half of febrl3)', () => {
    const params = defaultParameters();
    expect(params.priorRecords).toBe(2311);
    expect(params.trainedOn).toContain(`${params.priorRecords} records`);
  });
});

describe('scoring with a source prior', () => {
  const model = createMatchModel();
  const q = profileOfRaw(ids([T.GIVEN_NAME, 'Joan'], [T.FAMILY_NAME, 'Kerrigan'], [T.DATE_OF_BIRTH, '1971-04-09']));
  const r = profileOfRaw(ids([T.GIVEN_NAME, 'Joan'], [T.FAMILY_NAME, 'Kerrigan'], [T.DATE_OF_BIRTH, '1971-04-09']));

  it('moves only the starting bar; the waterfall still adds up', () => {
    const lambda = model.parameters.probabilityTwoRandomRecordsMatch;
    const plain = scorePair(model, q, r);
    const scaled = scorePair(model, q, r, lambda / 100);
    expect(plain.explanation.priorWeight).toBeCloseTo(priorWeightOf(lambda), 12);
    expect(scaled.explanation.priorWeight).toBeCloseTo(priorWeightOf(lambda / 100), 12);
    expect(scaled.explanation.fields.map((f) => f.weight)).toEqual(plain.explanation.fields.map((f) => f.weight));
    const sum = scaled.explanation.priorWeight + scaled.explanation.fields.reduce((a, f) => a + f.weight, 0);
    expect(scaled.explanation.totalWeight).toBeCloseTo(sum, 10);
    expect(scaled.probability).toBeLessThan(plain.probability);
  });
});

describe('resolving across sources of different sizes', () => {
  // The same namesake (a common name, the same birth year, another day) in a small and a huge source.
  const namesake = (): SourceRecord => ({
    recordId: 'N1',
    recordType: 'record',
    relationship: Relationship.SUBJECT,
    identifiers: ids([T.GIVEN_NAME, 'Jack'], [T.FAMILY_NAME, 'White'], [T.DATE_OF_BIRTH, '1971-11-23']),
    data: {},
    dates: {},
  });
  const small = new MemorySource('small');
  small.add(namesake());
  const huge = new MemorySource('huge');
  huge.add(namesake());
  const query = ids([T.GIVEN_NAME, 'Jack'], [T.FAMILY_NAME, 'White'], [T.DATE_OF_BIRTH, '1971-04-09']);
  const lookup = (sourceId: string, queries: Parameters<MemorySource['discover']>[0]) => (sourceId === 'small' ? small : huge).discover(queries);
  // Term frequencies as a deployment's own tables would give them: both names common.
  const options = {
    model: createMatchModel({ termFrequencies: { givenName: { total: 1000, counts: { jack: 15 } }, familyName: { total: 1000, counts: { white: 10 } } } }),
  };

  it('a namesake worth a look among a thousand records is not among a million', async () => {
    const r = await resolveSubject({
      identifiers: query,
      sources: [
        { id: 'small', records: 1_000 },
        { id: 'huge', records: 1_000_000 },
      ],
      lookup,
      options,
    });
    expect(r.records.map((m) => [m.sourceId, m.band])).toEqual([['small', MatchBand.REVIEW]]);
  });

  it('a source without a count is scored with the model prior', async () => {
    const r = await resolveSubject({ identifiers: query, sources: [{ id: 'small' }, { id: 'huge' }], lookup, options });
    expect(r.records.map((m) => m.sourceId).sort()).toEqual(['huge', 'small']);
    const [a, b] = r.records;
    expect(a!.explanation.priorWeight).toBe(b!.explanation.priorWeight);
    expect(a!.score).toBe(b!.score);
  });
});
