// Comparison levels per field, as Splink defines them: an ordered list of predicates,
// most similar first, ending with the disagreement level ("else"). A field missing on
// either side is the null level and adds no evidence. The m/u probabilities of each
// level live in the parameters file; the predicates live here, and the loader checks
// that both list the same labels in the same order.
import type { NameValue, Profile } from './profile.js';
import { jw, phoneticMatch, withinOneEdit } from './similarity.js';

/**
 * Groups of independent evidence for the band rule: given and family name are one
 * identifier (a name), street / postcode / city one (an address).
 */
export type EvidenceGroup = 'NAME' | 'DOB' | 'EMAIL' | 'PHONE' | 'NATIONAL_ID' | 'REFERENCE' | 'ADDRESS';

/** agree: counts toward the two-identifier rule; partial: weighs but does not count; disagree: the else level. */
export type LevelKind = 'agree' | 'partial' | 'disagree';

export type ComparisonField =
  | 'givenName' | 'familyName' | 'dateOfBirth' | 'email' | 'phone' | 'nationalId' | 'reference' | 'street' | 'postcode' | 'city';

export interface LevelDefinition {
  label: string;
  kind: LevelKind;
}

export interface ComparisonOutcome {
  level: number;
  queryValue: string;
  recordValue: string;
}

export interface ComparisonDefinition {
  field: ComparisonField;
  group: EvidenceGroup;
  /** When false the field weighs but cannot make its group agree alone (postcode, city). */
  identifying: boolean;
  /** Exact agreement is weighted by how common the value is (Splink's tf adjustment). */
  tfAdjusted: boolean;
  levels: readonly LevelDefinition[];
  /** Best level over all value pairs; null when either side lacks the field. */
  compare(q: Profile, r: Profile): ComparisonOutcome | null;
}

/** Best (lowest) level over the cartesian product of two value lists. */
function best<T>(
  qs: readonly T[],
  rs: readonly T[],
  levelOf: (a: T, b: T) => number,
  show: (v: T) => string,
): ComparisonOutcome | null {
  if (qs.length === 0 || rs.length === 0) return null;
  let out: ComparisonOutcome | null = null;
  for (const a of qs) {
    for (const b of rs) {
      const level = levelOf(a, b);
      if (!out || level < out.level) out = { level, queryValue: show(a), recordValue: show(b) };
      if (level === 0) return out;
    }
  }
  return out;
}

const showName = (n: NameValue) => n.value;

/** Given and family names crossed: "Smith John" against "John Smith". */
function reversed(q: Profile, r: Profile): boolean {
  const close = (a: NameValue[], b: NameValue[]) => a.some((x) => b.some((y) => x.value === y.value || jw(x.value, y.value) >= 0.92));
  return close(q.given, r.family) && close(q.family, r.given);
}

/**
 * Given and family names compare the same way; only given names also have a nickname
 * level ("bill" and "william"). Levels run from the strongest agreement down.
 */
function nameComparison(field: 'givenName' | 'familyName', side: 'given' | 'family', withNickname: boolean): ComparisonDefinition {
  const levels: ComparisonDefinition['levels'] = [
    { label: 'exact', kind: 'agree' },
    ...(withNickname ? [{ label: 'nickname', kind: 'agree' } as const] : []),
    { label: 'jaro-winkler >= 0.92', kind: 'agree' },
    { label: 'phonetic', kind: 'agree' },
    { label: 'jaro-winkler >= 0.80', kind: 'partial' },
    { label: 'names reversed', kind: 'agree' },
    { label: 'else', kind: 'disagree' },
  ];
  const level = (label: string) => levels.findIndex((l) => l.label === label);
  const [exact, nickname, close, phonetic, similar, crossed, other] = [
    'exact',
    'nickname',
    'jaro-winkler >= 0.92',
    'phonetic',
    'jaro-winkler >= 0.80',
    'names reversed',
    'else',
  ].map(level) as [number, number, number, number, number, number, number];
  return {
    field,
    group: 'NAME',
    identifying: true,
    tfAdjusted: true,
    levels,
    compare(q, r) {
      const out = best(q[side], r[side], (a, b) => {
        if (a.value === b.value) return exact;
        if (withNickname && a.canonical === b.canonical) return nickname;
        const s = jw(a.value, b.value);
        if (s >= 0.92) return close;
        if (phoneticMatch(a.phonetic, b.phonetic)) return phonetic;
        if (s >= 0.8) return similar;
        return other;
      }, showName);
      if (out && out.level === other && reversed(q, r)) out.level = crossed;
      return out;
    },
  };
}

const givenName = nameComparison('givenName', 'given', true);
const familyName = nameComparison('familyName', 'family', false);

const dateOfBirth: ComparisonDefinition = {
  field: 'dateOfBirth',
  group: 'DOB',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'one typo', kind: 'agree' },
    { label: 'day and month transposed', kind: 'agree' },
    { label: 'same year and month', kind: 'partial' },
    { label: 'same year', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(q.dob, r.dob, (a, b) => {
      if (a === b) return 0;
      if (withinOneEdit(a.replace(/-/g, ''), b.replace(/-/g, ''))) return 1;
      const [ay, am, ad] = a.split('-');
      const [by, bm, bd] = b.split('-');
      if (ay === by && am === bd && ad === bm) return 2;
      if (ay === by && am === bm) return 3;
      if (ay === by) return 4;
      return 5;
    }, (v) => v);
  },
};

const email: ComparisonDefinition = {
  field: 'email',
  group: 'EMAIL',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'same local part', kind: 'partial' },
    { label: 'jaro-winkler >= 0.88', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(q.email, r.email, (a, b) => {
      if (a === b) return 0;
      if (a.slice(0, a.lastIndexOf('@')) === b.slice(0, b.lastIndexOf('@'))) return 1;
      if (jw(a, b) >= 0.88) return 2;
      return 3;
    }, (v) => v);
  },
};

/**
 * Identifiers compared as codes: the same, one typo apart, or different. A typo in a
 * national id still agrees (its check digits make near-misses rare); in a phone number
 * or a postcode it only partly agrees.
 */
function exactOrTypo(
  field: 'phone' | 'nationalId' | 'postcode',
  group: EvidenceGroup,
  options: { identifying: boolean; typo: 'agree' | 'partial' },
): ComparisonDefinition {
  return {
    field,
    group,
    identifying: options.identifying,
    tfAdjusted: false,
    levels: [
      { label: 'exact', kind: 'agree' },
      { label: 'one typo', kind: options.typo },
      { label: 'else', kind: 'disagree' },
    ],
    compare(q, r) {
      return best(q[field], r[field], (a, b) => (a === b ? 0 : withinOneEdit(a, b) ? 1 : 2), (v) => v);
    },
  };
}

const phone = exactOrTypo('phone', 'PHONE', { identifying: true, typo: 'partial' });

const nationalId = exactOrTypo('nationalId', 'NATIONAL_ID', { identifying: true, typo: 'agree' });

const typeOf = (ref: string) => ref.slice(0, ref.indexOf(':'));

const reference: ComparisonDefinition = {
  field: 'reference',
  group: 'REFERENCE',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    // Only ids of the same type compare: a badge id says nothing about a patient number.
    const types = new Set(q.references.map(typeOf));
    const rs = r.references.filter((x) => types.has(typeOf(x)));
    const qs = q.references.filter((x) => rs.some((y) => typeOf(y) === typeOf(x)));
    return best(qs, rs, (a, b) => (a === b ? 0 : typeOf(a) === typeOf(b) ? 1 : 2), (v) => v);
  },
};

const street: ComparisonDefinition = {
  field: 'street',
  group: 'ADDRESS',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'jaro-winkler >= 0.90', kind: 'agree' },
    { label: 'jaro-winkler >= 0.75', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(q.street, r.street, (a, b) => {
      if (a === b) return 0;
      const s = jw(a, b);
      return s >= 0.9 ? 1 : s >= 0.75 ? 2 : 3;
    }, (v) => v);
  },
};

const postcode = exactOrTypo('postcode', 'ADDRESS', { identifying: false, typo: 'partial' });

const city: ComparisonDefinition = {
  field: 'city',
  group: 'ADDRESS',
  identifying: false,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'jaro-winkler >= 0.88', kind: 'agree' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(q.city, r.city, (a, b) => (a === b ? 0 : jw(a, b) >= 0.88 ? 1 : 2), (v) => v);
  },
};

export const COMPARISONS: readonly ComparisonDefinition[] = [
  givenName, familyName, dateOfBirth, email, phone, nationalId, reference, street, postcode, city,
];

/** Per-field levels of one pair: the comparison vector estimation counts. */
export function comparisonVector(q: Profile, r: Profile): (ComparisonOutcome | null)[] {
  return COMPARISONS.map((c) => c.compare(q, r));
}
