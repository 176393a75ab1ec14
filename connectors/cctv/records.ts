// How visitor-log rows become contract records: the person is the VISITOR of a visit.
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { nameIdentifiers } from '../shared/record-helpers.js';

export const visitSpec: RecordTypeSpec = {
  recordType: 'visit',
  table: 'visits',
  prefix: 'VIS-',
  identifiersOf: (r) => ids([[T.BADGE_ID, r.badge_id], ...nameIdentifiers(r)]),
  toRecord: (r) => ({
    relationship: Relationship.VISITOR,
    facts: { site: (r.site as string | null) ?? null },
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', company: 'company' },
};

export const cctvRecordTypes = [visitSpec] as const;
