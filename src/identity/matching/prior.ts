// The prior of one source. λ is the chance that two records drawn at random are the same
// person, estimated on a reference set of `priorRecords` records. The expected number of
// a person's records in a source hardly grows with the source, so the chance that any one
// candidate is the person falls as the source grows: λ_s = λ × min(1, N_ref / N_s).
// Sources at most the reference size keep λ (a small source is no evidence of a match).

/**
 * λ for a source of `sourceRecords` records (an estimate is fine). Without a usable count
 * or reference size, λ itself: an unknown size never changes a score.
 */
export function sourcePrior(lambda: number, priorRecords: number | undefined, sourceRecords: number | undefined): number {
  if (!usable(priorRecords) || !usable(sourceRecords)) return lambda;
  return lambda * Math.min(1, priorRecords / sourceRecords);
}

/** The waterfall's starting bar for λ: log2(λ / (1 − λ)), in bits. */
export function priorWeightOf(lambda: number): number {
  return Math.log2(lambda / (1 - lambda));
}

function usable(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}
