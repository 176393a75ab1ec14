import { describe, expect, it } from 'vitest';
import { RecordAction } from '../../../src/domain/vocabulary.js';
import { CONTROLLER_CHANGED_TO_PERSON } from '../../../src/execution/controller-change.js';
import {
  CHANGING,
  heldForAnotherController,
  withheldAudit,
  foundByPresence,
  NO_LONGER_THE_PERSONS,
  noLongerThePersons,
  notFoundAgain,
  withholding,
} from '../../../src/requests/services/person-recheck.js';
import type { RecordDecisionEntity } from '../../../src/requests/store/record-decision.entity.js';
import type { RequestRecordEntity } from '../../../src/requests/store/request-record.entity.js';

// Which released records the search just before the copy no longer finds (R13, R16).
const record = (sourceId: string, recordId: string, over: Partial<RequestRecordEntity> = {}) =>
  ({ sourceId, recordId, score: 9.2, explanation: [{ field: 'email', level: 'exact' }], ...over }) as RequestRecordEntity;
const decision = (sourceId: string, recordId: string, action: RecordAction, over: Partial<RecordDecisionEntity> = {}) =>
  ({ id: `${sourceId}/${recordId}`, sourceId, recordId, action, reason: 'as the rules say', followUpAction: null, ...over }) as RecordDecisionEntity;
const key = (sourceId: string, recordId: string) => `${sourceId}\u0000${recordId}`;

describe('the search again before an access copy', () => {
  const records = [record('cases', 'C-1'), record('cases', 'C-2'), record('cctv', 'V-1', { score: 0, explanation: [] }), record('clinic', 'P-1')];
  const decisions = [
    decision('cases', 'C-1', RecordAction.RELEASE),
    decision('cases', 'C-2', RecordAction.RETAIN),
    decision('cctv', 'V-1', RecordAction.RELEASE),
    decision('clinic', 'P-1', RecordAction.RELEASE),
  ];

  it('R16: a released record of a searched source not found again is stale; one found, one not released, or one of a source not searched is not', () => {
    const stale = notFoundAgain(records, decisions, new Set(['cases', 'cctv']), new Set([key('clinic', 'P-1')]));
    expect(stale.map((r) => r.recordId)).toEqual(['C-1']);
    expect(notFoundAgain(records, decisions, new Set(['cases']), new Set([key('cases', 'C-1')]))).toEqual([]);
  });

  it('R16: a record found by site and time alone (score 0, nothing compared) is not looked up by identifiers', () => {
    expect(foundByPresence(records[2]!)).toBe(true);
    expect(foundByPresence(records[0]!)).toBe(false);
  });

  it('R16: a stale record is withheld with the reason and loses its follow-up erasure; the others stay as decided', () => {
    const child = [...decisions, decision('training', 'L-1', RecordAction.RELEASE, { followUpAction: RecordAction.ERASE })];
    const out = withholding(child, { notFound: [record('training', 'L-1')], controllerChanged: [] });
    expect(out.find((d) => d.recordId === 'L-1')).toMatchObject({ action: RecordAction.RETAIN, reason: NO_LONGER_THE_PERSONS, followUpAction: null });
    expect(out.filter((d) => d.recordId !== 'L-1')).toEqual(decisions);
  });
});

describe('the search again before an erasure, restriction or correction is queued', () => {
  const records = [record('cases', 'C-1'), record('cases', 'C-2'), record('cases', 'C-3'), record('cctv', 'V-1', { score: 0, explanation: [] })];
  const decisions = [
    decision('cases', 'C-1', RecordAction.ERASE),
    decision('cases', 'C-2', RecordAction.RELEASE),
    decision('cases', 'C-3', RecordAction.RETAIN, { followUpAction: RecordAction.RESTRICT }),
    decision('cctv', 'V-1', RecordAction.ERASE),
  ];

  it('R13: every record a task would change (an erasure, a restriction that follows a hold) is guarded; a copy alone or footage found by site and time is not', () => {
    const stale = notFoundAgain(records, decisions, new Set(['cases', 'cctv']), new Set(), CHANGING);
    expect(stale.map((r) => r.recordId)).toEqual(['C-1', 'C-3']);
  });

  it('R13: the person reads what was not done and why, for each action', () => {
    const out = withholding(
      [decision('cases', 'C-1', RecordAction.ERASE), decision('cases', 'C-2', RecordAction.CORRECT), decision('cases', 'C-3', RecordAction.RESTRICT)],
      { notFound: [record('cases', 'C-1'), record('cases', 'C-2'), record('cases', 'C-3')], controllerChanged: [] },
    );
    expect(out.map((d) => [d.action, d.reason.split(':')[0]])).toEqual([
      [RecordAction.RETAIN, 'Not erased'],
      [RecordAction.RETAIN, 'Not corrected'],
      [RecordAction.RETAIN, 'Not restricted'],
    ]);
    expect(noLongerThePersons(RecordAction.RELEASE)).toBe(NO_LONGER_THE_PERSONS);
  });
});

describe('R6: the search again compares each record’s controller with the one stored at verification', () => {
  const records = [
    record('cases', 'C-1', { controllerId: 'employer-a' }),
    record('cases', 'C-2', { controllerId: null }),
    record('cases', 'C-3', { controllerId: 'employer-a' }),
    record('cases', 'C-4', { controllerId: 'employer-a' }),
    record('cases', 'C-5', { controllerId: null }),
  ];
  const decisions = [
    decision('cases', 'C-1', RecordAction.ERASE),
    decision('cases', 'C-2', RecordAction.ANONYMISE),
    decision('cases', 'C-3', RecordAction.ERASE),
    decision('cases', 'C-4', RecordAction.RELEASE),
    decision('cases', 'C-5', RecordAction.ERASE),
  ];
  const now = new Map<string, string | null>([
    [key('cases', 'C-1'), 'employer-a-successor'],
    [key('cases', 'C-2'), 'employer-b'],
    [key('cases', 'C-3'), 'employer-a'],
    [key('cases', 'C-4'), 'employer-b'],
    [key('cases', 'C-5'), null],
  ]);

  it('R6: a record handed to another controller, or from the group to an employer, is held for another controller; one unchanged, or not acted on, is not', () => {
    expect(heldForAnotherController(records, decisions, now, CHANGING).map((r) => r.recordId)).toEqual(['C-1', 'C-2']);
  });

  it('R6: an employer’s record now the group’s own is held for another controller too (decided under the employer’s instruction)', () => {
    const back = new Map([[key('cases', 'C-3'), null]]);
    expect(heldForAnotherController(records, decisions, back, CHANGING).map((r) => r.recordId)).toEqual(['C-3']);
  });

  it('R6: a record not found again is not compared (it is withheld as no longer found)', () => {
    expect(heldForAnotherController(records, decisions, new Map(), CHANGING)).toEqual([]);
  });

  it('R6: the person reads that another controller now holds the record and gave no instruction; the audit counts each reason apart', () => {
    const recheck = { notFound: [records[4]!], controllerChanged: [records[0]!] };
    const out = withholding(decisions, recheck);
    expect(out.find((d) => d.recordId === 'C-1')).toMatchObject({ action: RecordAction.RETAIN, reason: `Not erased: ${CONTROLLER_CHANGED_TO_PERSON}` });
    expect(out.find((d) => d.recordId === 'C-5')).toMatchObject({ action: RecordAction.RETAIN, reason: expect.stringMatching(/^Not erased: .*no longer/) });
    expect(withheldAudit(recheck)).toEqual({ withheldNoLongerFound: 1, withheldControllerChanged: 1 });
    expect(withheldAudit({ notFound: [], controllerChanged: [] })).toEqual({});
  });
});
