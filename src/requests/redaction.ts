// What an access copy may show of a record (R12, R15, R16). Card numbers are masked to the
// last four digits even when a connector forgot to; special-category fields are redacted
// unless the caller may see them; footage frames showing other people are withheld.
import type { FieldDescription, Identifier, SourceRecord, SourceRules } from '../../connectors/contract.js';
import { DataCategory, IdentifierType, isSpecialCategory, sourceRulesOf, type SourceKind } from '../domain/vocabulary.js';
import { isRelatedAppearance } from './decisions.js';

export const REDACTED = '[REDACTED]';
export const WITHHELD = '[WITHHELD]';
/** What a person's copy shows instead of the id of another person's record it points at (R16). */
export const OTHER_PERSONS_RECORD = "[ANOTHER PERSON'S RECORD]";

// 12-19 digits in one run, or grouped as cards are printed (4-4-4-x, Amex 4-6-5) with one
// kind of separator (space, dash or dot). Any other grouping (`4111 11 11 1111 1111`,
// `4111  1111.1111 1111`) counts when its 13-19 digits pass the Luhn check every card number
// passes. A leading '+' marks a phone number, not a card.
interface CardPattern {
  pattern: RegExp;
  luhn: boolean;
}
const CARD_PATTERNS: readonly CardPattern[] = [
  { pattern: /(?<![\d+])\d{12,19}(?!\d)/g, luhn: false },
  { pattern: /(?<![\d+])\d{4}([ .-])\d{4}\1\d{4}\1\d{1,7}(?!\d)/g, luhn: false },
  { pattern: /(?<![\d+])\d{4}([ .-])\d{6}\1\d{4,5}(?!\d)/g, luhn: false },
  { pattern: /(?<![\d+])\d(?:[ .-]{0,2}\d){12,18}(?!\d)/g, luhn: true },
];

/** The Luhn check digit test (ISO/IEC 7812) on the digits of a text. */
function passesLuhn(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function maskDigits(match: string): string {
  const total = match.replace(/\D/g, '').length;
  let seen = 0;
  return match.replace(/\d/g, (digit) => (++seen > total - 4 ? digit : '*'));
}

/** Replaces every digit of a card-number-like run but the last four with '*' (R15). */
export function maskCardNumbers(text: string): string {
  return CARD_PATTERNS.reduce((out, { pattern, luhn }) => out.replace(pattern, (match) => (luhn && !passesLuhn(match) ? match : maskDigits(match))), text);
}

/** True when the text still holds a card-number-like run of digits. */
export function containsCardNumber(text: string): boolean {
  return CARD_PATTERNS.some(({ pattern, luhn }) => [...text.matchAll(new RegExp(pattern.source, 'g'))].some((m) => !luhn || passesLuhn(m[0])));
}

/** Masks card numbers in any value, walking arrays and objects; counts masked values. */
export function maskCardNumbersDeep(value: unknown, counter: { masked: number } = { masked: 0 }): unknown {
  const maskText = (text: string): string => {
    const masked = maskCardNumbers(text);
    if (masked !== text) counter.masked += 1;
    return masked;
  };
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    const text = String(value);
    const masked = maskText(text);
    return masked === text ? value : masked;
  }
  if (typeof value === 'bigint') return maskText(value.toString());
  if (Array.isArray(value)) return value.map((v) => maskCardNumbersDeep(v, counter));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskCardNumbersDeep(v, counter)]));
  }
  return value;
}

/**
 * R15: whether a field's value is checked for card numbers: every field but an identifier the
 * source describes (a phone or membership number is not a card), unless described as card data.
 */
export function mayHoldCardNumber(description: FieldDescription | undefined, categories: readonly DataCategory[]): boolean {
  return description?.identifierType === undefined || categories.includes(DataCategory.PAYMENT_CARD);
}

/** R15: a record's data as shown to anyone, card numbers masked field by field (mayHoldCardNumber). */
export function maskRecordCardNumbers(data: Record<string, unknown>, fields: readonly FieldDescription[], recordType: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([field, value]) => [
      field,
      mayHoldCardNumber(describeField(fields, recordType, field), fieldCategories(fields, recordType, field)) ? maskCardNumbersDeep(value) : value,
    ]),
  );
}

/**
 * R15: whether an identifier's value is checked for card numbers, as a field's is: a type the
 * source describes only as a non-card identifier (a membership number) is not, a phone never;
 * a type described as card data, or not described at all, is.
 */
export function identifierMayHoldCardNumber(type: IdentifierType, fields: readonly FieldDescription[]): boolean {
  if (type === IdentifierType.PHONE) return false;
  const described = fields.filter((f) => f.identifierType === type);
  return described.length === 0 || described.some((f) => f.categories.includes(DataCategory.PAYMENT_CARD));
}

/** R15: identifiers as a copy or a handler's view lists them, card numbers masked (identifierMayHoldCardNumber). */
export function maskIdentifierCardNumbers(
  identifiers: readonly Identifier[],
  fields: readonly FieldDescription[],
  counter: { masked: number } = { masked: 0 },
): Identifier[] {
  return identifiers.map((id) => {
    if (!identifierMayHoldCardNumber(id.type, fields)) return id;
    const value = maskCardNumbers(id.value);
    if (value === id.value) return id;
    counter.masked += 1;
    return { ...id, value };
  });
}

/**
 * R16: whether a value of a person's appearance in someone else's record names that record
 * (`patient_id`, `candidate_ref`): the parent's id as the source gives it, or its last part
 * after a `recordType:` prefix (the generic SQL source's form).
 */
function namesParentRecord(value: unknown, parentRecordId: string): boolean {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return false;
  const text = String(value).trim();
  if (text === '') return false;
  return text === parentRecordId || parentRecordId.endsWith(`:${text}`);
}

export interface FieldView {
  categories: DataCategory[];
  special: boolean;
  described: boolean;
}

export interface Redaction {
  field: string;
  kind: 'SPECIAL_CATEGORY' | 'OTHER_PEOPLE';
  reason: string;
}

export interface SanitisedRecord {
  data: Record<string, unknown>;
  fields: Record<string, FieldView>;
  redactions: Redaction[];
  notes: string[];
  /** Number of card-number-like values masked here (the connector should have done it). */
  maskedCardValues: number;
}

export function describeField(fields: readonly FieldDescription[], recordType: string, field: string): FieldDescription | undefined {
  return fields.find((f) => f.recordType === recordType && f.field === field) ?? fields.find((f) => f.field === field);
}

/**
 * Categories of a field: its own, and those of the nested fields a source describes under it
 * (`equalOpportunityMonitoring.ethnicity`): a nested row holding special-category data makes
 * the whole field special (R12).
 */
export function fieldCategories(fields: readonly FieldDescription[], recordType: string, field: string): DataCategory[] {
  const own = describeField(fields, recordType, field)?.categories ?? [];
  const nested = fields.filter((f) => f.recordType === recordType && f.field.startsWith(`${field}.`)).flatMap((f) => f.categories);
  return [...new Set([...own, ...nested])];
}

/**
 * Special categories of the rows nested in a value (a record's visits, encounters), each key
 * as any record type of the source describes it: discovery withholds such rows by the same
 * lookup (src/discovery/record-presentation.ts), and the access copy must count them too (R12).
 */
function nestedSpecialCategories(fields: readonly FieldDescription[], value: unknown): DataCategory[] {
  const found = new Set<DataCategory>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && !(v instanceof Date)) {
      for (const [key, inner] of Object.entries(v)) {
        for (const f of fields) if (f.field === key) f.categories.filter(isSpecialCategory).forEach((c) => found.add(c));
        walk(inner);
      }
    }
  };
  walk(value);
  return [...found];
}

function bystandersOf(record: SourceRecord): number {
  const n = record.facts?.bystanders;
  return typeof n === 'number' && n > 0 ? n : 0;
}

/** Applies R12, R15 and R16 to one released record. */
export function sanitiseRecord(
  record: SourceRecord,
  sourceKind: SourceKind,
  fields: readonly FieldDescription[],
  canSeeSpecialCategories: boolean,
  /** What the source describes of its data's rules; its kind's when absent. */
  sourceRules?: SourceRules,
): SanitisedRecord {
  const { footage } = sourceRulesOf(sourceKind, sourceRules);
  const data: Record<string, unknown> = {};
  const views: Record<string, FieldView> = {};
  const redactions: Redaction[] = [];
  const notes: string[] = [];
  const counter = { masked: 0 };

  const bystanders = bystandersOf(record);
  const alreadyRedacted = record.facts?.redacted === true;
  const hidesOthers = bystanders > 0 && !alreadyRedacted;
  if (bystanders > 0) {
    notes.push(
      alreadyRedacted
        ? `Other people (${bystanders}) are blurred or cut from this copy.`
        : `Frames showing ${bystanders} other ${bystanders === 1 ? 'person' : 'people'} are withheld to protect them.`,
    );
  }

  // R16: a person's appearance in another person's record: the copy says so, but does not
  // name that record (its id is the other person's pseudonymous identifier).
  const otherParent = isRelatedAppearance(record.relationship) && record.parentRecordId ? record.parentRecordId : undefined;
  if (otherParent) notes.push('You appear in a record about another person; that record is not named in this copy.');

  for (const [field, value] of Object.entries(record.data ?? {})) {
    const d = describeField(fields, record.recordType, field);
    if (otherParent && namesParentRecord(value, otherParent)) {
      data[field] = OTHER_PERSONS_RECORD;
      views[field] = { categories: d?.categories ?? [], special: false, described: d !== undefined };
      redactions.push({ field, kind: 'OTHER_PEOPLE', reason: 'names a record about another person (R16)' });
      continue;
    }
    const categories = [...new Set([...fieldCategories(fields, record.recordType, field), ...nestedSpecialCategories(fields, value)])];
    const special = (d?.special ?? false) || categories.some(isSpecialCategory);
    views[field] = { categories, special, described: d !== undefined };

    // R16: footage with other people in it: keep only described, non-video metadata.
    const isVideo = categories.includes(DataCategory.VIDEO) || (footage === true && d === undefined);
    if (hidesOthers && isVideo) {
      data[field] = WITHHELD;
      redactions.push({ field, kind: 'OTHER_PEOPLE', reason: 'shows other people (R16)' });
      continue;
    }
    if (special && !canSeeSpecialCategories) {
      data[field] = REDACTED;
      const labels =
        categories
          .filter(isSpecialCategory)
          .map((c) => c.toLowerCase())
          .join(', ') || 'special category';
      redactions.push({ field, kind: 'SPECIAL_CATEGORY', reason: `special-category data (${labels}) shown only to authorised personnel (R12)` });
      continue;
    }
    data[field] = mayHoldCardNumber(d, categories) ? maskCardNumbersDeep(value, counter) : value;
  }
  return { data, fields: views, redactions, notes, maskedCardValues: counter.masked };
}
