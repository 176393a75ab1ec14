import { describe, expect, it } from 'vitest';
import { parseInstant, parseSweepArguments, sweepReportLines } from '../../../src/tombstones/sweep-since.js';
import { codeOf } from '../../support/error-codes.js';

const now = new Date('2026-12-07T12:00:00Z');

describe("an operator's recreation sweep since a point in time: its arguments", () => {
  it('--since takes an ISO 8601 date (midnight UTC) or a date-time with its zone; --source is optional', () => {
    expect(parseSweepArguments(['--since', '2026-06-01'], now)).toEqual({ since: new Date('2026-06-01T00:00:00Z'), sourceId: null });
    expect(parseSweepArguments(['--since=2026-06-01T08:30:00+02:00', '--source', 'clinic'], now)).toEqual({
      since: new Date('2026-06-01T06:30:00Z'),
      sourceId: 'clinic',
    });
    expect(parseSweepArguments(['--source=clinic', '--since', '2026-12-07T12:00:00Z'], now).since).toEqual(now);
  });

  it('INVALID_DATE: not a date, a date that does not exist, a date-time without its zone', () => {
    for (const text of ['yesterday', '2026-02-30', '2026-13-01', '2026-06-01T25:00:00Z', '2026-06-01T08:00:00', '01/06/2026', '1780000000000']) {
      expect(parseInstant(text), text).toBeNull();
      expect(
        codeOf(() => parseSweepArguments(['--since', text], now)),
        text,
      ).toBe('INVALID_DATE');
    }
    expect(parseInstant('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
  });

  it('DATE_IN_FUTURE: a point in time later than now', () => {
    expect(codeOf(() => parseSweepArguments(['--since', '2026-12-08'], now))).toBe('DATE_IN_FUTURE');
    expect(codeOf(() => parseSweepArguments(['--since', '2026-12-07T12:00:01Z'], now))).toBe('DATE_IN_FUTURE');
  });

  it('BAD_USER_INPUT: --since missing or empty, --source empty, an unknown argument', () => {
    expect(codeOf(() => parseSweepArguments([], now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseSweepArguments(['--since'], now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseSweepArguments(['--since', '2026-06-01', '--source'], now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseSweepArguments(['--since', '2026-06-01', '--sources', 'x'], now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseSweepArguments(['2026-06-01'], now))).toBe('BAD_USER_INPUT');
  });

  it('the report prints counts and ids only', () => {
    const lines = sweepReportLines(
      { since: new Date('2026-06-01T00:00:00Z'), sourceId: null },
      {
        checked: { case_management: 12 },
        skipped: ['crm'],
        failed: [
          { sourceId: 'down', stage: 'LISTING', code: 'UNAVAILABLE' },
          { sourceId: 'unbuilt', stage: 'CONNECTOR', code: 'INVALID_SOURCE_CONFIG' },
        ],
        hits: [{ sourceId: 'case_management', recordId: 'CASE-1', requestId: 'r-1', taskId: 't-1' }],
        unconfirmed: [{ sourceId: 'case_management', recordId: 'CASE-2', requestId: 'r-2' }],
      },
    );
    expect(lines).toEqual([
      'recreation sweep since 2026-06-01T00:00:00.000Z over every active source',
      '  checked case_management: 12 record(s)',
      '  skipped crm: cannot list its changes (the recreation guard alone protects it)',
      '  FAILED down: its records could not be listed and checked (UNAVAILABLE) (run again)',
      '  FAILED unbuilt: its connector could not be built (INVALID_SOURCE_CONFIG) (run again)',
      '  recreated case_management CASE-1: erasure task t-1 queued on request r-1',
      '  unconfirmed case_management CASE-2: shares one contact with request r-2; for a handler to look at',
      'hits: 1, unconfirmed: 1, skipped: 1, failed: 2',
    ]);
  });
});
