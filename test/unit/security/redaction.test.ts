import { describe, expect, it } from 'vitest';
import { WITHHELD } from '../../../src/auth/redaction.js';
import { EVERY_CONTROLLER, type Principal } from '../../../src/auth/principal.js';
import { Role } from '../../../src/auth/roles.js';
import { presentRecord, redactRecordData, specialGroups } from '../../../src/discovery/record-presentation.js';
import { DataCategory, IdentifierType, Relationship } from '../../../src/domain/vocabulary.js';
import type { EvidenceGroup, MatchExplanation, RecordMatch } from '../../../src/identity/index.js';

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

describe('card numbers in a presented record', () => {
  const comparison = (field: string, group: EvidenceGroup, queryValue: string, recordValue: string) =>
    ({
      field,
      group,
      level: 'exact',
      kind: 'agree',
      queryValue,
      recordValue,
      m: 0.9,
      u: 0.01,
      weight: 6,
      tfAdjustment: 0,
    }) as MatchExplanation['fields'][number];
  const match = {
    sourceId: 'src-cards',
    recordId: 'm-9',
    recordType: 'member',
    relationship: Relationship.SUBJECT,
    band: 'MATCH',
    score: 0.99,
    round: 1,
    matchedAgainst: 'QUERY',
    categories: [],
    explanation: {
      parametersVersion: 'v1',
      priorWeight: -10,
      totalWeight: 12,
      probability: 0.99,
      agreeingIdentifiers: ['REFERENCE', 'PHONE'],
      fields: [comparison('reference', 'REFERENCE', '4111111111111111', '4111.1111.1111.1111'), comparison('phone', 'PHONE', '+447700900123', '+447700900123')],
    },
    record: { recordId: 'm-9', recordType: 'member', relationship: Relationship.SUBJECT, identifiers: [], data: {}, dates: {} },
  } as RecordMatch;

  it('R15: a card number compared as an identifier shows its last four digits only to the handler', () => {
    const handler: Principal = { kind: 'api-key', id: 'h-1', roles: [Role.HANDLER], controllers: EVERY_CONTROLLER };
    const presented = presentRecord(match, null, handler);
    const [card, phone] = presented.explanation;
    expect(card).toMatchObject({ queryValue: '************1111', recordValue: '****.****.****.1111' });
    expect(phone).toMatchObject({ queryValue: '+447700900123', recordValue: '+447700900123' });
  });
});
