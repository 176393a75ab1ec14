import { describe, expect, it } from 'vitest';
import { WITHHELD } from '../../../src/auth/redaction.js';
import { redactRecordData, specialGroups } from '../../../src/discovery/record-presentation.js';
import { DataCategory, IdentifierType } from '../../../src/domain/vocabulary.js';

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

  it('R12: an identifier whose categories are special hides its evidence group, whether or not the source set the flag', () => {
    const field = (name: string, categories: DataCategory[], special: boolean, identifierType: IdentifierType) => ({
      recordType: 'patient',
      field: name,
      categories,
      special,
      correctable: false,
      identifierType,
    });
    const groups = specialGroups([
      field('register_number', [DataCategory.HEALTH], false, IdentifierType.PATIENT_ID),
      field('email', [DataCategory.CONTACT], false, IdentifierType.EMAIL),
    ]);
    expect([...groups]).toEqual(['REFERENCE']);
  });
});
