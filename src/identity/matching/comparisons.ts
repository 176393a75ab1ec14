// Comparison levels per field, as Splink defines them: an ordered list of predicates,
// most similar first, ending with the disagreement level ("else"). A field missing on
// either side is the null level and adds no evidence. The m/u probabilities of each
// level live in the parameters file; the predicates live here, and the loader checks
// that both list the same labels in the same order.
import type { NameValue, Profile } from './profile.js';
import { emailSkeleton, localPart } from '../normalise/contact.js';
import { jw, phoneticMatch, withinEdits, withinOneEdit } from './similarity.js';

/**
 * Groups of independent evidence for the band rule: given and family name are one
 * identifier (a name), street / postcode / city one (an address).
 */
export type EvidenceGroup = 'NAME' | 'DOB' | 'EMAIL' | 'PHONE' | 'NATIONAL_ID' | 'REFERENCE' | 'ADDRESS';

/** agree: counts toward the two-identifier rule; partial: weighs but does not count; disagree: the else level. */
export type LevelKind = 'agree' | 'partial' | 'disagree';

export type ComparisonField = 'givenName' | 'familyName' | 'dateOfBirth' | 'email' | 'phone' | 'nationalId' | 'reference' | 'street' | 'postcode' | 'city';

export interface LevelDefinition {
  label: string;
  kind: LevelKind;
  /**
   * The level's agreement is already counted by another field of its group (a postcode on
   * the street that agreed): it weighs nothing, so one address is one piece of evidence.
   */
  neutral?: boolean;
}

export interface ComparisonOutcome {
  level: number;
  /**
   * The level the values alone reach, when `level` is a neutral one standing in for it
   * (estimation counts the pair there, so the level keeps its weight where it does count).
   */
  underlying?: number;
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
  /**
   * The value can change during a life (a family name at marriage): its disagreement does
   * not stop its group agreeing when another identifying field of the group agrees.
   */
  changeable?: boolean;
  levels: readonly LevelDefinition[];
  /** Best level over all value pairs; null when either side lacks the field. */
  compare(q: Profile, r: Profile): ComparisonOutcome | null;
}

/** Best (lowest) level over the cartesian product of two value lists. */
function best<T>(qs: readonly T[], rs: readonly T[], levelOf: (a: T, b: T) => number, show: (v: T) => string): ComparisonOutcome | null {
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

/** Close enough to be the same name written in the other column. */
function sameName(x: NameValue, y: NameValue): boolean {
  return x.value === y.value || jw(x.value, y.value) >= 0.88 || (x.phonetic[0] !== '' && x.phonetic[0] === y.phonetic[0]);
}

/**
 * Given and family names compare the same way; only given names also have a nickname
 * level ("bill" and "william"). Levels run from the strongest agreement down. "names
 * reversed" (Splink's columns-reversed level) is this field's query value found in the
 * record's other name column: "Watson, Noah" against "Noah, Watson", also when the other
 * side left this column blank.
 */
function nameComparison(field: 'givenName' | 'familyName', side: 'given' | 'family', withNickname: boolean): ComparisonDefinition {
  // A family name agreeing where the street agreed while the given names do not agree is
  // what a household shares: neutral, so a spouse's record is not lifted by surname and
  // address counted as two pieces of evidence. With the given name agreeing it counts.
  const withHousehold = side === 'family';
  const levels: ComparisonDefinition['levels'] = [
    ...(withHousehold ? [{ label: 'agrees, street agrees', kind: 'partial', neutral: true } as const] : []),
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
  const otherSide = side === 'given' ? 'family' : 'given';
  return {
    field,
    group: 'NAME',
    identifying: true,
    tfAdjusted: true,
    // Another family name with the same given name is what a change of name looks like;
    // another given name with the same family name is what a sibling looks like.
    changeable: side === 'family',
    levels,
    compare(q, r) {
      const out = best(
        q[side],
        r[side],
        (a, b) => {
          if (a.value === b.value) return exact;
          if (withNickname && a.canonical === b.canonical) return nickname;
          const s = jw(a.value, b.value);
          if (s >= 0.92) return close;
          if (phoneticMatch(a.phonetic, b.phonetic)) return phonetic;
          if (s >= 0.8) return similar;
          return other;
        },
        showName,
      );
      const household = (o: ComparisonOutcome) => {
        if (withHousehold && levels[o.level]!.kind === 'agree' && streetAgrees(q, r) && !givenAgrees(q, r)) {
          o.underlying = o.level;
          o.level = 0;
        }
        return o;
      };
      if (out && out.level < other) return household(out);
      const cross = best(q[side], r[otherSide], (a, b) => (sameName(a, b) ? crossed : other), showName);
      if (cross && cross.level === crossed) return household(cross);
      // The record holds one name, in this column, and it is the query's other name: the
      // record wrote its only name in the wrong column, which is no evidence against the pair.
      if (out && r[otherSide].length === 0 && r[side].some((b) => q[otherSide].some((a) => sameName(a, b)))) return null;
      return out;
    },
  };
}

const givenName = nameComparison('givenName', 'given', true);
const familyName = nameComparison('familyName', 'family', false);

function givenAgrees(q: Profile, r: Profile): boolean {
  const out = givenName.compare(q, r);
  return out !== null && givenName.levels[out.level]!.kind === 'agree';
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

const DAY_MS = 86_400_000;
const daysApart = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / DAY_MS;

const dateOfBirth: ComparisonDefinition = {
  field: 'dateOfBirth',
  group: 'DOB',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'one typo', kind: 'agree' },
    { label: 'day and month transposed', kind: 'agree' },
    { label: 'within a month', kind: 'agree' },
    { label: 'within a year', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(
      q.dob,
      r.dob,
      (a, b) => {
        if (a === b) return 0;
        if (withinOneEdit(a.replace(/-/g, ''), b.replace(/-/g, ''))) return 1;
        const [ay, am, ad] = a.split('-');
        const [by, bm, bd] = b.split('-');
        if (ay === by && am === bd && ad === bm) return 2;
        const days = daysApart(a, b);
        if (days <= 31) return 3;
        if (days <= 366) return 4;
        return 5;
      },
      (v) => v,
    );
  },
};

const lettersOf = (s: string) => s.replace(/[^a-z]/g, '');

/**
 * The letter before `name` in `local` ("n" in "nmorrison", "" in "morrison"), when the rest
 * is the name or one edit from it; undefined when `local` is no name with at most one letter
 * before it. The closer split wins, so "nmorrisn" is "n" + "morrisn".
 */
function initialBefore(local: string, name: string): string | undefined {
  let out: { initial: string; distance: number } | undefined;
  for (const k of [1, 0]) {
    const rest = local.slice(k);
    const distance = rest === name ? 0 : withinOneEdit(rest, name) ? 1 : 2;
    if (distance <= 1 && (!out || distance < out.distance)) out = { initial: local.slice(0, k), distance };
  }
  return out?.initial;
}

const reversed = (s: string) => [...s].reverse().join('');

/**
 * Two local parts made of one name a record carries (or a typo of it) and a different
 * letter before or after it: "nmorrison" and "cmorrison", "white" and "cwhite",
 * "chelseam" and "chelsean" are the addresses of two people of a family, not one address
 * with a typo.
 */
export function otherInitial(a: string, b: string, q: Profile, r: Profile): boolean {
  const x = lettersOf(a);
  const y = lettersOf(b);
  if (x === y) return false;
  for (const names of [q.given, q.family, r.given, r.family]) {
    for (const { value } of names) {
      if (value.length < 3) continue;
      const before = [initialBefore(x, value), initialBefore(y, value)];
      if (before[0] !== undefined && before[1] !== undefined && before[0] !== before[1]) return true;
      const name = reversed(value);
      const after = [initialBefore(reversed(x), name), initialBefore(reversed(y), name)];
      if (after[0] !== undefined && after[1] !== undefined && after[0] !== after[1]) return true;
    }
  }
  return false;
}

const email: ComparisonDefinition = {
  field: 'email',
  group: 'EMAIL',
  identifying: true,
  tfAdjusted: false,
  levels: [
    { label: 'exact', kind: 'agree' },
    { label: 'same but for punctuation', kind: 'agree' },
    { label: 'same local part', kind: 'partial' },
    { label: 'within two edits', kind: 'agree' },
    { label: 'jaro-winkler >= 0.88', kind: 'partial' },
    { label: 'same domain', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    return best(
      q.email,
      r.email,
      (a, b) => {
        if (a === b) return 0;
        const sa = emailSkeleton(a);
        const sb = emailSkeleton(b);
        // A lost "@" or a dot in its place (sources keep such addresses as they are).
        if (sa === sb) return 1;
        const la = localPart(a);
        if (la !== '' && la === localPart(b)) return 2;
        // Typos, but not other digits: "jack71" and "jack67" are two people's accounts, nor
        // another initial before a shared name: "cmorrison" and "nmorrison" are two of a family.
        const lb = localPart(b);
        if (withinEdits(sa, sb, 2) && digitsOf(la) === digitsOf(lb) && !otherInitial(la, lb, q, r)) return 3;
        if (jw(a, b) >= 0.88) return 4;
        const at = a.lastIndexOf('@');
        if (at > 0 && b.endsWith(a.slice(at))) return 5;
        return 6;
      },
      (v) => v,
    );
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
      return best(
        q[field],
        r[field],
        (a, b) => (a === b ? 0 : withinOneEdit(a, b) ? 1 : 2),
        (v) => v,
      );
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
    return best(
      qs,
      rs,
      (a, b) => (a === b ? 0 : typeOf(a) === typeOf(b) ? 1 : 2),
      (v) => v,
    );
  },
};

const streetLevel = (a: string, b: string) => {
  if (a === b) return 0;
  const s = jw(a, b);
  return s >= 0.9 ? 1 : s >= 0.75 ? 2 : 3;
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
    return best(q.street, r.street, streetLevel, (v) => v);
  },
};

// Street, postcode and city of one address are not independent: two records on the same
// street share its postcode and city whether or not they are the same person (a spouse).
// A postcode that agrees where the street already agreed, and a city that agrees where the
// street or postcode already agreed, are neutral levels: the address counts once.
const streetAgrees = (q: Profile, r: Profile) => q.street.some((a) => r.street.some((b) => streetLevel(a, b) <= 1));
const postcodeAgrees = (q: Profile, r: Profile) => q.postcode.some((a) => r.postcode.includes(a));

const postcode: ComparisonDefinition = {
  field: 'postcode',
  group: 'ADDRESS',
  identifying: false,
  tfAdjusted: false,
  levels: [
    { label: 'exact, street agrees', kind: 'partial', neutral: true },
    { label: 'exact', kind: 'agree' },
    { label: 'one typo', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    const out = best(
      q.postcode,
      r.postcode,
      (a, b) => (a === b ? 1 : withinOneEdit(a, b) ? 2 : 3),
      (v) => v,
    );
    if (out?.level === 1 && streetAgrees(q, r)) out.level = 0;
    return out;
  },
};

const city: ComparisonDefinition = {
  field: 'city',
  group: 'ADDRESS',
  identifying: false,
  tfAdjusted: false,
  levels: [
    { label: 'agrees, street or postcode agrees', kind: 'partial', neutral: true },
    { label: 'exact', kind: 'agree' },
    { label: 'jaro-winkler >= 0.88', kind: 'agree' },
    { label: 'jaro-winkler >= 0.70', kind: 'partial' },
    { label: 'else', kind: 'disagree' },
  ],
  compare(q, r) {
    const out = best(
      q.city,
      r.city,
      (a, b) => {
        if (a === b) return 1;
        const s = jw(a, b);
        return s >= 0.88 ? 2 : s >= 0.7 ? 3 : 4;
      },
      (v) => v,
    );
    if (out && out.level <= 2 && (streetAgrees(q, r) || postcodeAgrees(q, r))) out.level = 0;
    return out;
  },
};

export const COMPARISONS: readonly ComparisonDefinition[] = [givenName, familyName, dateOfBirth, email, phone, nationalId, reference, street, postcode, city];
