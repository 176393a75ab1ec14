import { describe, expect, it } from 'vitest';
import { Relationship, RecordAction, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import { decideRecord, type DecisionInput, type RecordFacts } from '../../../src/requests/decisions.js';
import { retention } from './fixtures.js';

const now = new Date('2025-06-01T12:00:00Z');
// A case-management record: not an online service by kind, only by how it was collected.
function caseRecord(facts: RecordFacts, requestType = RequestType.RESTRICTION): DecisionInput {
  return {
    requestType,
    retention: retention.case,
    now,
    record: {
      sourceKind: SourceKind.CASE_MANAGEMENT,
      recordType: 'case',
      relationship: Relationship.SUBJECT,
      dates: { createdAt: '2024-01-10T00:00:00Z', lastActivityAt: '2024-03-01T00:00:00Z' },
      facts,
    },
  };
}

describe('children in online services (R16)', () => {
  it('R16: a child’s record collected online is erased at once, whatever the source kind and whatever was asked', () => {
    const online: RecordFacts[] = [{ age: 15, collectedOnline: true }, { age: 15, channel: 'ONLINE' }];
    for (const facts of online) {
      expect(decideRecord(caseRecord(facts))).toMatchObject({ action: RecordAction.ERASE, rules: ['R16'] });
    }
  });

  it('R16: collected offline, or by an adult, the request is decided as asked', () => {
    expect(decideRecord(caseRecord({ age: 15, channel: 'PHONE', collectedOnline: false })).action).toBe(RecordAction.RESTRICT);
    expect(decideRecord(caseRecord({ age: 18, collectedOnline: true })).action).toBe(RecordAction.RESTRICT);
    expect(decideRecord(caseRecord({ age: Number.NaN, collectedOnline: true })).action).toBe(RecordAction.RESTRICT);
  });

  it('R16: the age comes from the date of birth when no age is given', () => {
    expect(decideRecord(caseRecord({ dateOfBirth: '2012-01-01', collectedOnline: true })).action).toBe(RecordAction.ERASE);
    expect(decideRecord(caseRecord({ birthDate: '1990-01-01', collectedOnline: true })).action).toBe(RecordAction.RESTRICT);
  });

  it('R16: a child asking for access gets a copy, then the record is erased', () => {
    expect(decideRecord(caseRecord({ age: 12, collectedOnline: true }, RequestType.ACCESS))).toMatchObject({
      action: RecordAction.RELEASE,
      followUpAction: RecordAction.ERASE,
      rules: ['R1', 'R16'],
    });
  });
});
