import { describe, expect, it } from 'vitest';
import { addDuration, addDurations, addMonthsUtc, parseDuration } from '../../../src/requests/durations.js';
import { RequestRuleError } from '../../../src/requests/errors.js';

// Retention periods as policies state them (ISO 8601 date durations): a retention end is a
// date, counted in calendar years, months and days.
const d = (iso: string) => new Date(iso);

describe('retention durations', () => {
  it('reads years, months, weeks and days, as written or in lower case with spaces around', () => {
    expect(parseDuration('P3Y')).toEqual({ years: 3, months: 0, days: 0 });
    expect(parseDuration(' p1y6m ')).toEqual({ years: 1, months: 6, days: 0 });
    expect(parseDuration('P2W3D')).toEqual({ years: 0, months: 0, days: 17 });
    expect(parseDuration('P90D')).toEqual({ years: 0, months: 0, days: 90 });
  });

  it('refuses what is not a date duration: INVALID_DURATION, quoting it', () => {
    for (const text of ['P', '3Y', 'PT5H', 'P1.5Y', '']) {
      let error: unknown;
      try {
        parseDuration(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequestRuleError);
      expect((error as RequestRuleError).code).toBe('INVALID_DURATION');
      expect((error as RequestRuleError).message).toBe(`"${text}" is not an ISO 8601 date duration such as P3Y or P90D`);
    }
  });

  it('adds months keeping the day of month where it exists', () => {
    expect(addMonthsUtc(d('2025-01-31T10:00:00Z'), 1)).toEqual(d('2025-02-28T10:00:00Z'));
    expect(addMonthsUtc(d('2024-01-31T10:00:00Z'), 1)).toEqual(d('2024-02-29T10:00:00Z'));
    expect(addMonthsUtc(d('2025-01-15T10:00:00Z'), 13)).toEqual(d('2026-02-15T10:00:00Z'));
  });

  it('adds a duration: years and months on the calendar, then days', () => {
    expect(addDuration(d('2020-02-29T00:00:00Z'), 'P1Y')).toEqual(d('2021-02-28T00:00:00Z'));
    expect(addDuration(d('2020-01-31T00:00:00Z'), 'P1Y1M')).toEqual(d('2021-02-28T00:00:00Z'));
    expect(addDuration(d('2020-01-31T00:00:00Z'), 'P1Y1M1D')).toEqual(d('2021-03-01T00:00:00Z'));
    expect(addDuration(d('2025-01-01T00:00:00Z'), 'P1W')).toEqual(d('2025-01-08T00:00:00Z'));
    expect(addDuration(d('2025-01-01T00:00:00Z'), { years: 0, months: 2, days: 3 })).toEqual(d('2025-03-04T00:00:00Z'));
  });

  it('adds an active period then an archive period; a missing one adds nothing', () => {
    expect(addDurations(d('2020-01-01T00:00:00Z'), ['P3Y', undefined, 'P30Y'])).toEqual(d('2053-01-01T00:00:00Z'));
    expect(addDurations(d('2020-01-01T00:00:00Z'), [])).toEqual(d('2020-01-01T00:00:00Z'));
  });
});
