import { describe, expect, it } from 'vitest';
import { RecordAction, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import { buildResponseSummary, type ResponseSummaryInput, type SummaryRecordInput } from '../../../src/requests/response-summary.js';

const done = new Date('2025-02-01T10:00:00Z');
const input: ResponseSummaryInput = {
  requestId: 'req-7',
  requestType: RequestType.ERASURE,
  receivedAt: new Date('2025-01-02T09:00:00Z'),
  verifiedAt: new Date('2025-01-10T09:00:00Z'),
  dueAt: new Date('2025-02-09T23:59:59.999Z'),
  respondedAt: new Date('2025-02-03T10:00:00Z'),
  timeZone: 'Europe/London',
  addressee: 'Ms Example',
  sources: [
    {
      source: { id: 's1', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT },
      records: [
        { recordId: 'case-1', recordType: 'case', action: RecordAction.ANONYMISE, state: 'DONE', completedAt: done },
        { recordId: 'case-2', recordType: 'case', action: RecordAction.RESTRICT, basis: 'objection', state: 'DONE', completedAt: done },
      ],
    },
    {
      source: { id: 's2', name: 'Clinic', kind: SourceKind.CLINIC },
      records: [
        {
          recordId: 'pat-9',
          recordType: 'consultation',
          action: RecordAction.RETAIN,
          basis: 'legal obligation to keep original medical records',
          retainUntil: new Date('2053-06-15T00:00:00Z'),
          reason: 'Kept under legal hold until 2053-06-15',
        },
      ],
    },
    { source: { id: 's3', name: 'CCTV', kind: SourceKind.CCTV }, records: [] },
  ],
};

describe('response summary', () => {
  it('R8: says per source what was erased, restricted or retained, why and with dates', () => {
    const s = buildResponseSummary(input);
    expect(s.complete).toBe(true);
    expect(s.late).toBe(false);
    expect(s.totals).toEqual({ RELEASED: 0, CORRECTED: 0, ERASED: 1, RESTRICTED: 1, RETAINED: 1, NOT_HELD: 0, NOT_DONE: 0 });
    expect(s.sources[0]!.erased[0]).toMatchObject({ recordId: 'case-1', action: RecordAction.ANONYMISE, completedAt: done });
    expect(s.sources[1]!.retained[0]).toMatchObject({
      basis: 'legal obligation to keep original medical records',
      retainUntil: new Date('2053-06-15T00:00:00Z'),
    });
    expect(s.letter).toContain('Dear Ms Example,');
    expect(s.letter).toContain('On 2025-01-02 you asked us for the erasure of your personal data. We confirmed your identity on 2025-01-10.');
    expect(s.letter).toContain('- case case-1: anonymised on 2025-02-01.');
    expect(s.letter).toContain('Basis: legal obligation to keep original medical records. Kept until 2053-06-15.');
    expect(s.letter).toMatch(/CCTV:\n- We hold no data about you here\./);
  });

  it('R14: a correction done on a record the source no longer held (NOT_FOUND) is told as not held, never as corrected', () => {
    const s = buildResponseSummary({
      ...input,
      requestType: RequestType.RECTIFICATION,
      sources: [
        {
          source: { id: 's1', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT },
          records: [
            { recordId: 'case-1', recordType: 'case', action: RecordAction.CORRECT, state: 'DONE', outcome: 'NOT_FOUND', completedAt: done },
            { recordId: 'case-2', recordType: 'case', action: RecordAction.CORRECT, state: 'DONE', outcome: 'APPLIED', completedAt: done },
          ],
        },
      ],
    });
    expect(s.complete).toBe(true);
    expect(s.totals).toMatchObject({ CORRECTED: 1, NOT_HELD: 1, NOT_DONE: 0 });
    expect(s.sources[0]!.notHeld.map((i) => i.recordId)).toEqual(['case-1']);
    expect(s.letter).toContain('- case case-1: no longer held by us, so there was nothing in it to correct; it was not changed.');
    expect(s.letter).not.toContain('- case case-1: corrected');
    expect(s.letter).toContain('- case case-2: corrected on 2025-02-01.');
  });

  it('an unfinished or failed action makes the answer partial and the letter says so', () => {
    const s = buildResponseSummary({
      ...input,
      sources: [
        {
          source: { id: 's1', name: 'Training', kind: SourceKind.TRAINING },
          records: [
            { recordId: 't-1', action: RecordAction.ERASE, state: 'FAILED' },
            { recordId: 't-2', action: RecordAction.ERASE },
          ],
        },
      ],
    });
    expect(s.complete).toBe(false);
    expect(s.totals.NOT_DONE).toBe(2);
    expect(s.sources[0]!.notDone.map((i) => i.state)).toEqual(['FAILED', 'PENDING']);
    expect(s.letter).toContain('could not yet be erased');
    expect(s.letter).toContain('we will write again');
  });

  it('R14: a correction applied but never read back (attempts run out) is told as corrected and not checked, and keeps the answer partial', () => {
    const s = buildResponseSummary({
      ...input,
      requestType: RequestType.RECTIFICATION,
      sources: [
        {
          source: { id: 's1', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT },
          records: [
            { recordId: 'case-1', recordType: 'case', action: RecordAction.CORRECT, state: 'FAILED', outcome: 'APPLIED', applied: true, unverified: true },
            { recordId: 'case-2', recordType: 'case', action: RecordAction.CORRECT, state: 'FAILED' },
          ],
        },
      ],
    });
    expect(s.complete).toBe(false);
    expect(s.totals).toMatchObject({ CORRECTED: 0, NOT_DONE: 2 });
    expect(s.sources[0]!.notDone.map((i) => [i.recordId, i.changedUnchecked])).toEqual([
      ['case-1', true],
      ['case-2', false],
    ]);
    expect(s.letter).toContain('- case case-1: corrected, but we could not check the change by reading the record back.');
    expect(s.letter).toContain('- case case-2: could not yet be corrected; we are retrying');
    expect(s.letter).not.toContain('case-1: could not yet');
  });

  it('R6: an erasure failed for good because the record moved to another controller is told as not erased, with why, not as retried', () => {
    const because = 'the system now holds this record for another controller, which gave us no instruction about it';
    const s = buildResponseSummary({
      ...input,
      sources: [
        {
          source: { id: 's1', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT },
          records: [{ recordId: 'case-3', recordType: 'case', action: RecordAction.ERASE, state: 'FAILED', notDoneBecause: because }],
        },
      ],
    });
    expect(s.complete).toBe(false);
    expect(s.sources[0]!.notDone).toEqual([expect.objectContaining({ recordId: 'case-3', reason: because, notDoneBecause: because })]);
    expect(s.letter).toContain(`- case case-3: not erased: ${because}.`);
    expect(s.letter).not.toContain('case-3: could not yet');
  });

  it('R8: when every action not done failed for good, the letter gives the reasons and promises no further letter; one still retried keeps the promise', () => {
    const kept = 'the law requires us to keep this record, so it stays as it is until its retention period ends';
    const answer = (records: SummaryRecordInput[]) =>
      buildResponseSummary({ ...input, sources: [{ source: { id: 's1', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT }, records }] });
    const final: SummaryRecordInput = { recordId: 'case-4', recordType: 'case', action: RecordAction.ERASE, state: 'FAILED', notDoneBecause: kept };
    const s = answer([final]);
    expect(s.complete).toBe(false);
    expect(s.letter).toContain(`- case case-4: not erased: ${kept}.`);
    expect(s.letter).toContain('Some actions could not be carried out, for the reasons given above.');
    expect(s.letter).not.toMatch(/retrying|write again/);
    const mixed = answer([final, { recordId: 'case-5', recordType: 'case', action: RecordAction.ERASE, state: 'FAILED' }]);
    expect(mixed.letter).toContain('- case case-5: could not yet be erased; we are retrying and will write again.');
    expect(mixed.letter).toContain('Some actions are not finished yet; we will write again when they are.');
  });

  it('R5: an answer after the binding due date is marked late; an extension moves that date', () => {
    const late = buildResponseSummary({ ...input, respondedAt: new Date('2025-02-10T10:00:00Z') });
    expect(late.late).toBe(true);
    expect(late.letter).toContain('after the date we owed it to you (2025-02-09)');
    const extended = buildResponseSummary({ ...input, respondedAt: new Date('2025-02-10T10:00:00Z'), extendedDueAt: new Date('2025-04-09T22:59:59.999Z') });
    expect(extended.late).toBe(false);
  });

  it('R5: an extended answer tells the person it was extended, until when and why, in the jurisdiction’s days', () => {
    const extended = buildResponseSummary({
      ...input,
      respondedAt: new Date('2025-03-01T10:00:00Z'),
      extendedDueAt: new Date('2025-04-09T22:59:59.999Z'),
      extensionReason: 'many systems to search',
    });
    expect(extended.extension).toEqual({ extendedDueAt: new Date('2025-04-09T22:59:59.999Z'), reason: 'many systems to search' });
    expect(extended.letter).toContain('We extended the time to answer from 2025-02-09 to 2025-04-09, as we told you, because: many systems to search.');
    const plain = buildResponseSummary(input);
    expect(plain.extension).toBeNull();
    expect(plain.letter).not.toContain('extended');
  });

  it('R1: an access answer lists what was copied', () => {
    const s = buildResponseSummary({
      ...input,
      requestType: RequestType.ACCESS,
      sources: [
        {
          source: { id: 's', name: 'Concierge', kind: SourceKind.CONCIERGE },
          records: [{ recordId: 'm-1', recordType: 'member', action: RecordAction.RELEASE }],
        },
      ],
    });
    expect(s.sources[0]!.released).toHaveLength(1);
    expect(s.letter).toContain('a copy of your personal data');
    expect(s.letter).toContain('- member m-1: copied to you.');
  });
});
