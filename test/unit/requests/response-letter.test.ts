import { describe, expect, it } from 'vitest';
import { RecordAction, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import { answerDueAt, jurisdictionOf } from '../../../src/requests/deadlines.js';
import { buildResponseSummary, withSourcesNotSearched, type ResponseSummaryInput } from '../../../src/requests/response-summary.js';

// The letter is what the person reads: every line is checked, so a changed verb, a lost
// date or a dropped gap fails here.
const at = (d: string) => new Date(`${d}T10:00:00Z`);
const input: ResponseSummaryInput = {
  requestId: 'req-9',
  requestType: RequestType.ERASURE,
  receivedAt: at('2025-01-02'),
  verifiedAt: at('2025-01-03'),
  dueAt: at('2025-02-01'),
  extendedDueAt: at('2025-03-01'),
  respondedAt: at('2025-03-02'),
  timeZone: 'Europe/London',
  addressee: '  Mr Example  ',
  signature: ' Privacy Office, Example Group ',
  sources: [
    {
      source: { id: 's1', name: 'Recruitment', kind: SourceKind.RECRUITMENT },
      records: [
        { recordId: 'c-1', recordType: 'candidate', action: RecordAction.MINIMISE, state: 'DONE', completedAt: at('2025-02-20') },
        { recordId: 'c-2', action: RecordAction.PURGE, state: 'DONE' },
        { recordId: 'c-3', recordType: 'note', action: RecordAction.ERASE, state: 'FAILED' },
        { recordId: 'c-4', recordType: 'note', action: RecordAction.CORRECT },
      ],
    },
    {
      source: { id: 's2', name: 'Clinic', kind: SourceKind.CLINIC },
      records: [
        { recordId: 'p-1', recordType: 'consultation', action: RecordAction.ANNOTATE, state: 'DONE', completedAt: at('2025-02-21') },
        {
          recordId: 'p-2',
          recordType: 'consultation',
          action: RecordAction.RETAIN,
          basis: 'legal obligation',
          retainUntil: at('2040-01-01'),
          reason: 'Medical record',
        },
      ],
    },
  ],
  gaps: [
    { sourceId: 's3', sourceName: 'CCTV', kind: 'NOT_SEARCHED', reason: 'unreachable' },
    { sourceId: 's4', sourceName: 'Training', kind: 'NOT_VERIFIED', reason: 'timed out' },
  ],
};

describe('the letter to the person (R1, R5, R8)', () => {
  it('R8: names every action per system with its date, basis and retention; R1 names the gaps; R5 apologises for lateness against the extended date', () => {
    const summary = buildResponseSummary(input);
    expect(summary.letter).toBe(
      [
        'Dear Mr Example,',
        '',
        'Reference: req-9',
        '',
        'On 2025-01-02 you asked us for the erasure of your personal data. We confirmed your identity on 2025-01-03.',
        'We extended the time to answer from 2025-02-01 to 2025-03-01, as we told you.',
        'We are sorry that this answer comes after the date we owed it to you (2025-03-01).',
        '',
        'This is what we did, system by system:',
        '',
        'Recruitment:',
        '- candidate c-1: erased, except a minimal record that a recruitment took place on 2025-02-20.',
        '- record c-2: destroyed (past its retention period).',
        '- note c-3: could not yet be erased; we are retrying and will write again.',
        '- note c-4: to be corrected; we will confirm when done.',
        '',
        'Clinic:',
        '- consultation p-1: annotated with your correction (the original medical record stays, as the law requires) on 2025-02-21.',
        '- consultation p-2: kept. Basis: legal obligation. Kept until 2040-01-01. Medical record.',
        '',
        'Where we keep data, it is because of the legal basis named above, until the date given; after it the data is destroyed.',
        'CCTV could not be searched (unreachable); this answer does not cover it.',
        'Training: we could not yet check that the data is gone (timed out); we will check again.',
        '',
        'Some actions are not finished yet; we will write again when they are.',
        'If you are not satisfied with this answer, you may contact our data protection officer or complain to your data protection supervisory authority.',
        '',
        'Yours sincerely,',
        'Privacy Office, Example Group',
        '',
      ].join('\n'),
    );
    expect(summary).toMatchObject({
      complete: false,
      late: true,
      dueAt: at('2025-03-01'),
      totals: { RELEASED: 0, CORRECTED: 1, ERASED: 2, RESTRICTED: 0, RETAINED: 1, NOT_DONE: 2 },
      notSearched: [input.gaps![0]],
      notVerified: [input.gaps![1]],
    });
    expect(summary.sources[0]!.erased.map((i) => i.recordId)).toEqual(['c-1', 'c-2']);
    expect(summary.sources[0]!.notDone.map((i) => [i.recordId, i.state])).toEqual([
      ['c-3', 'FAILED'],
      ['c-4', 'PENDING'],
    ]);
    expect(summary.sources[1]!.corrected[0]).toMatchObject({ recordId: 'p-1', recordType: 'consultation', reason: null, basis: null, retainUntil: null });
  });

  it('R1: an answer on time with everything done and nothing missing is complete and plainly signed', () => {
    const summary = buildResponseSummary({
      requestId: 'req-10',
      requestType: RequestType.RESTRICTION,
      receivedAt: at('2025-01-02'),
      dueAt: at('2025-02-01'),
      respondedAt: at('2025-02-01'),
      timeZone: 'Europe/London',
      sources: [
        { source: { id: 's1', name: 'Concierge', kind: SourceKind.CONCIERGE }, records: [{ recordId: 'k-1', action: RecordAction.RESTRICT, state: 'DONE' }] },
        { source: { id: 's2', name: 'CCTV', kind: SourceKind.CCTV }, records: [] },
      ],
    });
    expect(summary).toMatchObject({ complete: true, late: false, verifiedAt: null, notSearched: [], notVerified: [] });
    expect(summary.letter).toBe(
      [
        'Dear requester,',
        '',
        'Reference: req-10',
        '',
        'On 2025-01-02 you asked us for the restriction of the processing of your personal data.',
        '',
        'This is what we did, system by system:',
        '',
        'Concierge:',
        '- record k-1: restricted: kept but no longer used.',
        '',
        'CCTV:',
        '- We hold no data about you here.',
        '',
        'If you are not satisfied with this answer, you may contact our data protection officer or complain to your data protection supervisory authority.',
        '',
        'Yours sincerely,',
        'The Privacy Office',
        '',
      ].join('\n'),
    );
  });

  it('R3, R4: the letter gives the days of receipt, verification, the date owed and each action as calendar days where the request is handled, not in UTC', () => {
    // New York, late in the evening: already the next day in UTC.
    const receivedAt = new Date('2026-03-10T02:30:00Z'); // 22:30 on 9 March in New York
    const dueAt = answerDueAt(receivedAt, receivedAt, 'US-NY')!; // the end of 8 April there, 03:59 on 9 April UTC
    const late = buildResponseSummary({
      ...input,
      receivedAt,
      verifiedAt: receivedAt,
      dueAt,
      extendedDueAt: null,
      respondedAt: new Date('2026-04-10T12:00:00Z'),
      timeZone: jurisdictionOf('US-NY').timeZone,
      sources: [
        {
          source: { id: 's1', name: 'Recruitment', kind: SourceKind.RECRUITMENT },
          records: [{ recordId: 'c-1', recordType: 'candidate', action: RecordAction.ERASE, state: 'DONE', completedAt: new Date('2026-04-10T01:00:00Z') }],
        },
      ],
      gaps: [],
    });
    expect(late.letter).toContain('On 2026-03-09 you asked us for the erasure of your personal data. We confirmed your identity on 2026-03-09.');
    expect(late.letter).toContain('after the date we owed it to you (2026-04-08)');
    expect(late.letter).toContain('- candidate c-1: erased on 2026-04-09.');
    // London in summer: half past midnight is still the previous day in UTC.
    const london = buildResponseSummary({
      ...input,
      receivedAt: new Date('2026-06-01T23:30:00Z'),
      verifiedAt: null,
      dueAt: null,
      extendedDueAt: null,
      respondedAt: new Date('2026-06-05T10:00:00Z'),
      timeZone: jurisdictionOf('GB').timeZone,
      gaps: [],
    });
    expect(london.letter).toContain('On 2026-06-02 you asked us');
  });

  it('R1: sources not searched are named before the closing lines of an answer built elsewhere', () => {
    const gaps = [{ sourceId: 's3', sourceName: 'CCTV', kind: 'NOT_SEARCHED' as const, reason: 'unreachable' }];
    const base = buildResponseSummary({ ...input, sources: [], gaps: [], requestType: RequestType.ACCESS });
    const amended = withSourcesNotSearched({ letter: base.letter, complete: true }, gaps);
    expect(amended).toMatchObject({ complete: false, notSearched: gaps, notVerified: [] });
    expect(amended.letter).toContain('CCTV could not be searched (unreachable); this answer does not cover it.\n\nIf you are not satisfied with this answer');
    expect(withSourcesNotSearched({ letter: 'no closing' }, gaps).letter).toBe(
      'no closingCCTV could not be searched (unreachable); this answer does not cover it.\n\n',
    );
    const untouched = { letter: base.letter, complete: true };
    expect(withSourcesNotSearched(untouched, [])).toBe(untouched);
  });
});
