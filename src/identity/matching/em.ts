// Unlabelled estimation of m, as Splink does: u is fixed from random record pairs (nearly
// all non-matches), and expectation–maximisation over the blocked candidate pairs finds
// the share of matches among them and each level's probability among matches.

/** One candidate pair: per comparison field, its level, or null when a side lacks the field. */
export type ComparisonVector = (number | null)[];

export interface EmResult {
  /** m[field][level]. */
  m: number[][];
  /** Share of the candidate pairs that match. */
  matchShare: number;
  iterations: number;
}

/**
 * `u[field][level]` from random sampling; `levels[field]` the level count; `start` the
 * initial m (a prior). Stops when no m moves by more than `tolerance`.
 */
export function expectationMaximisation(
  pairs: readonly ComparisonVector[],
  u: readonly (readonly number[])[],
  start: readonly (readonly number[])[],
  options: { maxIterations?: number; tolerance?: number; matchShare?: number } = {},
): EmResult {
  let m = start.map((levels) => [...levels]);
  let share = options.matchShare ?? 0.5;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-5;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const sums = m.map((levels) => levels.map(() => 0));
    const totals = m.map(() => 0);
    let weightSum = 0;
    for (const pair of pairs) {
      // Odds in log space: many fields multiply to tiny numbers.
      let logRatio = Math.log(share / (1 - share));
      pair.forEach((level, f) => {
        if (level !== null) logRatio += Math.log(m[f]![level]! / u[f]![level]!);
      });
      const w = 1 / (1 + Math.exp(-logRatio));
      weightSum += w;
      pair.forEach((level, f) => {
        if (level === null) return;
        sums[f]![level]! += w;
        totals[f]! += w;
      });
    }
    // Laplace-smoothed so no level's m is ever 0.
    const next = sums.map((levels, f) => levels.map((x) => (x + 0.5) / (totals[f]! + 0.5 * levels.length)));
    const moved = Math.max(...next.flatMap((levels, f) => levels.map((x, l) => Math.abs(x - m[f]![l]!))));
    m = next;
    share = Math.min(1 - 1e-9, Math.max(1e-9, weightSum / Math.max(1, pairs.length)));
    if (moved < tolerance) break;
  }
  return { m, matchShare: share, iterations };
}
