import { describe, expect, it } from 'vitest';
import { mergeRediscovery, sourcesBlockingExecution, sourcesGoneWithout, unsearchedSources } from '../../../src/requests/discovery-gaps.js';
import type { DiscoveryOutcome } from '../../../src/requests/entities/data-subject-request.entity.js';

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
