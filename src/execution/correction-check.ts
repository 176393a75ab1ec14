// R14, looked at again: after a source answers that a correction took, the record is read
// back and each corrected field it shows is compared with the correction. Pure: the record
// and the source's field descriptions in, the fields still holding another value out.
import type { FieldChange, FieldDescription, SourceRecord } from '../../connectors/contract.js';
import type { IdentifierType } from '../domain/vocabulary.js';
import { normaliseRecordIdentifiers, type NormaliseOptions } from '../identity/index.js';

/**
 * The corrected fields the record still shows with another value (names only, never values).
 * An identifier field is compared as the gateway reads identifiers ("+44 20 …" and
 * "+4420…" agree); another field as trimmed text. A field the record's data does not show
 * (or shows as a structure) cannot be compared and is not reported.
 */
export function uncorrectedFields(
  record: SourceRecord,
  changes: readonly FieldChange[],
  fields: readonly FieldDescription[],
  /** How the source's values are read (its phone country): both sides are the source's now. */
  reading: NormaliseOptions = {},
): string[] {
  return changes
    .filter((change) => {
      if (!Object.hasOwn(record.data, change.field)) return false;
      const held = record.data[change.field];
      if (held !== null && typeof held === 'object') return false;
      const type = fields.find((f) => f.field === change.field && f.recordType === record.recordType && f.identifierType)?.identifierType;
      return !sameValue(held === null || held === undefined ? '' : String(held), change.value, type, reading);
    })
    .map((change) => change.field);
}

function sameValue(held: string, wanted: string, type: IdentifierType | undefined, reading: NormaliseOptions): boolean {
  if (type) {
    const [a] = normaliseRecordIdentifiers([{ type, value: held }], reading);
    const [b] = normaliseRecordIdentifiers([{ type, value: wanted }], reading);
    if (a && b) return a.value === b.value;
  }
  return held.trim() === wanted.trim();
}
