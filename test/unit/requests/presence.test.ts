import { describe, expect, it } from 'vitest';
import { DataCategory, MatchBand, Relationship } from '../../../src/domain/vocabulary.js';
import { checkPresence, presenceMatch } from '../../../src/requests/presence.js';
import { outcomeWithPresence, withPresence } from '../../../src/requests/services/presence-lookup.js';
import { codeOf } from '../../support/error-codes.js';

const now = new Date('2026-03-01T12:00:00Z');
const at = (iso: string) => new Date(iso);

describe('R16: looking for a visitor by site, date and time', () => {
  it('R16: a site and an ordered window of at most 24 hours, not in the future; anything else is BAD_USER_INPUT', () => {
    expect(checkPresence({ site: ' london-hq ', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-01T10:00:00Z') }, now)).toEqual({
      site: 'london-hq',
      from: '2026-02-01T09:00:00.000Z',
      to: '2026-02-01T10:00:00.000Z',
    });
    expect(checkPresence({ site: 'x', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-02T09:00:00Z') }, now).to).toBe('2026-02-02T09:00:00.000Z');
    const bad = [
      { site: '', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-01T10:00:00Z') },
      { site: 'x', from: at('2026-02-01T10:00:00Z'), to: at('2026-02-01T10:00:00Z') },
      { site: 'x', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-02T09:00:01Z') },
      { site: 'x', from: at('2026-03-02T09:00:00Z'), to: at('2026-03-02T10:00:00Z') },
      { site: 'x', from: at('nonsense'), to: at('2026-02-01T10:00:00Z') },
    ];
    for (const input of bad)
      expect(
        codeOf(() => checkPresence(input, now)),
        JSON.stringify(input),
      ).toBe('BAD_USER_INPUT');
  });

  it('R16: everyone found by presence is offered for REVIEW with no evidence; a record also found by identifiers keeps that match', () => {
    const visit = {
      recordId: 'VIS-1',
      recordType: 'visit',
      relationship: Relationship.VISITOR,
      identifiers: [],
      data: {},
      dates: { lastActivityAt: '2026-02-01T10:00:00Z' },
    };
    const fields = [
      { recordType: 'visit', field: 'site', categories: [DataCategory.VISIT], special: false, correctable: false },
      { recordType: 'visit', field: 'footage', categories: [DataCategory.VIDEO], special: false, correctable: false },
      { recordType: 'other', field: 'x', categories: [DataCategory.HEALTH], special: true, correctable: false },
    ];
    const m = presenceMatch('cctv', visit, fields);
    expect(m).toMatchObject({
      sourceId: 'cctv',
      recordId: 'VIS-1',
      band: MatchBand.REVIEW,
      score: 0,
      relationship: Relationship.VISITOR,
      categories: [DataCategory.VISIT, DataCategory.VIDEO],
    });
    expect(m.explanation.fields).toEqual([]);

    const byIdentifiers = { ...m, band: MatchBand.MATCH, score: 0.99 };
    const other = presenceMatch('cctv', { ...visit, recordId: 'VIS-2' }, fields);
    const merged = withPresence([byIdentifiers], { matches: [m, other], failed: [] });
    expect(merged.map((r) => [r.recordId, r.band])).toEqual([
      ['VIS-1', MatchBand.MATCH],
      ['VIS-2', MatchBand.REVIEW],
    ]);
  });

  it('R1: a source that could not answer the presence look-up leaves the discovery incomplete', () => {
    const outcome = {
      complete: true,
      sources: [
        { sourceId: 'cctv', status: 'ANSWERED', errorCode: null, records: 0 },
        { sourceId: 'clinic', status: 'ANSWERED', errorCode: null, records: 1 },
      ],
    };
    const failed = outcomeWithPresence(outcome, { matches: [], failed: ['cctv'] }, []);
    expect(failed.complete).toBe(false);
    expect(failed.sources[0]).toMatchObject({ sourceId: 'cctv', status: 'FAILED', errorCode: 'PRESENCE_LOOKUP_FAILED' });
    expect(outcomeWithPresence(outcome, { matches: [], failed: [] }, []).complete).toBe(true);
  });
});
