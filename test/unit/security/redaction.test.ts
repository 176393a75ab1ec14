import { describe, expect, it } from 'vitest';
import { WITHHELD } from '../../../src/auth/redaction.js';
import { redactRecordData } from '../../../src/discovery/record-presentation.js';
import { DataCategory } from '../../../src/domain/vocabulary.js';

const categories: Record<string, DataCategory[]> = {
  name: [DataCategory.IDENTITY],
  diagnosis: [DataCategory.HEALTH],
  religion: [DataCategory.RELIGION, DataCategory.CASE_NOTES],
  notes: [DataCategory.CASE_NOTES],
};
const categoriesOf = (field: string) => categories[field] ?? [];
const record = { name: 'Jan', diagnosis: 'asthma', religion: 'x', notes: 'called back', extra: 1, visits: [{ notes: 'ok', diagnosis: 'flu' }] };

describe('special categories in a presented record', () => {
  it('R12: special-category values are replaced by the withheld marker, in nested rows too, and named', () => {
    const { data, withheld } = redactRecordData(record, categoriesOf);
    expect(data).toEqual({
      name: 'Jan',
      diagnosis: WITHHELD,
      religion: WITHHELD,
      notes: 'called back',
      extra: 1,
      visits: [{ notes: 'ok', diagnosis: WITHHELD }],
    });
    expect(withheld).toEqual(['diagnosis', 'religion', 'visits.diagnosis']);
    expect(JSON.stringify(data)).not.toMatch(/asthma|flu/);
  });

  it('R12: a record without special categories is left as it is', () => {
    const { data, withheld } = redactRecordData({ name: 'Jan', notes: 'called back' }, categoriesOf);
    expect(data).toEqual({ name: 'Jan', notes: 'called back' });
    expect(withheld).toEqual([]);
  });
});
