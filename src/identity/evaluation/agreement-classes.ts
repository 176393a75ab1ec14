// True pairs by how many of their identifiers still agree approximately: the bar
// for blocking is "a pair whose two fields still agree approximately is found". Splitting
// the figures this way says whether a miss broke that promise or had too little left.
import { COMPARISONS } from '../matching/comparisons.js';
import type { Profile } from '../matching/profile.js';
import { blockingKeysOfProfile } from '../blocking.js';
import { MatchBand } from '../../domain/vocabulary.js';

/** Evidence groups (name, date of birth, e-mail, address, ...) with a field at an agree or partial level. */
export function identifiersAgreeingApproximately(a: Profile, b: Profile): number {
  const groups = new Set<string>();
  for (const c of COMPARISONS) {
    const outcome = c.compare(a, b);
    if (outcome && c.levels[outcome.level]!.kind !== 'disagree') groups.add(c.group);
  }
  return groups.size;
}

export interface AgreementClass {
  /** "0-1", "2", "3+" identifiers agreeing approximately. */
  label: string;
  truePairs: number;
  /** Share whose keys meet (first round). */
  blockingRecall: number;
  /** Share returned at MATCH or REVIEW. */
  reviewRecall: number;
  /** Share returned at MATCH. */
  matchRecall: number;
}

export interface PairOutcome {
  query: Profile;
  record: Profile;
  /** Band the query's answer gave the record, null when not returned. */
  band: MatchBand | null;
}

const LABELS = ['0-1', '2', '3+'] as const;
const classOf = (n: number) => LABELS[Math.min(Math.max(n - 1, 0), 2)]!;

/** Ordered true pairs grouped by identifiers agreeing approximately, with their recall figures. */
export function agreementClasses(pairs: readonly PairOutcome[]): AgreementClass[] {
  const keysOf = new Map<Profile, Set<string>>();
  const keys = (p: Profile) => {
    let k = keysOf.get(p);
    if (!k) keysOf.set(p, (k = new Set(blockingKeysOfProfile(p))));
    return k;
  };
  const tally = new Map(LABELS.map((l) => [l, { truePairs: 0, blocked: 0, review: 0, match: 0 }]));
  for (const pair of pairs) {
    const t = tally.get(classOf(identifiersAgreeingApproximately(pair.query, pair.record)))!;
    t.truePairs++;
    const recordKeys = keys(pair.record);
    if ([...keys(pair.query)].some((k) => recordKeys.has(k))) t.blocked++;
    if (pair.band) t.review++;
    if (pair.band === MatchBand.MATCH) t.match++;
  }
  const share = (n: number, of: number) => (of === 0 ? 1 : n / of);
  return LABELS.map((label) => {
    const t = tally.get(label)!;
    return {
      label,
      truePairs: t.truePairs,
      blockingRecall: share(t.blocked, t.truePairs),
      reviewRecall: share(t.review, t.truePairs),
      matchRecall: share(t.match, t.truePairs),
    };
  });
}
