// R1: a request answers for every source, or says which it could not search. The sources
// that did not answer at verification, the handler's decision to go on without them, and
// the snapshot's outcome after a source is searched again. Pure.
import type { DiscoveryOutcome, SourcesNotSearched } from './store/data-subject-request.entity.js';

type SourceOutcome = DiscoveryOutcome['sources'][number];

/** Sources that failed or timed out when the request was last searched. */
export function unsearchedSources(outcome: DiscoveryOutcome | null | undefined): string[] {
  return (outcome?.sources ?? []).filter((s) => s.status !== 'ANSWERED').map((s) => s.sourceId);
}

/** Unsearched sources the handler has not decided to go without: execution must wait for them. */
export function sourcesBlockingExecution(outcome: DiscoveryOutcome | null | undefined): string[] {
  const waived = new Set(outcome?.notSearched?.sourceIds ?? []);
  return unsearchedSources(outcome).filter((id) => !waived.has(id));
}

/** The sources the handler decided to go without that are still unsearched (what the answer must name). */
export function sourcesGoneWithout(outcome: DiscoveryOutcome | null | undefined): SourcesNotSearched | null {
  const decision = outcome?.notSearched;
  if (!decision) return null;
  const still = new Set(unsearchedSources(outcome));
  const sourceIds = decision.sourceIds.filter((id) => still.has(id));
  return sourceIds.length ? { ...decision, sourceIds } : null;
}

/** The outcome after searching some sources again: their entries replaced, completeness recomputed. */
export function mergeRediscovery(outcome: DiscoveryOutcome, again: readonly SourceOutcome[]): DiscoveryOutcome {
  const byId = new Map(again.map((s) => [s.sourceId, s]));
  const sources = outcome.sources.map((s) => byId.get(s.sourceId) ?? s);
  for (const s of again) if (!outcome.sources.some((o) => o.sourceId === s.sourceId)) sources.push(s);
  const merged: DiscoveryOutcome = { complete: sources.every((s) => s.status === 'ANSWERED'), sources };
  const notSearched = sourcesGoneWithout({ ...merged, ...(outcome.notSearched ? { notSearched: outcome.notSearched } : {}) });
  return notSearched ? { ...merged, notSearched } : merged;
}
