// Pairwise accuracy of resolution against entity labels, and latency percentiles.
// Pairs are ordered (query record, returned record), the query record itself excluded;
// the true pairs are every ordered pair of distinct records sharing an entity.
import { MatchBand } from '../../domain/vocabulary.js';
import type { MatchExplanation } from '../matching/model.js';

export interface QueryResult {
  queryId: string;
  /** Explanation, round and anchor only in the in-memory mode (for --show-wrong-matches). */
  returned: { recordId: string; band: MatchBand; explanation?: MatchExplanation; round?: number; against?: string }[];
  ms: number;
}

export interface EvaluationFigures {
  precision: number;
  recall: number;
  f1: number;
  reviewRecall: number;
  queries: number;
  p50ms: number;
  p95ms: number;
  truePairs: number;
  matchPairs: number;
  truePositives: number;
  reviewPairs: number;
  /** Returned pairs (MATCH or REVIEW) of different people. */
  strangerPairs: number;
  /** B-cubed over queries at MATCH: each query's cluster is itself plus its MATCH records. */
  bcubedPrecision: number;
  bcubedRecall: number;
  /** Share of queries whose every true record came back (in MATCH+REVIEW; in MATCH). */
  completeQueries: number;
  completeQueriesMatch: number;
}

/** Nearest-rank percentile (p in 0..100); 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function evaluate(entityOf: ReadonlyMap<string, string>, results: readonly QueryResult[]): EvaluationFigures {
  const clusterSize = new Map<string, number>();
  for (const e of entityOf.values()) clusterSize.set(e, (clusterSize.get(e) ?? 0) + 1);
  let truePairs = 0;
  let matchPairs = 0;
  let tp = 0;
  let reviewPairs = 0;
  let reviewTp = 0;
  let bcubedPrecision = 0;
  let bcubedRecall = 0;
  let complete = 0;
  let completeMatch = 0;
  for (const r of results) {
    const entity = entityOf.get(r.queryId);
    if (entity === undefined) throw new Error(`query ${r.queryId} has no entity label`);
    truePairs += clusterSize.get(entity)! - 1;
    const seen = new Set<string>();
    let queryTp = 0;
    let queryReviewTp = 0;
    let queryMatches = 0;
    for (const x of r.returned) {
      if (x.recordId === r.queryId || seen.has(x.recordId)) continue;
      seen.add(x.recordId);
      const same = entityOf.get(x.recordId) === entity;
      reviewPairs++;
      if (same) queryReviewTp++;
      if (x.band === MatchBand.MATCH) {
        queryMatches++;
        if (same) queryTp++;
      }
    }
    const others = clusterSize.get(entity)! - 1;
    matchPairs += queryMatches;
    tp += queryTp;
    reviewTp += queryReviewTp;
    // The query record belongs to its own cluster on both sides.
    bcubedPrecision += (queryTp + 1) / (queryMatches + 1);
    bcubedRecall += (queryTp + 1) / (others + 1);
    if (queryReviewTp === others) complete++;
    if (queryTp === others) completeMatch++;
  }
  // No predictions means no false ones: precision 1. No true pairs: nothing to miss.
  const precision = matchPairs === 0 ? 1 : tp / matchPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const ms = results.map((r) => r.ms);
  return {
    precision,
    recall,
    f1,
    reviewRecall: truePairs === 0 ? 1 : reviewTp / truePairs,
    queries: results.length,
    p50ms: percentile(ms, 50),
    p95ms: percentile(ms, 95),
    truePairs,
    matchPairs,
    truePositives: tp,
    reviewPairs,
    strangerPairs: reviewPairs - reviewTp,
    bcubedPrecision: results.length === 0 ? 1 : bcubedPrecision / results.length,
    bcubedRecall: results.length === 0 ? 1 : bcubedRecall / results.length,
    completeQueries: results.length === 0 ? 1 : complete / results.length,
    completeQueriesMatch: results.length === 0 ? 1 : completeMatch / results.length,
  };
}
