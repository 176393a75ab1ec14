import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { CORRUPTION_KINDS, messyCsv, messyRecords } from '../../../src/identity/evaluation/messy-generator.js';
import type { LabelledRecord } from '../../../src/identity/evaluation/labelled-records.js';
import { loadLabelledRecords, parseMapping } from '../../../src/identity/evaluation/labelled-records.js';

const GIVEN = ['noah', 'isabelle', 'harley', 'madeline', 'toby', 'stella', 'jacob', 'ruby'];
const FAMILY = ['watson', 'mason', 'mccarthy', 'green', 'webb', 'chandler', 'bowerman', 'reid'];
const CITIES = ['bolton', 'cleveland', 'marsden', 'towradgi', 'nowra', 'dapto'];

function clean(n: number): LabelledRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    entity: `e${Math.floor(i / 2)}`,
    identifiers: [
      { type: T.GIVEN_NAME, value: GIVEN[i % GIVEN.length]! },
      { type: T.FAMILY_NAME, value: FAMILY[(i * 3) % FAMILY.length]! },
      { type: T.DATE_OF_BIRTH, value: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}` },
      { type: T.CITY, value: CITIES[i % CITIES.length]! },
      { type: T.EMAIL, value: `${GIVEN[i % GIVEN.length]}${i % 97}@example.com` },
    ],
  }));
}

const valueOf = (r: LabelledRecord, t: T) => r.identifiers.find((x) => x.type === t)?.value;

describe('messy tuning generator', () => {
  const records = clean(4000);

  it('is deterministic: same seed same output, whatever the order of the records', () => {
    const a = messyRecords(records, { seed: 3 });
    const b = messyRecords([...records].reverse(), { seed: 3 }).reverse();
    expect(b).toEqual(a);
    expect(messyRecords(records, { seed: 4 })).not.toEqual(a);
  });

  it('applies each kind at its configured rate', () => {
    const rates = { swap: 0.2, email: 0.1, dob: 0.05, city: 0.15, blank: 0.1, several: 0.1 };
    const out = messyRecords(records, { seed: 11, rates });
    for (const kind of CORRUPTION_KINDS) {
      const share = out.filter((r) => r.corruption === kind).length / out.length;
      expect(Math.abs(share - rates[kind])).toBeLessThan(0.025);
    }
    const cleanShare = out.filter((r) => r.corruption === 'clean').length / out.length;
    expect(Math.abs(cleanShare - 0.3)).toBeLessThan(0.03);
    expect(() => messyRecords(records, { seed: 1, rates: { swap: 0.9, email: 0.3 } })).toThrow(RangeError);
  });

  it('corrupts what each kind names and leaves clean records alone', () => {
    const out = messyRecords(records, { seed: 5, rates: { swap: 0.2, email: 0.2, dob: 0.2, city: 0.2, blank: 0.2, several: 0 } });
    const before = new Map(records.map((r) => [r.id, r]));
    for (const r of out) {
      const o = before.get(r.id)!;
      const changed = [T.GIVEN_NAME, T.FAMILY_NAME, T.DATE_OF_BIRTH, T.CITY, T.EMAIL].filter((t) => valueOf(r, t) !== valueOf(o, t));
      if (r.corruption === 'swap') {
        expect(changed).toEqual(expect.arrayContaining([T.GIVEN_NAME, T.FAMILY_NAME]));
        expect(changed.length).toBe(2);
      } else if (r.corruption === 'email') expect(changed).toEqual([T.EMAIL]);
      else if (r.corruption === 'dob') expect(changed).toEqual([T.DATE_OF_BIRTH]);
      else if (r.corruption === 'city') expect(changed).toEqual([T.CITY]);
      else if (r.corruption === 'blank') {
        expect(changed).toHaveLength(1);
        expect(valueOf(r, changed[0]!)).toBeUndefined();
      } else expect(changed).toEqual([]);
    }
    // Dates shifted stay within a few months, or have day and month transposed.
    for (const r of out.filter((x) => x.corruption === 'dob')) {
      const a = Date.parse(valueOf(before.get(r.id)!, T.DATE_OF_BIRTH)!);
      const b = Date.parse(valueOf(r, T.DATE_OF_BIRTH)!);
      expect(Math.abs(a - b) / 86_400_000).toBeLessThanOrEqual(366);
    }
  });

  it('writes a CSV the evaluation reads back, with the kind of each record', () => {
    const out = messyRecords(records.slice(0, 50), { seed: 2, deriveEmail: true });
    const back = loadLabelledRecords(messyCsv(out), {
      idColumn: 'record_id',
      clusterColumn: 'entity_id',
      tagColumn: 'corruption',
      mappings: ['given_name=GIVEN_NAME', 'family_name=FAMILY_NAME', 'date_of_birth=DATE_OF_BIRTH', 'city=CITY', 'email=EMAIL'].map(parseMapping),
    });
    expect(back.map((r) => [r.id, r.entity, r.tag])).toEqual(out.map((r) => [r.id, r.entity, r.corruption]));
    // Derived addresses are one per entity before corruption: clean pairs share it.
    const cleanPairs = out.filter((r) => r.corruption === 'clean');
    for (const r of cleanPairs) for (const s of cleanPairs) if (r.entity === s.entity) expect(valueOf(r, T.EMAIL)).toBe(valueOf(s, T.EMAIL));
  });
});
