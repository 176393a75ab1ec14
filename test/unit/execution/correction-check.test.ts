import { describe, expect, it } from 'vitest';
import type { FieldDescription, SourceRecord } from '../../../connectors/contract.js';
import { IdentifierType, Relationship } from '../../../src/domain/vocabulary.js';
import { uncorrectedFields } from '../../../src/execution/correction-check.js';

const fields: FieldDescription[] = [
  { recordType: 'case', field: 'phone', categories: [], special: false, correctable: true, identifierType: IdentifierType.PHONE },
  { recordType: 'case', field: 'employer', categories: [], special: false, correctable: true },
];
const record = (data: Record<string, unknown>): SourceRecord => ({
  recordId: 'C-1',
  recordType: 'case',
  relationship: Relationship.SUBJECT,
  identifiers: [],
  data,
  dates: {},
});
const change = (field: string, value: string) => ({ field, value, reason: 'r' });

describe('uncorrectedFields (R14: a correction looked at again)', () => {
  it('an identifier field written in another format counts as corrected', () => {
    expect(uncorrectedFields(record({ phone: '+442079460999' }), [change('phone', '+44 20 7946 0999')], fields)).toEqual([]);
  });

  it('names a field the record still shows with another value, never the value', () => {
    const still = uncorrectedFields(
      record({ phone: '+442079460111', employer: 'Old Ltd' }),
      [change('phone', '+44 20 7946 0999'), change('employer', 'New Ltd')],
      fields,
    );
    expect(still).toEqual(['phone', 'employer']);
  });

  it('a field the record does not show, or shows as a structure, cannot be compared and is not reported', () => {
    expect(uncorrectedFields(record({ employer: { name: 'x' } }), [change('phone', '+44 20 7946 0999'), change('employer', 'New Ltd')], fields)).toEqual([]);
  });
});
