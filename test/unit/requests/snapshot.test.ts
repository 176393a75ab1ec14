import { describe, expect, it } from 'vitest';
import type { SourceDescription, SourceRecord } from '../../../connectors/contract.js';
import {
  ControllerDecision,
  DataCategory,
  MatchBand,
  RecordAction,
  Relationship,
  RequestType,
  ReviewState,
  SourceKind,
} from '../../../src/domain/vocabulary.js';
import type { RecordMatch } from '../../../src/identity/index.js';
import { decideRecord, type RecordDecision } from '../../../src/requests/decisions.js';
import { decide, decisionOf, decisionRecordOf, decisionRow, isActedOn, recordKey, snapshotRow } from '../../../src/requests/snapshot.js';
import type { RecordDecisionEntity } from '../../../src/requests/store/record-decision.entity.js';
import type { RequestRecordEntity } from '../../../src/requests/store/request-record.entity.js';
import { retention } from './fixtures.js';

// The discovery snapshot saved at verification: what decisions and reviews need, never the
// values compared; and the decisions computed from it, stored and read back for overrides.
const now = new Date('2025-06-01T12:00:00Z');

const sourceRecord: SourceRecord = {
  recordId: 'r-1',
  recordType: 'case',
  relationship: Relationship.SUBJECT,
  identifiers: [],
  data: { employer: 'Acme' },
  dates: { createdAt: '2021-01-01T00:00:00Z', lastActivityAt: '2021-02-01T00:00:00Z' },
  controllerId: 'ctrl-record',
  facts: { hired: false },
};

function match(over: Partial<RecordMatch> = {}): RecordMatch {
  return {
    sourceId: 'src-1',
    recordId: 'r-1',
    recordType: 'case',
    relationship: Relationship.SUBJECT,
    band: MatchBand.MATCH,
    score: 0.97,
    round: 1,
    matchedAgainst: 'QUERY',
    categories: [DataCategory.CONTACT],
    record: sourceRecord,
    explanation: {
      parametersVersion: 'v2',
      priorWeight: -10,
      totalWeight: 12,
      probability: 0.97,
      agreeingIdentifiers: ['NAME', 'EMAIL'],
      fields: [
        {
          field: 'email',
          group: 'EMAIL',
          level: 'exact',
          kind: 'agree',
          queryValue: 'ann@example.org',
          recordValue: 'ann@example.org',
          m: 0.9,
          u: 0.001,
          weight: 9.8,
          tfAdjustment: 0,
        },
      ],
    },
    ...over,
  };
}

function row(over: Partial<RequestRecordEntity> = {}): RequestRecordEntity {
  return {
    id: 'row-1',
    requestId: 'req-1',
    sourceId: 'src-1',
    recordId: 'r-1',
    recordType: 'enrolment',
    relationship: Relationship.SUBJECT,
    parentRecordId: null,
    band: MatchBand.MATCH,
    score: 0.97,
    reviewState: ReviewState.AUTO,
    controllerId: null,
    categories: [],
    dates: { createdAt: '2024-01-10T00:00:00Z', lastActivityAt: '2024-03-01T00:00:00Z' },
    facts: {},
    explanation: [],
    ...over,
  } as RequestRecordEntity;
}

const description = (over: Partial<SourceDescription> = {}): SourceDescription => ({
  kind: SourceKind.TRAINING,
  name: 'Training',
  fields: [],
  retention: retention.training,
  controller: {} as SourceDescription['controller'],
  ...over,
});

describe('the discovery snapshot', () => {
  it('keeps levels and weights of the comparison, never the values compared', () => {
    const saved = snapshotRow('req-1', match());
    expect(saved.explanation).toEqual([{ field: 'email', group: 'EMAIL', level: 'exact', kind: 'agree', weight: 9.8, tfAdjustment: 0, m: 0.9, u: 0.001 }]);
    expect(JSON.stringify(saved)).not.toContain('ann@example.org');
    expect(JSON.stringify(saved)).not.toContain('Acme');
  });

  it('keeps what decisions and reviews need: type, relationship, band, dates, facts, controller, categories', () => {
    expect(snapshotRow('req-1', match({ parentRecordId: 'p-1', controllerId: 'ctrl-match', dates: { lastActivityAt: '2022-01-01T00:00:00Z' } }))).toMatchObject(
      {
        requestId: 'req-1',
        sourceId: 'src-1',
        recordId: 'r-1',
        recordType: 'case',
        relationship: Relationship.SUBJECT,
        parentRecordId: 'p-1',
        band: MatchBand.MATCH,
        score: 0.97,
        controllerId: 'ctrl-match',
        categories: [DataCategory.CONTACT],
        dates: { lastActivityAt: '2022-01-01T00:00:00Z' },
        facts: { hired: false },
      },
    );
    // Without its own, the match takes the record's controller and dates; no parent is null.
    const plain = snapshotRow('req-1', match());
    expect(plain).toMatchObject({ parentRecordId: null, controllerId: 'ctrl-record', dates: sourceRecord.dates });
    const bare = snapshotRow(
      'req-1',
      match({ record: { ...sourceRecord, controllerId: undefined, dates: undefined as unknown as SourceRecord['dates'], facts: undefined } }),
    );
    expect(bare).toMatchObject({ controllerId: null, dates: {}, facts: {} });
  });

  it('a MATCH record is acted on at once; a REVIEW record waits for a handler', () => {
    expect(snapshotRow('req-1', match()).reviewState).toBe(ReviewState.AUTO);
    expect(snapshotRow('req-1', match({ band: MatchBand.REVIEW })).reviewState).toBe(ReviewState.PENDING);
    expect(isActedOn({ reviewState: ReviewState.AUTO })).toBe(true);
    expect(isActedOn({ reviewState: ReviewState.CONFIRMED })).toBe(true);
    expect(isActedOn({ reviewState: ReviewState.PENDING })).toBe(false);
    expect(isActedOn({ reviewState: ReviewState.REJECTED })).toBe(false);
  });

  it('copies what it keeps: a later change of the match does not reach the saved row', () => {
    const m = match({ dates: { lastActivityAt: '2022-01-01T00:00:00Z' } });
    const saved = snapshotRow('req-1', m);
    m.categories.push(DataCategory.HEALTH);
    m.dates!.lastActivityAt = '2030-01-01T00:00:00Z';
    expect(saved.categories).toEqual([DataCategory.CONTACT]);
    expect(saved.dates).toEqual({ lastActivityAt: '2022-01-01T00:00:00Z' });
  });

  it('one key per record: its source and its id there', () => {
    expect(recordKey({ sourceId: 'a', recordId: 'b' })).toBe(recordKey({ sourceId: 'a', recordId: 'b' }));
    expect(recordKey({ sourceId: 'a', recordId: 'bc' })).not.toBe(recordKey({ sourceId: 'ab', recordId: 'c' }));
    expect(recordKey({ sourceId: 'a', recordId: 'b' })).toBe('a\u0000b');
  });
});

describe('decisions from the snapshot', () => {
  it('a source that cannot describe its retention is left to a handler', () => {
    const expected = {
      action: RecordAction.RETAIN,
      basis: 'the source could not describe its retention policy',
      needsReview: true,
      reason: 'Kept until a handler decides: the source did not say how long it keeps data',
      rules: [],
    };
    expect(decide(RequestType.ERASURE, row(), { kind: SourceKind.TRAINING, description: null }, null, now)).toEqual(expected);
    const noRetention = description({ retention: undefined as unknown as SourceDescription['retention'] });
    expect(decide(RequestType.ERASURE, row(), { kind: SourceKind.TRAINING, description: noRetention }, null, now)).toEqual(expected);
  });

  it('decides with the source’s retention, kind and rules', () => {
    expect(decide(RequestType.ERASURE, row(), { kind: SourceKind.TRAINING, description: description() }, null, now).action).toBe(RecordAction.ERASE);
    expect(decide(RequestType.ACCESS, row(), { kind: SourceKind.TRAINING, description: description() }, null, now).action).toBe(RecordAction.RELEASE);
    // Rules the source describes count (R8: statutory retention whatever the policy states).
    const held = description({ rules: { statutoryRetention: { periods: ['P30Y'] } } });
    expect(decide(RequestType.ERASURE, row(), { kind: SourceKind.TRAINING, description: held }, null, now).action).not.toBe(RecordAction.ERASE);
  });

  it("passes the record's controller and the controller's instruction (R6)", () => {
    const source = { kind: SourceKind.TRAINING, description: description() };
    const waiting = decide(RequestType.ERASURE, row({ controllerId: 'ctrl-1' }), source, null, now);
    expect(waiting.needsController).toBe(true);
    const refused = decide(RequestType.ERASURE, row({ controllerId: 'ctrl-1' }), source, ControllerDecision.REFUSE, now);
    expect(refused.action).toBe(RecordAction.RETAIN);
    expect(refused.needsController).toBeFalsy();
  });

  it('the snapshot record as the rules read it', () => {
    const r = row({ recordType: 'case', relationship: Relationship.VISITOR, controllerId: 'ctrl-1', facts: { hired: false } });
    expect(decisionRecordOf(r, SourceKind.CASE_MANAGEMENT)).toEqual({
      sourceKind: SourceKind.CASE_MANAGEMENT,
      recordType: 'case',
      relationship: Relationship.VISITOR,
      dates: r.dates,
      controllerId: 'ctrl-1',
      facts: { hired: false },
    });
    expect(decisionRecordOf(r, SourceKind.CASE_MANAGEMENT, { onlineService: true })).toMatchObject({ sourceRules: { onlineService: true } });
    expect(decide(RequestType.ACCESS, r, { kind: SourceKind.CASE_MANAGEMENT, description: description({ retention: retention.case }) }, null, now)).toEqual(
      decideRecord({
        requestType: RequestType.ACCESS,
        record: decisionRecordOf(r, SourceKind.CASE_MANAGEMENT),
        retention: retention.case,
        controllerInstruction: null,
        now,
      }),
    );
  });
});

describe('stored decisions', () => {
  const full: RecordDecision = {
    action: RecordAction.RETAIN,
    basis: 'statutory retention of medical records',
    retainUntil: new Date('2050-01-01T00:00:00Z'),
    needsController: true,
    proposedAction: RecordAction.ERASE,
    followUpAction: RecordAction.RESTRICT,
    needsReview: true,
    reason: 'Kept by law',
    rules: ['R8'],
  };

  it('a decision is stored with its record, its computed action and no override', () => {
    expect(decisionRow('req-1', row(), full, ['employer'])).toEqual({
      requestId: 'req-1',
      sourceId: 'src-1',
      recordId: 'r-1',
      action: RecordAction.RETAIN,
      computedAction: RecordAction.RETAIN,
      basis: 'statutory retention of medical records',
      retainUntil: full.retainUntil,
      reason: 'Kept by law',
      needsController: true,
      proposedAction: RecordAction.ERASE,
      followUpAction: RecordAction.RESTRICT,
      returnToController: null,
      needsReview: true,
      rules: ['R8'],
      correctionFields: ['employer'],
      overrideReason: null,
      overriddenBy: null,
    });
    expect(decisionRow('req-1', row(), { action: RecordAction.ERASE, reason: 'Erased', rules: ['R9'] })).toMatchObject({
      basis: null,
      retainUntil: null,
      needsController: false,
      proposedAction: null,
      followUpAction: null,
      returnToController: null,
      needsReview: false,
      correctionFields: null,
    });
  });

  it('a stored row reads back as the decision it was, overridden when it carries an override reason', () => {
    const stored = { ...decisionRow('req-1', row(), full), id: 'd-1', updatedAt: now } as RecordDecisionEntity;
    expect(decisionOf(stored)).toEqual(full);
    const bare = {
      ...decisionRow('req-1', row(), { action: RecordAction.ERASE, reason: 'Erased', rules: ['R9'] }),
      id: 'd-2',
      updatedAt: now,
    } as RecordDecisionEntity;
    expect(decisionOf(bare)).toEqual({ action: RecordAction.ERASE, reason: 'Erased', rules: ['R9'] });
    expect(decisionOf({ ...bare, overrideReason: 'handler saw the contract' })).toEqual({
      action: RecordAction.ERASE,
      reason: 'Erased',
      rules: ['R9'],
      overridden: true,
    });
  });
});
