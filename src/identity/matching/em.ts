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

/** The candidate pairs one blocking rule makes, and the fields it blocked on. */
export interface EstimationSession {
  rule: string;
  pairs: readonly ComparisonVector[];
  /** Field indexes the rule's keys are built from: every pair agrees on them, so they say nothing here. */
  blockedFields: readonly number[];
}

export interface EmPerRuleResult {
  /** m[field][level]: the mean over the sessions that estimated the field. */
  m: number[][];
  /** Per field, the rules whose sessions estimated it (empty: the field kept `start`). */
  estimatedBy: string[][];
  sessions: { rule: string; pairs: number; iterations: number; matchShare: number }[];
}

/**
 * Splink's estimation by blocking rule: one EM session per rule over the pairs that rule
 * makes candidates, with the fields it blocked on left out (pairs chosen for agreeing on a
 * field cannot show how often matches agree on it); each field's m is then the mean of the
 * sessions that did not block on it. Sessions with fewer than `minPairs` pairs are skipped.
 */
export function emPerBlockingRule(
  sessions: readonly EstimationSession[],
  u: readonly (readonly number[])[],
  start: readonly (readonly number[])[],
  options: { minPairs?: number; maxIterations?: number; tolerance?: number } = {},
): EmPerRuleResult {
  const sums = start.map((levels) => levels.map(() => 0));
  const estimatedBy: string[][] = start.map(() => []);
  const ran: EmPerRuleResult['sessions'] = [];
  for (const s of sessions) {
    if (s.pairs.length < (options.minPairs ?? 50)) continue;
    const blocked = new Set(s.blockedFields);
    const pairs = s.pairs.map((v) => v.map((level, f) => (blocked.has(f) ? null : level)));
    const em = expectationMaximisation(pairs, u, start, options);
    ran.push({ rule: s.rule, pairs: pairs.length, iterations: em.iterations, matchShare: em.matchShare });
    start.forEach((_, f) => {
      // A field no pair of the session carries was not estimated by it.
      if (blocked.has(f) || !pairs.some((v) => v[f] !== null)) return;
      em.m[f]!.forEach((x, l) => {
        sums[f]![l]! += x;
      });
      estimatedBy[f]!.push(s.rule);
    });
  }
  const m = sums.map((levels, f) => (estimatedBy[f]!.length === 0 ? [...start[f]!] : levels.map((x) => x / estimatedBy[f]!.length)));
  return { m, estimatedBy, sessions: ran };
}
