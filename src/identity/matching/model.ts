// Fellegi–Sunter scoring as Splink does it: each field's comparison level has a match
// weight log2(m/u) (a Bayes factor in bits); exact name agreement is adjusted by the
// value's frequency (log2(u/tf): a rare surname counts more); the prior log2(λ/(1-λ))
// plus the weights gives the total, and 2^w/(1+2^w) the match probability.
import { MatchBand } from '../../domain/vocabulary.js';
import { COMPARISONS, type ComparisonField, type EvidenceGroup, type LevelKind } from './comparisons.js';
import { defaultParameters, type ModelParameters, type TermFrequencies } from './parameters.js';
import { priorWeightOf } from './prior.js';
import type { Profile } from './profile.js';

export interface MatchThresholds {
  /** Probability at or above which (with two agreeing identifiers) a record is MATCH. */
  match: number;
  /** Probability at or above which a record is at least REVIEW. */
  review: number;
}

export interface MatchModel {
  parameters: ModelParameters;
  thresholds: MatchThresholds;
  termFrequencies: TermFrequencies;
}

export function createMatchModel(
  options: {
    parameters?: ModelParameters;
    thresholds?: Partial<MatchThresholds>;
    termFrequencies?: TermFrequencies;
  } = {},
): MatchModel {
  const parameters = options.parameters ?? defaultParameters();
  const thresholds = { ...parameters.thresholds, ...options.thresholds };
  if (!(thresholds.review > 0 && thresholds.review <= thresholds.match && thresholds.match < 1)) {
    throw new RangeError('thresholds must satisfy 0 < review <= match < 1');
  }
  return {
    parameters,
    thresholds,
    termFrequencies: options.termFrequencies ?? ((parameters.termFrequencies ?? {}) as TermFrequencies),
  };
}

/** One bar of a waterfall chart. */
export interface FieldComparison {
  field: ComparisonField;
  group: EvidenceGroup;
  /** Level label, e.g. "exact", "jaro-winkler >= 0.92", "null" when a side lacks the field. */
  level: string;
  kind: LevelKind | 'null';
  queryValue: string | null;
  recordValue: string | null;
  m: number | null;
  u: number | null;
  /** Level weight log2(m/u) plus tfAdjustment, in bits. */
  weight: number;
  /** Term-frequency part of `weight` (exact name agreement only), in bits. */
  tfAdjustment: number;
}

export interface MatchExplanation {
  parametersVersion: string;
  /** log2(λ/(1-λ)), with λ scaled to the record's source (prior.ts): the waterfall's starting bar. */
  priorWeight: number;
  fields: FieldComparison[];
  /** priorWeight + Σ field weights. */
  totalWeight: number;
  probability: number;
  /** Independent identifiers that agree (NAME, DOB, ADDRESS, ...): MATCH needs two. */
  agreeingIdentifiers: EvidenceGroup[];
  /** Identifiers whose identifying field disagrees (a family name, which can change, aside). */
  contradictingIdentifiers?: EvidenceGroup[];
}

export interface MatchScore {
  probability: number;
  band: MatchBand | null;
  explanation: MatchExplanation;
}

const log2 = Math.log2;

/** What the fields of one evidence group said, for the two-identifier rule. */
interface GroupTally {
  /** An identifying field agrees. */
  agree: boolean;
  /** An identifying field that cannot change (not a family name) disagrees. */
  identifyingDisagree: boolean;
  /** A field that can change (a family name) disagrees: no veto, but the group is not clean. */
  changeableDisagree: boolean;
  /** Fields at an agree level or at a neutral one (agreement already counted). */
  supporting: number;
  /** Non-identifying fields (postcode, city) that disagree. */
  otherDisagree: number;
  weight: number;
}

function tfOf(model: MatchModel, field: ComparisonField, value: string): number | undefined {
  const table = model.termFrequencies[field];
  if (!table || table.total <= 0) return undefined;
  // A value the table does not hold weighs its level's average, as without a table: tables
  // leave out names held once (and a source's names beyond its limit, or a source that did
  // not answer), so "unseen" is not "rarest", and weighing it as the rarest lifted strangers
  // who share a name nobody counted.
  const count = table.counts[value];
  return count !== undefined && count > 0 ? count / table.total : undefined;
}

export function probabilityOf(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/**
 * Scores the record profile `r` against the query profile `q`. `lambda` is the prior of the
 * record's source (sourcePrior in prior.ts); the model's own λ by default.
 */
export function scorePair(model: MatchModel, q: Profile, r: Profile, lambda = model.parameters.probabilityTwoRandomRecordsMatch): MatchScore {
  const p = model.parameters;
  const priorWeight = priorWeightOf(lambda);
  const fields: FieldComparison[] = [];
  const groups = new Map<EvidenceGroup, GroupTally>();
  let total = priorWeight;
  for (const c of COMPARISONS) {
    const outcome = c.compare(q, r);
    if (!outcome) {
      fields.push({
        field: c.field,
        group: c.group,
        level: 'null',
        kind: 'null',
        queryValue: null,
        recordValue: null,
        m: null,
        u: null,
        weight: 0,
        tfAdjustment: 0,
      });
      continue;
    }
    const def = c.levels[outcome.level]!;
    const { m, u } = p.comparisons[c.field]!.levels[outcome.level]!;
    let tfAdjustment = 0;
    if (c.tfAdjusted && def.label === 'exact') {
      const tf = tfOf(model, c.field, outcome.queryValue);
      if (tf !== undefined) tfAdjustment = log2(u / tf);
    }
    // A neutral level repeats evidence another field of its group already counted.
    const weight = def.neutral ? 0 : log2(m / u) + tfAdjustment;
    total += weight;
    fields.push({
      field: c.field,
      group: c.group,
      level: def.label,
      kind: def.kind,
      queryValue: outcome.queryValue,
      recordValue: outcome.recordValue,
      m,
      u,
      weight,
      tfAdjustment,
    });
    const g = groups.get(c.group) ?? { agree: false, identifyingDisagree: false, changeableDisagree: false, supporting: 0, otherDisagree: 0, weight: 0 };
    g.agree ||= c.identifying && def.kind === 'agree';
    if (def.kind === 'disagree') {
      if (!c.identifying) g.otherDisagree++;
      else if (c.changeable) g.changeableDisagree = true;
      else g.identifyingDisagree = true;
    }
    if (def.kind === 'agree' || def.neutral) g.supporting++;
    g.weight += weight;
    groups.set(c.group, g);
  }
  const agrees = (g: GroupTally) => g.agree && !g.identifyingDisagree && g.otherDisagree < g.supporting && g.weight > 0;
  // An identifier agrees when an identifying field agrees, no identifying field disagrees
  // (a family name may: the given name agreeing under another surname is a change of name),
  // its net evidence is positive ("John Smith" vs "John Jones" is no agreeing name) and
  // fewer of its other fields disagree than agree: the same street and postcode with a
  // mistyped city is one address; the same street in another postcode and city is not.
  const agreeing = [...groups].filter(([, g]) => agrees(g)).map(([k]) => k);
  // A given name under another family name is a change of name only beside a date of birth
  // that agrees: an e-mail address made of the given name ("nicholas41@") says nothing more.
  const renamed = groups.get('NAME')?.changeableDisagree === true && !agreeing.includes('DOB');
  const agreeingIdentifiers = renamed ? agreeing.filter((k) => k !== 'NAME') : agreeing;
  // One name alone (a surname: what a family shares) that agrees while as many identifiers
  // disagree as agree (a birth date decades off, another city) is two of a family sharing an
  // e-mail address or a phone, not one person: REVIEW for a handler, never MATCH.
  const namesAgreeing = fields.filter((x) => x.group === 'NAME' && x.kind === 'agree').length;
  // A name agreeing under another family name still carries that disagreement: it counts
  // here, so a changed surname needs more agreement than disagreement around it.
  const disagreeing = [...groups].filter(([, g]) =>
    agrees(g) ? g.changeableDisagree : g.identifyingDisagree || g.changeableDisagree || g.otherDisagree > 0,
  ).length;
  const contradicted = namesAgreeing === 1 && agreeingIdentifiers.includes('NAME') && disagreeing >= agreeingIdentifiers.length;
  const probability = probabilityOf(total);
  const t = model.thresholds;
  const band = probability >= t.match && agreeingIdentifiers.length >= 2 && !contradicted ? MatchBand.MATCH : probability >= t.review ? MatchBand.REVIEW : null;
  return {
    probability,
    band,
    explanation: {
      parametersVersion: p.version,
      priorWeight,
      fields,
      totalWeight: total,
      probability,
      agreeingIdentifiers,
      contradictingIdentifiers: [...groups].filter(([, g]) => g.identifyingDisagree).map(([k]) => k),
    },
  };
}
