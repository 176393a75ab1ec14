import { describe, expect, it } from 'vitest';
import type { RetentionPolicy, SourceDescription, SourceRecord } from '../../../connectors/contract.js';
import { RecordAction, Relationship, SourceKind } from '../../../src/domain/vocabulary.js';
import {
  KeptReason,
  keptForSharedData,
  planRetentionItem,
  summariseSource,
  type PlannedRetentionItem,
  type RecordHold,
} from '../../../src/retention/retention-plan.js';
import { earliestStartPastRetention, retentionEndOf } from '../../../src/requests/decisions.js';
import { retention } from '../requests/fixtures.js';

const asOf = new Date('2026-06-01T00:00:00Z');

function source(kind: SourceKind, policy: RetentionPolicy, rules?: SourceDescription['rules']): SourceDescription {
  return { kind, name: kind, fields: [], retention: policy, controller: { role: 'CONTROLLER' }, ...(rules ? { rules } : {}) };
}

function record(lastActivityAt: string | undefined, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    recordId: 'REC-1',
    recordType: 'record',
    relationship: Relationship.SUBJECT,
    identifiers: [],
    data: {},
    dates: lastActivityAt ? { lastActivityAt } : {},
    ...over,
  };
}

describe('R9: a retention run plans each record by its source’s policy', () => {
  it('R9: a case past 2 + 1 years is destroyed as its policy says (DELETE → ERASE, ANONYMISE → ANONYMISE)', () => {
    const old = record('2023-05-01T00:00:00Z');
    expect(planRetentionItem(old, source(SourceKind.CASE_MANAGEMENT, { ...retention.case, erasure: 'DELETE' }), asOf)).toMatchObject({
      action: RecordAction.ERASE,
      kept: null,
    });
    expect(planRetentionItem(old, source(SourceKind.CASE_MANAGEMENT, retention.case), asOf)).toMatchObject({ action: RecordAction.ANONYMISE, kept: null });
  });

  it('R9: an unsuccessful candidate is minimised; a hired one is kept as the personnel file', () => {
    const src = source(SourceKind.RECRUITMENT, retention.recruitment);
    expect(planRetentionItem(record('2024-01-01T00:00:00Z', { facts: { hired: false } }), src, asOf).action).toBe(RecordAction.MINIMISE);
    expect(planRetentionItem(record('2024-01-01T00:00:00Z', { facts: { hired: true } }), src, asOf)).toMatchObject({
      action: null,
      kept: KeptReason.PERSONNEL_FILE,
    });
  });

  it('R9: footage past 90 days is purged', () => {
    expect(planRetentionItem(record('2026-02-01T00:00:00Z'), source(SourceKind.CCTV, retention.cctv, { footage: true }), asOf).action).toBe(RecordAction.PURGE);
  });

  it('R8: a medical record inside 3 + 30 years is kept under legal hold, one past it is purged', () => {
    const clinic = source(SourceKind.CLINIC, retention.clinic, { statutoryRetention: { periods: ['P3Y', 'P30Y'] } });
    // Whatever listed it, the gateway's reading of the statutory policy keeps it, and says until when.
    expect(planRetentionItem(record('2000-01-01T00:00:00Z'), clinic, asOf)).toMatchObject({
      action: null,
      kept: KeptReason.LEGAL_HOLD,
      detail: expect.stringContaining('until 2033-01-01'),
    });
    expect(planRetentionItem(record('1990-01-01T00:00:00Z'), clinic, asOf)).toMatchObject({ action: RecordAction.PURGE, kept: null });
  });

  it('R8: a statutory source’s policy with no periods of its own still holds by its statutory rule', () => {
    const clinic = source(
      SourceKind.CLINIC,
      { summary: 'statutory', statutory: true, erasure: 'LEGAL_HOLD' },
      { statutoryRetention: { periods: ['P3Y', 'P30Y'] } },
    );
    expect(planRetentionItem(record('2000-01-01T00:00:00Z'), clinic, asOf).kept).toBe(KeptReason.LEGAL_HOLD);
  });

  it('R16: a person’s appearance inside someone else’s record is erased, not the record', () => {
    const dependant = record('2020-01-01T00:00:00Z', { relationship: Relationship.DEPENDANT, parentRecordId: 'CASE-1' });
    expect(planRetentionItem(dependant, source(SourceKind.CASE_MANAGEMENT, retention.case), asOf).action).toBe(RecordAction.ERASE);
  });

  it('R6: a record under an open request’s hold or a controller’s refusal is left alone, with the request named', () => {
    const src = source(SourceKind.TRAINING, retention.training);
    const old = record('2020-01-01T00:00:00Z');
    expect(planRetentionItem(old, src, asOf, { reason: KeptReason.OPEN_REQUEST, requestId: 'req-1' })).toMatchObject({
      action: null,
      kept: KeptReason.OPEN_REQUEST,
      detail: expect.stringContaining('req-1'),
    });
    expect(planRetentionItem(old, src, asOf, { reason: KeptReason.CONTROLLER_REFUSED, requestId: 'req-2' })).toMatchObject({
      action: null,
      kept: KeptReason.CONTROLLER_REFUSED,
    });
  });

  it('R9: a record without dates is kept for a handler to look at; one not yet past retention is kept', () => {
    const src = source(SourceKind.TRAINING, retention.training);
    expect(planRetentionItem(record(undefined), src, asOf).kept).toBe(KeptReason.UNDATED);
    expect(planRetentionItem(record('2024-01-01T00:00:00Z'), src, asOf).kept).toBe(KeptReason.NOT_EXPIRED);
  });

  it('the preview counts per record type and action, names the oldest start and samples ids of records to destroy only', () => {
    const src = source(SourceKind.TRAINING, retention.training);
    const items = [
      planRetentionItem(record('2021-03-01T00:00:00Z', { recordId: 'A', recordType: 'learner' }), src, asOf),
      planRetentionItem(record('2019-03-01T00:00:00Z', { recordId: 'B', recordType: 'learner' }), src, asOf),
      planRetentionItem(record('2020-03-01T00:00:00Z', { recordId: 'C', recordType: 'certificate' }), src, asOf),
      planRetentionItem(record('2018-01-01T00:00:00Z', { recordId: 'D', recordType: 'learner' }), src, asOf, {
        reason: KeptReason.OPEN_REQUEST,
        requestId: 'r',
      }),
    ];
    expect(summariseSource('training', items)).toEqual({
      sourceId: 'training',
      listable: true,
      error: null,
      toDestroy: [
        { recordType: 'certificate', action: 'ERASE', count: 1 },
        { recordType: 'learner', action: 'ERASE', count: 2 },
      ],
      kept: [{ reason: 'OPEN_REQUEST', count: 1 }],
      oldest: '2019-03-01T00:00:00.000Z',
      sampleRecordIds: ['A', 'B', 'C'],
    });
  });
});

describe('R9: a store narrows its listing with a bound no record past retention can be beyond', () => {
  it('every start whose retention has ended by asOf is at or before the bound (months and leap years read generously)', () => {
    const policies: RetentionPolicy[] = [retention.case, { ...retention.case, activePeriod: 'P6M', archivePeriod: 'P1Y1M' }, retention.cctv];
    for (const policy of policies) {
      const bound = earliestStartPastRetention(asOf, policy)!;
      const late: string[] = [];
      for (let day = 0; day < 2400; day++) {
        const start = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000);
        const end = retentionEndOf({ lastActivityAt: start.toISOString() }, policy)!;
        if (end <= asOf && start > bound) late.push(start.toISOString());
      }
      expect(late).toEqual([]);
    }
    expect(earliestStartPastRetention(asOf, retention.concierge)).toBeNull();
  });
});

describe('R8: a record whose data a held record shares is kept by a run', () => {
  const purge: PlannedRetentionItem = {
    recordId: 'V-1',
    recordType: 'visit',
    start: new Date('2026-01-01T00:00:00Z'),
    action: RecordAction.PURGE,
    kept: null,
    detail: null,
  };
  const incident: RecordHold = { reason: 'OPEN_REQUEST', requestId: 'r-incident' };

  it('kept by the first held record sharing its footage, naming that record and its request', () => {
    const holds = new Map([['V-3', [incident]]]);
    expect(keptForSharedData(purge, ['V-2', 'V-3'], holds)).toEqual({
      ...purge,
      action: null,
      kept: KeptReason.OPEN_REQUEST,
      detail: 'its data (footage) also shows record V-3, which request r-incident holds (R8)',
    });
  });

  it('planned as before when no sharing record is held, or only itself; an item already kept stays as it is', () => {
    expect(keptForSharedData(purge, ['V-2'], new Map([['V-3', [incident]]]))).toEqual(purge);
    expect(keptForSharedData(purge, ['V-1'], new Map([['V-1', [incident]]]))).toEqual(purge);
    const kept: PlannedRetentionItem = { ...purge, action: null, kept: KeptReason.NOT_EXPIRED, detail: 'retention ends later' };
    expect(keptForSharedData(kept, ['V-3'], new Map([['V-3', [incident]]]))).toEqual(kept);
  });
});
