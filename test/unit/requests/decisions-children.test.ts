import { describe, expect, it } from 'vitest';
import { Relationship, RecordAction, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import type { SourceRules } from '../../../connectors/contract.js';
import { decideRecord, type DecisionInput, type DecisionOptions, type RecordFacts } from '../../../src/requests/decisions.js';
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
    const online: RecordFacts[] = [
      { age: 15, collectedOnline: true },
      { age: 15, channel: 'ONLINE' },
    ];
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

// A source of kind OTHER that describes its online record types and where a date of birth comes from.
function described(
  rules: SourceRules,
  over: Partial<DecisionInput['record']> = {},
  options: DecisionOptions = {},
  requestType = RequestType.RESTRICTION,
): DecisionInput {
  return {
    requestType,
    retention: retention.training,
    now,
    options,
    record: { sourceKind: SourceKind.OTHER, sourceRules: rules, recordType: 'account', relationship: Relationship.SUBJECT, dates: {}, ...over },
  };
}
const childDob = '2014-05-01'; // 11 on `now`
const adultDob = '1990-05-01';

describe('R16: where the date of birth and the online services come from', () => {
  it('R16: a source that takes the date of birth from the request uses the verified one and says so; none verified, nothing happens', () => {
    const rules: SourceRules = { onlineService: true, dateOfBirth: 'REQUEST' };
    const d = decideRecord(described(rules, { facts: { dateOfBirth: adultDob } }, { verifiedDateOfBirth: childDob }));
    expect(d).toMatchObject({ action: RecordAction.ERASE, rules: ['R16'] });
    expect(d.reason).toContain('under 18');
    expect(d.reason).toContain('verified with their identity');
    expect(decideRecord(described(rules, { facts: { dateOfBirth: childDob } })).action).toBe(RecordAction.RESTRICT);
    expect(decideRecord(described(rules, {}, { verifiedDateOfBirth: adultDob })).action).toBe(RecordAction.RESTRICT);
  });

  it('R16: a source naming its date-of-birth fact is read from that fact only, and the reason says the record', () => {
    const rules: SourceRules = { onlineService: true, dateOfBirth: { fact: 'born' } };
    const d = decideRecord(described(rules, { facts: { born: childDob } }, { verifiedDateOfBirth: adultDob }));
    expect(d.action).toBe(RecordAction.ERASE);
    expect(d.reason).toContain('in the record');
    expect(decideRecord(described(rules, { facts: { dateOfBirth: childDob, age: 11 } }, { verifiedDateOfBirth: childDob })).action).toBe(RecordAction.RESTRICT);
  });

  it('R16: without a rule, the record’s date of birth comes first and the verified one fills in', () => {
    const rules: SourceRules = { onlineService: true };
    expect(decideRecord(described(rules, { facts: { dateOfBirth: adultDob } }, { verifiedDateOfBirth: childDob })).action).toBe(RecordAction.RESTRICT);
    expect(decideRecord(described(rules, {}, { verifiedDateOfBirth: childDob })).action).toBe(RecordAction.ERASE);
  });

  it('R16: only the record types a source names as online services are', () => {
    const rules: SourceRules = { onlineService: true, onlineRecordTypes: ['account'] };
    expect(decideRecord(described(rules, {}, { verifiedDateOfBirth: childDob })).action).toBe(RecordAction.ERASE);
    expect(decideRecord(described(rules, { recordType: 'paper_form' }, { verifiedDateOfBirth: childDob })).action).toBe(RecordAction.RESTRICT);
  });

  it('R16: the age limit is the one given (13 in a jurisdiction that sets it) and the reason names where it was set', () => {
    const thirteen = { verifiedDateOfBirth: '2011-05-01', childAge: 13, childAgeSetBy: 'US' }; // 14 on `now`
    expect(decideRecord(described({ onlineService: true }, {}, thirteen)).action).toBe(RecordAction.RESTRICT);
    const d = decideRecord(described({ onlineService: true }, {}, { ...thirteen, verifiedDateOfBirth: '2013-01-01' }, RequestType.OBJECTION));
    expect(d.action).toBe(RecordAction.ERASE);
    expect(d.reason).toContain('under 13 (the age set for US)');
    expect(decideRecord(described({ onlineService: true }, {}, { verifiedDateOfBirth: '2011-05-01' })).action).toBe(RecordAction.ERASE);
  });
});
