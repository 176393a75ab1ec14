// Estimates the matching model's parameters from a labelled CSV and writes the versioned
// parameters JSON (default src/identity/matching/parameters.v3.json).
//
// Without labels (--unlabelled; no --cluster or --entity-regex needed): u from random
// pairs, m by expectation-maximisation per blocking rule (one session per key prefix over
// the pairs its keys make candidates, the fields it blocked on left out, each field's m the
// mean of the sessions that estimated it), λ from the estimated matches among the union of
// the candidate pairs (Splink's estimate_u_using_random_sampling and EM sessions per blocking rule).
// A deployment fits its own sources this way; labelled fitting stays for evaluation.
//
// Method (labelled estimation, Splink's vocabulary):
// - u (level frequencies among non-matches): from random record pairs of different
//   entities, as Splink's estimate_u_using_random_sampling does; Laplace-smoothed.
// - m (level frequencies among matches): from all pairs that share an entity label.
//   (Splink would run EM on blocked pairs when no labels exist; labels are cheaper and
//   exact. Train on a share of the entities, --split train, to keep a held-out set.)
// - λ: matching pairs / all pairs in the training records; priorRecords: how many records
//   that was (the gateway scales λ down for sources larger than this, matching/prior.ts).
// - Term frequencies of given and family names: value counts over the records fitted on
//   (values seen once are left out; unseen values count as seen once at scoring time), so
//   a deployment fitting its own export gets its own tables; the shipped parameters are
//   fitted with --without-term-frequencies and carry none from the tuning set.
// - Fields the data lacks (email, phone, other references) keep documented prior values:
//   m from typical data-entry error rates, u from a population of ~100k people.
//
//   npx tsx src/identity/scripts/estimate-parameters.ts --csv ../shared/data/febrl3.csv \
//     --id rec_id --entity-regex 'rec-(\d+)' --map given_name=GIVEN_NAME ... \
//     [--split train --split-share 0.5] [--version 1] [--out FILE] [--pairs 400000]
//     [--without-term-frequencies] [--unlabelled [--em per-rule|union]]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blockingKeysOfProfile } from '../blocking.js';
import { COMPARISONS } from '../matching/comparisons.js';
import { emPerBlockingRule, expectationMaximisation, type ComparisonVector, type EstimationSession } from '../matching/em.js';
import { KEY_NEEDS } from '../minimise.js';
import { IdentifierType as T } from '../../domain/vocabulary.js';
import { isReferenceType } from '../normalise/index.js';
import type { ModelParameters } from '../matching/parameters.js';
import { checkParameters } from '../matching/parameters.js';
import { profileOfRaw, type Profile } from '../matching/profile.js';
import { termFrequenciesOf } from '../matching/term-frequencies.js';
import { filterSplit, loadRecordsFromArgs, one, parseArgs } from '../evaluation/cli-args.js';

// Prior m/u for fields without training data (documented above). Order = level order.
const PRIORS: Record<string, Array<[number, number]>> = {
  email: [
    [0.8, 1e-6],
    [0.03, 1e-7],
    [0.04, 2e-6],
    [0.04, 1e-5],
    [0.02, 1e-4],
    [0.03, 0.05],
    [0.04, 0.949883],
  ],
  phone: [
    [0.8, 1e-5],
    [0.05, 1e-4],
    [0.15, 0.99989],
  ],
  reference: [
    [0.9, 1e-6],
    [0.1, 0.999999],
  ],
};

/** Deterministic PRNG (mulberry32) so estimates are reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The comparison fields a blocking-key prefix is built from (via its identifier types). */
function blockedFieldsOf(prefix: string): number[] {
  const fieldOf = (t: T): string[] => {
    switch (t) {
      case T.GIVEN_NAME:
      case T.FAMILY_NAME:
      case T.FULL_NAME:
        return ['givenName', 'familyName'];
      case T.DATE_OF_BIRTH:
        return ['dateOfBirth'];
      case T.EMAIL:
        return ['email'];
      case T.PHONE:
        return ['phone'];
      case T.NATIONAL_ID:
        return ['nationalId'];
      case T.STREET_ADDRESS:
        return ['street'];
      case T.POSTCODE:
        return ['postcode'];
      case T.CITY:
        return ['city'];
      default:
        return isReferenceType(t) ? ['reference'] : [];
    }
  };
  const fields = new Set((KEY_NEEDS[prefix] ?? []).flat().flatMap(fieldOf));
  return COMPARISONS.map((c, f) => (fields.has(c.field) ? f : -1)).filter((f) => f >= 0);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const unlabelled = args.flags.has('unlabelled');
  // Without labels every record is its own entity; --split still needs one, so it uses the id.
  if (unlabelled && !one(args, 'cluster') && !one(args, 'entity-regex')) args.values.set('cluster', [one(args, 'id') ?? '']);
  const records = filterSplit(loadRecordsFromArgs(args), args);
  const profiles: Profile[] = records.map((r) => profileOfRaw(r.identifiers));
  const byEntity = new Map<string, number[]>();
  records.forEach((r, i) => byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), i]));

  const mCounts = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
  const uCounts = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
  const count = (counts: number[][], a: Profile, b: Profile) => {
    COMPARISONS.forEach((c, f) => {
      const out = c.compare(a, b);
      if (out) counts[f]![out.underlying ?? out.level]!++;
    });
  };

  let matchingPairs = 0;
  if (!unlabelled)
    for (const members of byEntity.values()) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          count(mCounts, profiles[members[i]!]!, profiles[members[j]!]!);
          matchingPairs++;
        }
      }
    }
  const wanted = Number(one(args, 'pairs') ?? '400000');
  const random = rng(20240601);
  let sampled = 0;
  for (let tries = 0; sampled < wanted && tries < wanted * 4; tries++) {
    const i = Math.floor(random() * records.length);
    const j = Math.floor(random() * records.length);
    if (i === j || (!unlabelled && records[i]!.entity === records[j]!.entity)) continue;
    count(uCounts, profiles[i]!, profiles[j]!);
    sampled++;
  }

  let emNote = '';
  if (unlabelled) {
    // m by EM over the pairs blocking makes candidates (records sharing a key).
    const index = new Map<string, number[]>();
    profiles.forEach((p, i) => {
      for (const k of blockingKeysOfProfile(p)) index.set(k, [...(index.get(k) ?? []), i]);
    });
    const vectorOf = new Map<string, ComparisonVector>();
    // Per blocking rule (key prefix), the pairs its keys make candidates.
    const byRule = new Map<string, Set<string>>();
    for (const [key, members] of index) {
      if (members.length > 50) continue; // a key that many share is a common value, not a candidate set
      const rule = key.slice(0, key.indexOf(':'));
      const ruleSet = byRule.get(rule) ?? new Set<string>();
      byRule.set(rule, ruleSet);
      for (let a = 0; a < members.length; a++) {
        for (let b = a + 1; b < members.length; b++) {
          const id = `${members[a]}:${members[b]}`;
          ruleSet.add(id);
          if (!vectorOf.has(id))
            vectorOf.set(
              id,
              COMPARISONS.map((c) => {
                const o = c.compare(profiles[members[a]!]!, profiles[members[b]!]!);
                return o ? (o.underlying ?? o.level) : null;
              }),
            );
        }
      }
    }
    const vectors = [...vectorOf.values()];
    const u = uCounts.map((levels) => {
      const total = levels.reduce((x, y) => x + y, 0);
      return levels.map((x) => (x + 1) / (total + levels.length));
    });
    // Start: agreement levels likely among matches, the else level unlikely.
    const start = COMPARISONS.map((c) => {
      const raw = c.levels.map((l, i) => (i === 0 ? 0.6 : l.kind === 'disagree' ? 0.05 : 0.35 / Math.max(1, c.levels.length - 2)));
      const total = raw.reduce((x, y) => x + y, 0);
      return raw.map((x) => x / total);
    });
    // λ from one EM over the union of the candidate pairs; m per blocking rule (Splink's
    // estimation sessions), each field from the rules that did not block on it.
    const em = expectationMaximisation(vectors, u, start);
    const sessions: EstimationSession[] = [...byRule].map(([rule, ids]) => ({
      rule,
      pairs: [...ids].map((id) => vectorOf.get(id)!),
      blockedFields: blockedFieldsOf(rule),
    }));
    const perRule = emPerBlockingRule(sessions, u, start);
    // --em union: m from the one EM over every candidate pair instead (for comparison).
    const unionOnly = one(args, 'em') === 'union';
    COMPARISONS.forEach((c, f) => {
      // EM gives probabilities; kept as counts over a notional 10,000 matching pairs. A field
      // no session estimated (every rule blocked on it) keeps the union's estimate.
      const m = perRule.estimatedBy[f]!.length > 0 && !unionOnly ? perRule.m[f]! : em.m[f]!;
      mCounts[f] = m.map((x) => x * 10_000);
      process.stderr.write(
        `${c.field}: m from ${perRule.estimatedBy[f]!.length > 0 && !unionOnly ? `rules ${perRule.estimatedBy[f]!.join(' ')}` : 'the union of the candidate pairs'}\n`,
      );
    });
    matchingPairs = em.matchShare * vectors.length;
    emNote = `EM over ${vectors.length} candidate pairs, ${em.iterations} iterations, ${Math.round(matchingPairs)} estimated matches; m per blocking rule over ${perRule.sessions.length} rules (${perRule.sessions.map((x) => `${x.rule} ${x.pairs}`).join(', ')})`;
    process.stderr.write(`${emNote}\n`);
  }

  const comparisons: ModelParameters['comparisons'] = {};
  COMPARISONS.forEach((c, f) => {
    const m = mCounts[f]!;
    const u = uCounts[f]!;
    const mTotal = m.reduce((a, b) => a + b, 0);
    const uTotal = u.reduce((a, b) => a + b, 0);
    const prior = PRIORS[c.field];
    const useData = mTotal >= 50 && uTotal >= 1000;
    if (!useData && !prior) throw new Error(`no data and no prior for ${c.field}`);
    comparisons[c.field] = {
      levels: c.levels.map((level, l) => ({
        label: level.label,
        m: useData ? (m[l]! + 1) / (mTotal + c.levels.length) : prior![l]![0],
        u: useData ? (u[l]! + 1) / (uTotal + c.levels.length) : prior![l]![1],
      })),
    };
    process.stderr.write(`${c.field}: ${useData ? `m from ${mTotal} pairs, u from ${uTotal}` : 'prior'}\n`);
  });

  // A deployment's tables come from its own export; --without-term-frequencies leaves them
  // out (the shipped parameters carry none from the tuning set).
  const termFrequencies = args.flags.has('without-term-frequencies') ? undefined : termFrequenciesOf(profiles, 2);

  const n = records.length;
  const version = one(args, 'version') ?? '1';
  const params: ModelParameters = checkParameters({
    version,
    method: unlabelled
      ? `unlabelled: u from random pairs, m by expectation-maximisation over blocked pairs (${emNote}); priors for fields without data`
      : 'labelled: m from same-entity pairs, u from random pairs, Laplace-smoothed; priors for email, phone, reference',
    trainedOn: `${(args.values.get('csv') ?? []).map((f) => f.split('/').pop()).join(', ')}; split=${one(args, 'split') ?? 'all'} share=${one(args, 'split-share') ?? '0.5'}; ${n} records, ${byEntity.size} entities, ${matchingPairs} matching pairs, ${sampled} random pairs`,
    estimatedAt: new Date().toISOString().slice(0, 10),
    probabilityTwoRandomRecordsMatch: matchingPairs / ((n * (n - 1)) / 2),
    priorRecords: n,
    thresholds: { match: Number(one(args, 'match-threshold') ?? '0.99'), review: Number(one(args, 'review-threshold') ?? '0.1') },
    comparisons,
    ...(termFrequencies ? { termFrequencies } : {}),
  });
  const out = one(args, 'out') ?? fileURLToPath(new URL(`../matching/parameters.v${version}.json`, import.meta.url));
  writeFileSync(out, `${JSON.stringify(params, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

main();
