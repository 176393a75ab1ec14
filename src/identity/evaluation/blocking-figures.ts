// Blocking on its own: the share of true pairs that share at least one blocking key (so
// the first round of discovery brings the record in as a candidate), and how many records
// a query's keys bring in. Computed from the keys alone, the same in every evaluation mode.
import { blockingKeysOf } from '../blocking.js';
import type { LabelledRecord } from './labelled-records.js';

export interface BlockingFigures {
  /** Ordered true pairs (query, other record of its entity) whose key sets meet. */
  recall: number;
  truePairs: number;
  /** Candidates per query (the query record itself excluded): mean and 95th percentile. */
  candidatesMean: number;
  candidatesP95: number;
  /** Keys per record, mean. */
  keysMean: number;
}

export function blockingFigures(records: readonly LabelledRecord[], queries: readonly LabelledRecord[] = records): BlockingFigures {
  const keysOf = new Map(records.map((r) => [r.id, blockingKeysOf(r.identifiers)]));
  const index = new Map<string, string[]>();
  for (const [id, keys] of keysOf) for (const k of keys) index.set(k, [...(index.get(k) ?? []), id]);
  const entityOf = new Map(records.map((r) => [r.id, r.entity]));
  const members = new Map<string, string[]>();
  for (const r of records) members.set(r.entity, [...(members.get(r.entity) ?? []), r.id]);
  let truePairs = 0;
  let found = 0;
  const counts: number[] = [];
  for (const q of queries) {
    const candidates = new Set<string>();
    for (const k of keysOf.get(q.id) ?? blockingKeysOf(q.identifiers)) for (const id of index.get(k) ?? []) candidates.add(id);
    candidates.delete(q.id);
    counts.push(candidates.size);
    for (const other of members.get(entityOf.get(q.id) ?? q.entity) ?? []) {
      if (other === q.id) continue;
      truePairs++;
      if (candidates.has(other)) found++;
    }
  }
  counts.sort((a, b) => a - b);
  return {
    recall: truePairs === 0 ? 1 : found / truePairs,
    truePairs,
    candidatesMean: counts.length === 0 ? 0 : counts.reduce((a, b) => a + b, 0) / counts.length,
    candidatesP95: counts.length === 0 ? 0 : counts[Math.max(0, Math.ceil(0.95 * counts.length) - 1)]!,
    keysMean: records.length === 0 ? 0 : [...keysOf.values()].reduce((a, k) => a + k.length, 0) / records.length,
  };
}
