// How a matched record is shown to one caller: special-category values withheld unless
// the principal may read them (R12), in the data and in the explanation's compared
// values; card numbers masked to their last four digits for everyone (R15); and the
// record's retention status from its source's policy (R8, R9). Pure.
import type { FieldDescription, RetentionPolicy, SourceDescription } from '../../connectors/contract.js';
import { isSpecialCategory, IdentifierType as T, type DataCategory, type SourceKind } from '../domain/vocabulary.js';
import { can, WITHHELD, type Principal } from '../auth/index.js';
import { REDACTED, redactExplanation, type EvidenceGroup, type RecordMatch } from '../identity/index.js';
import { retentionEndOf } from '../requests/decisions.js';
import { maskCardNumbers, maskRecordCardNumbers } from '../requests/redaction.js';

/** Which evidence group an identifier type is compared in. */
const GROUP_OF: Partial<Record<T, EvidenceGroup>> = {
  [T.GIVEN_NAME]: 'NAME',
  [T.FAMILY_NAME]: 'NAME',
  [T.FULL_NAME]: 'NAME',
  [T.DATE_OF_BIRTH]: 'DOB',
  [T.EMAIL]: 'EMAIL',
  [T.PHONE]: 'PHONE',
  [T.NATIONAL_ID]: 'NATIONAL_ID',
  [T.STREET_ADDRESS]: 'ADDRESS',
  [T.CITY]: 'ADDRESS',
  [T.POSTCODE]: 'ADDRESS',
  [T.MEMBERSHIP_NUMBER]: 'REFERENCE',
  [T.PATIENT_ID]: 'REFERENCE',
  [T.CANDIDATE_ID]: 'REFERENCE',
  [T.EMPLOYEE_ID]: 'REFERENCE',
  [T.LEARNER_ID]: 'REFERENCE',
  [T.BADGE_ID]: 'REFERENCE',
  [T.CERTIFICATE_NUMBER]: 'REFERENCE',
};

export interface PresentedComparison {
  field: string;
  group: string;
  level: string;
  kind: string;
  queryValue: string | null;
  recordValue: string | null;
  withheld: boolean;
  weight: number;
  m: number | null;
  u: number | null;
  tfAdjustment: number;
}

export interface RetentionStatusView {
  retainUntil: Date | null;
  statutory: boolean;
  legalHold: boolean;
  expired: boolean;
  basis: string | null;
  summary: string | null;
}

export interface PresentedRecord {
  sourceId: string;
  recordId: string;
  recordType: string;
  band: RecordMatch['band'];
  score: number;
  relationship: RecordMatch['relationship'];
  parentRecordId: string | null;
  controllerId: string | null;
  restricted: boolean;
  categories: string[];
  explanation: PresentedComparison[];
  matchWeight: {
    priorWeight: number;
    totalWeight: number;
    probability: number;
    agreeingIdentifiers: string[];
    parametersVersion: string;
    matchedAgainst: string;
    round: number;
  };
  totalWeight: number;
  probability: number;
  data: Record<string, unknown>;
  withheldFields: string[];
  retention: RetentionStatusView;
  createdAt: Date | null;
  lastActivityAt: Date | null;
}

function categoryLookup(description: SourceDescription | null, recordType: string) {
  const own = new Map<string, DataCategory[]>();
  const any = new Map<string, DataCategory[]>();
  for (const f of description?.fields ?? []) {
    if (f.recordType === recordType) own.set(f.field, f.categories);
    any.set(f.field, [...(any.get(f.field) ?? []), ...f.categories]);
  }
  // Nested rows (an access copy's encounters, monitoring) are described under their own record type.
  // A top-level field also takes the categories described under it (`visits.diagnosis`): rows
  // holding special-category data make the whole field special, as the access copy judges it.
  const under = (field: string) =>
    (description?.fields ?? []).filter((f) => f.recordType === recordType && f.field.startsWith(`${field}.`)).flatMap((f) => f.categories);
  return (field: string, nested: boolean) => (nested ? (any.get(field) ?? []) : [...(own.get(field) ?? any.get(field) ?? []), ...under(field)]);
}

/** Withholds special-category values, top level and in nested rows, naming what was withheld. */
export function redactRecordData(
  data: Record<string, unknown>,
  categoriesOf: (field: string, nested: boolean) => readonly DataCategory[],
): { data: Record<string, unknown>; withheld: string[] } {
  const withheld = new Set<string>();
  const walk = (value: Record<string, unknown>, nested: boolean, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [field, v] of Object.entries(value)) {
      const name = path ? `${path}.${field}` : field;
      if (categoriesOf(field, nested).some(isSpecialCategory)) {
        out[field] = WITHHELD;
        withheld.add(name);
      } else if (Array.isArray(v)) {
        out[field] = v.map((item) =>
          item && typeof item === 'object' && !Array.isArray(item) && !(item instanceof Date) ? walk(item as Record<string, unknown>, true, name) : item,
        );
      } else if (v && typeof v === 'object' && !(v instanceof Date)) {
        out[field] = walk(v as Record<string, unknown>, true, name);
      } else out[field] = v;
    }
    return out;
  };
  return { data: walk(data, false, ''), withheld: [...withheld].sort() };
}

/** Evidence groups whose compared values are special-category data in this source. */
export function specialGroups(fields: readonly FieldDescription[]): Set<EvidenceGroup> {
  const groups = new Set<EvidenceGroup>();
  for (const f of fields) {
    const group = f.identifierType ? GROUP_OF[f.identifierType] : undefined;
    // R12: judged by the categories too, as the data is, not by the source's flag alone.
    if (group && (f.special || f.categories.some(isSpecialCategory))) groups.add(group);
  }
  return groups;
}

export function retentionStatusOf(
  dates: RecordMatch['dates'],
  retention: RetentionPolicy | undefined,
  kind: SourceKind | undefined,
  now: Date,
): RetentionStatusView {
  if (!retention) return { retainUntil: null, statutory: false, legalHold: false, expired: false, basis: null, summary: null };
  const until = dates ? retentionEndOf(dates, retention, kind) : null;
  return {
    retainUntil: until,
    statutory: retention.statutory,
    // Statutory with unknown dates is held too: a handler must set the end (R8).
    legalHold: retention.statutory && (!until || now < until),
    expired: Boolean(until && until <= now),
    basis: retention.basis ?? null,
    summary: retention.summary,
  };
}

const asDate = (v: string | undefined) => (v ? new Date(v) : null);

/**
 * R15: a compared value shows a card number's last four digits only: a card number used as
 * an identifier (a membership or reference number) is still a card number. Phone numbers
 * and dates are not cards.
 */
function comparedValue(group: EvidenceGroup, value: string | null): string | null {
  return value === null || group === 'PHONE' || group === 'DOB' ? value : maskCardNumbers(value);
}

export function presentRecord(
  match: RecordMatch,
  description: SourceDescription | null,
  principal: Principal | null | undefined,
  now: Date = new Date(),
): PresentedRecord {
  const maySeeSpecial = can(principal, 'special-category:read');
  const hidden = maySeeSpecial ? new Set<EvidenceGroup>() : specialGroups(description?.fields ?? []);
  const explanation = redactExplanation(match.explanation, (g) => !hidden.has(g));
  const { data: shown, withheld } = maySeeSpecial
    ? { data: match.record.data ?? {}, withheld: [] }
    : redactRecordData(match.record.data ?? {}, categoryLookup(description, match.recordType));
  // R15: a card number a source forgot to mask shows its last four digits only, as in the access copy.
  const data = maskRecordCardNumbers(shown, description?.fields ?? [], match.recordType);
  const e = match.explanation;
  return {
    sourceId: match.sourceId,
    recordId: match.recordId,
    recordType: match.recordType,
    band: match.band,
    score: match.score,
    relationship: match.relationship,
    parentRecordId: match.parentRecordId ?? null,
    controllerId: match.controllerId ?? null,
    restricted: match.restricted ?? false,
    categories: [...match.categories],
    explanation: explanation.fields.map((f) => ({
      field: f.field,
      group: f.group,
      level: f.level,
      kind: f.kind,
      queryValue: comparedValue(f.group, f.queryValue),
      recordValue: comparedValue(f.group, f.recordValue),
      withheld: f.queryValue === REDACTED || f.recordValue === REDACTED,
      weight: f.weight,
      m: f.m,
      u: f.u,
      tfAdjustment: f.tfAdjustment,
    })),
    matchWeight: {
      priorWeight: e.priorWeight,
      totalWeight: e.totalWeight,
      probability: e.probability,
      agreeingIdentifiers: [...e.agreeingIdentifiers],
      parametersVersion: e.parametersVersion,
      matchedAgainst: match.matchedAgainst === 'QUERY' ? 'QUERY' : `${match.matchedAgainst.sourceId}/${match.matchedAgainst.recordId}`,
      round: match.round,
    },
    totalWeight: e.totalWeight,
    probability: e.probability,
    data,
    withheldFields: withheld,
    retention: retentionStatusOf(match.dates, description?.retention, description?.kind, now),
    createdAt: asDate(match.dates?.createdAt),
    lastActivityAt: asDate(match.dates?.lastActivityAt),
  };
}
