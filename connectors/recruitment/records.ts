// How recruitment rows become contract records.
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { addressIdentifiers, nameIdentifiers, text } from '../shared/record-helpers.js';

export const CANDIDATE_CHILDREN = [
  { name: 'applications', table: 'applications', foreignKey: 'candidate_ref' },
  { name: 'workHistory', table: 'work_history', foreignKey: 'candidate_ref' },
  { name: 'education', table: 'education', foreignKey: 'candidate_ref' },
  { name: 'backgroundChecks', table: 'background_checks', foreignKey: 'candidate_ref' },
  { name: 'equalOpportunityMonitoring', table: 'eo_monitoring', foreignKey: 'candidate_ref' },
];

export const candidateSpec: RecordTypeSpec = {
  recordType: 'candidate',
  table: 'candidates',
  prefix: 'CAND-',
  identifiersOf: (r) => ids([[T.CANDIDATE_ID, r.candidate_id], ...nameIdentifiers(r), [T.EMAIL, r.email], [T.PHONE, r.phone], ...addressIdentifiers(r)]),
  toRecord: (r) => ({
    relationship: Relationship.SUBJECT,
    facts: { hired: Boolean(r.hired), country: (r.country as string | null) ?? null },
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', email: 'email', phone: 'phone', street: 'street', city: 'city', postcode: 'postcode' },
  children: CANDIDATE_CHILDREN,
};

export const refereeSpec: RecordTypeSpec = {
  recordType: 'referee',
  table: 'referees',
  prefix: 'REF-',
  identifiersOf: (r) => ids([...nameIdentifiers(r), [T.EMAIL, r.email], [T.PHONE, r.phone]]),
  toRecord: (r) => ({
    relationship: Relationship.REFERENCE,
    parentRecordId: text(r.candidate_ref)!,
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', email: 'email', phone: 'phone', organisation: 'organisation' },
};

export const recruitmentRecordTypes = [candidateSpec, refereeSpec] as const;
