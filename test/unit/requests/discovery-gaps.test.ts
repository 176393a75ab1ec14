import { describe, expect, it } from 'vitest';
import { mergeRediscovery, sourcesBlockingExecution, sourcesGoneWithout, unsearchedSources } from '../../../src/requests/discovery-gaps.js';
import type { DiscoveryOutcome } from '../../../src/requests/store/data-subject-request.entity.js';

const outcome: DiscoveryOutcome = {
  complete: false,
  sources: [
    { sourceId: 'clinic', status: 'ANSWERED', errorCode: null, records: 2 },
    { sourceId: 'concierge', status: 'FAILED', errorCode: 'UNAVAILABLE', records: 0 },
    { sourceId: 'cctv', status: 'TIMED_OUT', errorCode: 'TIMED_OUT', records: 0 },
  ],
};
const decision = { sourceIds: ['concierge', 'cctv'], reason: 'system retired', actor: 'h1', at: '2026-01-01T00:00:00.000Z' };

describe('discovery gaps (R1)', () => {
  it('R1: a failed or timed-out source blocks execution until searched again or gone without by decision', () => {
    expect(unsearchedSources(outcome)).toEqual(['concierge', 'cctv']);
    expect(sourcesBlockingExecution(outcome)).toEqual(['concierge', 'cctv']);
    expect(sourcesBlockingExecution({ ...outcome, notSearched: { ...decision, sourceIds: ['concierge'] } })).toEqual(['cctv']);
    expect(sourcesBlockingExecution({ ...outcome, notSearched: decision })).toEqual([]);
    expect(sourcesBlockingExecution(null)).toEqual([]);
  });

  it('R1: searching again replaces the sources’ outcomes; one that answers drops out of the decision', () => {
    const merged = mergeRediscovery({ ...outcome, notSearched: decision }, [{ sourceId: 'concierge', status: 'ANSWERED', errorCode: null, records: 1 }]);
    expect(merged.complete).toBe(false);
    expect(unsearchedSources(merged)).toEqual(['cctv']);
    expect(sourcesGoneWithout(merged)?.sourceIds).toEqual(['cctv']);
    const all = mergeRediscovery(merged, [{ sourceId: 'cctv', status: 'ANSWERED', errorCode: null, records: 0 }]);
    expect(all.complete).toBe(true);
    expect(all.notSearched).toBeUndefined();
  });
});

describe('discovery gaps at the edges (R1)', () => {
  it('R1: with no decision to go without, every unsearched source blocks and none is named as gone without', () => {
    expect(sourcesBlockingExecution(outcome)).toEqual(['concierge', 'cctv']);
    expect(sourcesGoneWithout(outcome)).toBeNull();
    expect(sourcesGoneWithout(null)).toBeNull();
    expect(sourcesGoneWithout(undefined)).toBeNull();
    expect(unsearchedSources(undefined)).toEqual([]);
  });

  it('R1: a decision whose sources all answered since names nothing', () => {
    const answered = { ...outcome, sources: outcome.sources.map((s) => ({ ...s, status: 'ANSWERED' as const })), notSearched: decision };
    expect(sourcesGoneWithout(answered)).toBeNull();
  });

  it('R1: a source searched again that was not in the snapshot is added, the others kept in place', () => {
    const added = { sourceId: 'training', status: 'FAILED' as const, errorCode: 'UNAVAILABLE', records: 0 };
    const merged = mergeRediscovery(outcome, [added]);
    expect(merged.sources.map((s) => s.sourceId)).toEqual(['clinic', 'concierge', 'cctv', 'training']);
    expect(merged.complete).toBe(false);
    expect(merged.notSearched).toBeUndefined();
    const replaced = mergeRediscovery(outcome, [{ ...outcome.sources[1]!, status: 'ANSWERED' }]);
    expect(replaced.sources.map((s) => [s.sourceId, s.status])).toEqual([
      ['clinic', 'ANSWERED'],
      ['concierge', 'ANSWERED'],
      ['cctv', 'TIMED_OUT'],
    ]);
  });
});
