// Reliability table: candidate pairs (records sharing a blocking key) scored as discovery
// scores them, grouped by predicted match probability, against the share that truly match.
// A calibrated model's observed rate falls inside each bin.
import { blockingKeysOf } from '../blocking.js';
import { scorePair, type MatchModel } from '../matching/model.js';
import { profileOfRaw, type Profile } from '../matching/profile.js';
import type { LabelledRecord } from './labelled-records.js';

export interface ReliabilityBin {
  from: number;
  to: number;
  pairs: number;
  meanPredicted: number;
  observed: number;
}

export const BIN_EDGES = [0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1];

/** Ordered candidate pairs (query, record) of `records`, scored with `lambda` (the source's prior). */
export function reliabilityTable(records: readonly LabelledRecord[], model: MatchModel, lambda: number): ReliabilityBin[] {
  const profiles = new Map<string, Profile>(records.map((r) => [r.id, profileOfRaw(r.identifiers)]));
  const index = new Map<string, string[]>();
  const keysOf = new Map<string, string[]>();
  for (const r of records) {
    const keys = blockingKeysOf(r.identifiers);
    keysOf.set(r.id, keys);
    for (const k of keys) index.set(k, [...(index.get(k) ?? []), r.id]);
  }
  const entityOf = new Map(records.map((r) => [r.id, r.entity]));
  const bins = BIN_EDGES.slice(0, -1).map((from, i) => ({ from, to: BIN_EDGES[i + 1]!, pairs: 0, sum: 0, matches: 0 }));
  for (const q of records) {
    const candidates = new Set<string>();
    for (const k of keysOf.get(q.id)!) for (const id of index.get(k)!) candidates.add(id);
    candidates.delete(q.id);
    for (const id of candidates) {
      const p = scorePair(model, profiles.get(q.id)!, profiles.get(id)!, lambda).probability;
      const bin = bins.find((b) => p < b.to) ?? bins.at(-1)!;
      bin.pairs++;
      bin.sum += p;
      if (entityOf.get(id) === q.entity) bin.matches++;
    }
  }
  return bins.map((b) => ({
    from: b.from,
    to: b.to,
    pairs: b.pairs,
    meanPredicted: b.pairs ? b.sum / b.pairs : 0,
    observed: b.pairs ? b.matches / b.pairs : 0,
  }));
}
