import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestStatus } from '../../../src/domain/vocabulary.js';
import { acknowledgeBy, answerDueAt, classifyDeadlines, computeDeadlines, extendDeadline, isDueSoon, isOverdue } from '../../../src/requests/deadlines.js';
import { civilDateIn, isWorkingDay, resolveJurisdiction } from '../../../src/requests/calendar.js';
import { ruleCodeOf } from '../../support/error-codes.js';

const d = (iso: string) => new Date(iso);

describe('R3 acknowledgement deadline', () => {
  it('R3: 5 working days skip a weekend and the Easter public holidays (GB)', () => {
    // Thu 17 Apr 2025; Fri 18 (Good Friday), Sat, Sun, Mon 21 (Easter Monday) are not working days:
    // Tue 22, Wed 23, Thu 24, Fri 25, Mon 28 → end of Mon 28 April, London time (BST, UTC+1).
    expect(acknowledgeBy(d('2025-04-17T09:00:00Z'), 'GB')).toEqual(d('2025-04-28T22:59:59.999Z'));
  });

  it("R3: the jurisdiction's own holidays count (France works on Good Friday)", () => {
    // Fri 18 (1), Mon 21 Easter Monday, Tue 22 (2), Wed 23 (3), Thu 24 (4), Fri 25 (5); Paris is UTC+2.
    expect(acknowledgeBy(d('2025-04-17T09:00:00Z'), 'FR')).toEqual(d('2025-04-25T21:59:59.999Z'));
  });

  it('R3: a state calendar applies (US-NY Thanksgiving), in New York time', () => {
    // Wed 26 Nov 2025; Thu 27 Thanksgiving; Fri 28 (1), Mon 1 (2), Tue 2 (3), Wed 3 (4), Thu 4 Dec (5); EST is UTC-5.
    expect(acknowledgeBy(d('2025-11-26T15:00:00Z'), 'US-NY')).toEqual(d('2025-12-05T04:59:59.999Z'));
  });

  it('R3: a request received over the weekend counts from the next working day', () => {
    // Sat 1 Mar 2025 → Mon 3 (1) ... Fri 7 (5); London is UTC+0 in March before the 30th.
    expect(acknowledgeBy(d('2025-03-01T12:00:00Z'), 'GB')).toEqual(d('2025-03-07T23:59:59.999Z'));
  });

  it('R3: the day of receipt is the local day (23:30 UTC on Wednesday is Thursday in London)', () => {
    // Counted from Wed 16 Apr it would end on Fri 25; from Thu 17 (London) it ends on Mon 28.
    expect(acknowledgeBy(d('2025-04-16T23:30:00Z'), 'GB')).toEqual(d('2025-04-28T22:59:59.999Z'));
  });

  it('unknown jurisdictions are a coded error; no jurisdiction uses the configurable default', () => {
    for (const code of ['XX', 'US-ZZ', 'banana', 'G']) {
      expect(ruleCodeOf(() => acknowledgeBy(d('2025-04-17T09:00:00Z'), code))).toBe('UNKNOWN_JURISDICTION');
    }
    expect(acknowledgeBy(d('2025-04-17T09:00:00Z'), null)).toEqual(acknowledgeBy(d('2025-04-17T09:00:00Z'), 'GB'));
    expect(acknowledgeBy(d('2025-04-17T09:00:00Z'), undefined, { defaultJurisdiction: 'FR' })).toEqual(d('2025-04-25T21:59:59.999Z'));
    expect(resolveJurisdiction('us-ny')).toMatchObject({ code: 'US-NY', country: 'US', state: 'NY', timeZone: 'America/New_York' });
  });

  it('R3: the acknowledgement day is always a working day at least 5 calendar days later (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: d('2024-01-01T00:00:00Z'), max: d('2027-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('GB', 'FR', 'DE', 'US-NY'),
        (receivedAt, code) => {
          const j = resolveJurisdiction(code);
          const by = acknowledgeBy(receivedAt, code);
          expect(isWorkingDay(civilDateIn(by, j.timeZone), code)).toBe(true);
          expect(by.getTime() - receivedAt.getTime()).toBeGreaterThan(4 * 86_400_000);
          expect(by.getTime() - receivedAt.getTime()).toBeLessThan(16 * 86_400_000);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('R4 answer deadline', () => {
  it('R4: 30 days count from verification when verification comes later', () => {
    // received 2 Jan, verified 10 Jan → due at the end of 9 Feb (London, UTC+0)
    expect(answerDueAt(d('2025-01-02T10:00:00Z'), d('2025-01-10T15:00:00Z'), 'GB')).toEqual(d('2025-02-09T23:59:59.999Z'));
  });

  it('R4: 30 days count from receipt when identity was verified on arrival', () => {
    expect(answerDueAt(d('2025-01-02T10:00:00Z'), d('2025-01-02T09:00:00Z'), 'GB')).toEqual(d('2025-02-01T23:59:59.999Z'));
  });

  it('R4: no due date before identity verification', () => {
    expect(answerDueAt(d('2025-01-02T10:00:00Z'), null, 'GB')).toBeNull();
    const all = computeDeadlines({ receivedAt: d('2025-01-02T10:00:00Z') });
    expect(all).toMatchObject({ jurisdiction: 'GB', dueAt: null, effectiveDueAt: null });
  });
});

describe('R5 extension', () => {
  const dueAt = d('2025-02-09T23:59:59.999Z');

  it('R5: an extension is refused after day 30', () => {
    const code = ruleCodeOf(() => extendDeadline({ dueAt, now: d('2025-02-10T00:00:00Z'), reason: 'many systems' }));
    expect(code).toBe('EXTENSION_TOO_LATE');
  });

  it('R5: an extension on day 30 adds at most two further months', () => {
    const ext = extendDeadline({ dueAt, now: d('2025-02-09T18:00:00Z'), reason: ' complex: 7 systems ' });
    expect(ext).toEqual({ extendedDueAt: d('2025-04-09T22:59:59.999Z'), months: 2, reason: 'complex: 7 systems', grantedAt: d('2025-02-09T18:00:00Z') });
    expect(extendDeadline({ dueAt, now: d('2025-01-20T00:00:00Z'), reason: 'r', months: 1 }).extendedDueAt).toEqual(d('2025-03-09T23:59:59.999Z'));
    expect(ruleCodeOf(() => extendDeadline({ dueAt, now: d('2025-01-20T00:00:00Z'), reason: 'r', months: 3 }))).toBe('EXTENSION_TOO_LONG');
    expect(ruleCodeOf(() => extendDeadline({ dueAt, now: d('2025-01-20T00:00:00Z'), reason: 'r', months: 0 }))).toBe('EXTENSION_TOO_LONG');
  });

  it('R5: month ends are kept (31 Dec + 2 months = 28 Feb)', () => {
    const ext = extendDeadline({ dueAt: d('2025-12-31T23:59:59.999Z'), now: d('2025-12-01T00:00:00Z'), reason: 'r' });
    expect(ext.extendedDueAt).toEqual(d('2026-02-28T23:59:59.999Z'));
  });

  it('R5: an extension needs a reason, is granted once, and needs a due date', () => {
    const now = d('2025-01-20T00:00:00Z');
    expect(ruleCodeOf(() => extendDeadline({ dueAt, now, reason: '   ' }))).toBe('REASON_REQUIRED');
    expect(ruleCodeOf(() => extendDeadline({ dueAt, extendedDueAt: d('2025-04-09T22:59:59.999Z'), now, reason: 'again' }))).toBe('EXTENSION_ALREADY_GRANTED');
    expect(ruleCodeOf(() => extendDeadline({ dueAt: null, now, reason: 'r' }))).toBe('IDENTITY_NOT_VERIFIED');
  });
});

describe('due soon and overdue', () => {
  const base = {
    status: RequestStatus.IN_REVIEW,
    acknowledgeBy: d('2025-01-09T23:59:59.999Z'),
    acknowledgedAt: d('2025-01-03T09:00:00Z'),
    dueAt: d('2025-02-09T23:59:59.999Z'),
  };

  it('classifies on time, due soon and overdue at a given instant', () => {
    expect(classifyDeadlines(base, d('2025-01-20T00:00:00Z')).answer).toBe('ON_TIME');
    expect(classifyDeadlines(base, d('2025-02-05T00:00:00Z')).answer).toBe('DUE_SOON');
    expect(isDueSoon(base, d('2025-02-05T00:00:00Z'))).toBe(true);
    expect(classifyDeadlines(base, d('2025-02-10T00:00:00Z')).answer).toBe('OVERDUE');
    expect(isOverdue(base, d('2025-02-10T00:00:00Z'))).toBe(true);
    expect(isDueSoon(base, d('2025-02-10T00:00:00Z'))).toBe(false);
    expect(classifyDeadlines(base, d('2025-02-05T00:00:00Z'), { dueSoonDays: 2 }).answer).toBe('ON_TIME');
  });

  it('R5: an extension moves the binding date', () => {
    const extended = { ...base, extendedDueAt: d('2025-04-09T22:59:59.999Z') };
    const s = classifyDeadlines(extended, d('2025-02-10T00:00:00Z'));
    expect(s.answer).toBe('ON_TIME');
    expect(s.effectiveDueAt).toEqual(extended.extendedDueAt);
  });

  it('closed requests are never overdue; unacknowledged ones past 5 working days are', () => {
    expect(isOverdue({ ...base, status: RequestStatus.COMPLETED }, d('2025-03-10T00:00:00Z'))).toBe(false);
    const unacknowledged = { status: RequestStatus.RECEIVED, acknowledgeBy: d('2025-01-09T23:59:59.999Z') };
    expect(classifyDeadlines(unacknowledged, d('2025-01-09T12:00:00Z'))).toMatchObject({ answer: 'NOT_STARTED', acknowledgement: 'DUE_SOON' });
    expect(isOverdue(unacknowledged, d('2025-01-10T00:00:00Z'))).toBe(true);
  });
});

describe('deadline edges a handler relies on', () => {
  const reasonOf = (run: () => unknown) => {
    try {
      run();
    } catch (e) {
      const { code, message, details } = e as { code: string; message: string; details: unknown };
      return { code, message, details };
    }
    throw new Error('expected a refusal');
  };

  it('a blank jurisdiction is no jurisdiction: the default applies', () => {
    expect(acknowledgeBy(d('2025-04-17T09:00:00Z'), '  ')).toEqual(d('2025-04-28T22:59:59.999Z'));
    expect(computeDeadlines({ receivedAt: d('2025-04-17T09:00:00Z'), jurisdiction: ' ' }).jurisdiction).toBe('GB');
  });

  it('an invalid date is refused, naming which date', () => {
    const bad = new Date('not a date');
    expect(reasonOf(() => acknowledgeBy(bad, 'GB'))).toMatchObject({ code: 'INVALID_DATE', message: 'The receipt date is not a valid date' });
    expect(reasonOf(() => answerDueAt(bad, d('2025-01-02T10:00:00Z'), 'GB')).message).toBe('The receipt date is not a valid date');
    expect(reasonOf(() => answerDueAt(d('2025-01-02T10:00:00Z'), bad, 'GB')).message).toBe('The verification date is not a valid date');
    const dueAt = d('2025-02-09T23:59:59.999Z');
    expect(reasonOf(() => extendDeadline({ dueAt, now: bad, reason: 'r' })).message).toBe('The current time is not a valid date');
  });

  it('R4: a verification recorded before receipt does not move the start before receipt', () => {
    expect(answerDueAt(d('2025-01-10T10:00:00Z'), d('2025-01-02T10:00:00Z'), 'GB')).toEqual(d('2025-02-09T23:59:59.999Z'));
  });

  it('R5: a granted extension is the date that binds', () => {
    const extendedDueAt = d('2025-04-09T22:59:59.999Z');
    expect(computeDeadlines({ receivedAt: d('2025-01-10T10:00:00Z'), verifiedAt: d('2025-01-10T10:00:00Z'), extendedDueAt })).toMatchObject({
      dueAt: d('2025-02-09T23:59:59.999Z'),
      extendedDueAt,
      effectiveDueAt: extendedDueAt,
    });
  });

  it('R5: the refusals of an extension say why, with the dates and months concerned', () => {
    const dueAt = d('2025-02-09T23:59:59.999Z');
    const now = d('2025-01-20T00:00:00Z');
    expect(reasonOf(() => extendDeadline({ dueAt, now, reason: ' ' })).message).toBe('A deadline extension needs a reason');
    expect(reasonOf(() => extendDeadline({ dueAt: null, now, reason: 'r' })).message).toBe('No due date yet: the deadline runs from identity verification');
    expect(reasonOf(() => extendDeadline({ dueAt, extendedDueAt: d('2025-04-09T22:59:59.999Z'), now, reason: 'r' }))).toEqual({
      code: 'EXTENSION_ALREADY_GRANTED',
      message: 'The deadline was already extended',
      details: { extendedDueAt: '2025-04-09T22:59:59.999Z' },
    });
    expect(reasonOf(() => extendDeadline({ dueAt, now: d('2025-02-10T00:00:00Z'), reason: 'r' }))).toEqual({
      code: 'EXTENSION_TOO_LATE',
      message: 'An extension must be granted before the first due date ends',
      details: { dueAt: '2025-02-09T23:59:59.999Z' },
    });
    expect(reasonOf(() => extendDeadline({ dueAt, now, reason: 'r', months: 1.5 }))).toEqual({
      code: 'EXTENSION_TOO_LONG',
      message: 'An extension is 1 to 2 whole months',
      details: { months: 1.5 },
    });
    // The last instant of the due date is still in time.
    expect(extendDeadline({ dueAt, now: dueAt, reason: 'r' }).months).toBe(2);
  });

  it('due soon and overdue at their exact edges; the time left is reported', () => {
    const dueAt = d('2025-02-09T23:59:59.999Z');
    const facts = { status: RequestStatus.IN_REVIEW, acknowledgeBy: d('2025-01-09T23:59:59.999Z'), acknowledgedAt: d('2025-01-03T09:00:00Z'), dueAt };
    expect(classifyDeadlines(facts, dueAt)).toEqual({ answer: 'DUE_SOON', acknowledgement: 'DONE', effectiveDueAt: dueAt, remainingMs: 0 });
    const sevenDaysBefore = new Date(dueAt.getTime() - 7 * 86_400_000);
    expect(classifyDeadlines(facts, sevenDaysBefore)).toMatchObject({ answer: 'DUE_SOON', remainingMs: 7 * 86_400_000 });
    expect(classifyDeadlines(facts, new Date(sevenDaysBefore.getTime() - 1)).answer).toBe('ON_TIME');
    expect(classifyDeadlines(facts, new Date(dueAt.getTime() + 1))).toMatchObject({ answer: 'OVERDUE', remainingMs: -1 });
    expect(classifyDeadlines({ ...facts, status: RequestStatus.REJECTED, acknowledgedAt: null }, dueAt)).toMatchObject({
      answer: 'CLOSED',
      acknowledgement: 'CLOSED',
    });
  });

  it('due soon means neither deadline is overdue and one of them is close', () => {
    const unacknowledged = { status: RequestStatus.RECEIVED, acknowledgeBy: d('2025-01-09T23:59:59.999Z') };
    expect(isDueSoon(unacknowledged, d('2025-01-09T12:00:00Z'))).toBe(true);
    expect(isDueSoon(unacknowledged, d('2025-01-05T12:00:00Z'))).toBe(false);
    // The answer is due soon, but the acknowledgement is already late: overdue, not due soon.
    const lateAck = { ...unacknowledged, status: RequestStatus.IN_REVIEW, dueAt: d('2025-01-12T23:59:59.999Z') };
    expect(isOverdue(lateAck, d('2025-01-10T12:00:00Z'))).toBe(true);
    expect(isDueSoon(lateAck, d('2025-01-10T12:00:00Z'))).toBe(false);
  });
});
