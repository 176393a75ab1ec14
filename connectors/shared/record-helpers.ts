// Shared pieces of record mapping: names, dates and bookkeeping flags.
import type { RecordDates } from '../contract.js';
import { iso } from './sql.js';
import type { Row } from './reference-connector.js';

export function fullName(given: unknown, family: unknown): string | undefined {
  const text = [given, family].filter((v) => typeof v === 'string' && v.trim()).join(' ').trim();
  return text || undefined;
}

export function datesOf(row: Row): RecordDates {
  const createdAt = iso(row.created_at);
  const lastActivityAt = iso(row.last_activity_at);
  return { ...(createdAt ? { createdAt } : {}), ...(lastActivityAt ? { lastActivityAt } : {}) };
}

export function text(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
