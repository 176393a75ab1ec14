// Shared pieces of record mapping: names, dates and bookkeeping flags.
import type { RecordDates } from '../contract.js';
import { IdentifierType } from '../../src/domain/vocabulary.js';
import { iso } from './sql.js';
import type { Row } from './reference-connector.js';

export function fullName(given: unknown, family: unknown): string | undefined {
  const text = [given, family]
    .filter((v) => typeof v === 'string' && v.trim())
    .join(' ')
    .trim();
  return text || undefined;
}

/** A person's name as the reference stores hold it: given, family, and the two joined. */
export function nameIdentifiers(r: Row): [IdentifierType, unknown][] {
  return [
    [IdentifierType.GIVEN_NAME, r.given_name],
    [IdentifierType.FAMILY_NAME, r.family_name],
    [IdentifierType.FULL_NAME, fullName(r.given_name, r.family_name)],
  ];
}

/** A postal address as the reference stores hold it. */
export function addressIdentifiers(r: Row): [IdentifierType, unknown][] {
  return [
    [IdentifierType.STREET_ADDRESS, r.street],
    [IdentifierType.CITY, r.city],
    [IdentifierType.POSTCODE, r.postcode],
  ];
}

export function datesOf(row: Row): RecordDates {
  const createdAt = iso(row.created_at);
  const lastActivityAt = iso(row.last_activity_at);
  return { ...(createdAt ? { createdAt } : {}), ...(lastActivityAt ? { lastActivityAt } : {}) };
}

export function text(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
