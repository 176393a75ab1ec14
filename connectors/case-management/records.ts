// How case-management rows become contract records.
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { addressIdentifiers, nameIdentifiers, text } from '../shared/record-helpers.js';

export const caseSpec: RecordTypeSpec = {
  recordType: 'case',
  table: 'cases',
  prefix: 'CASE-',
  identifiersOf: (r) =>
    ids([
      [T.MEMBERSHIP_NUMBER, r.membership_number],
      ...nameIdentifiers(r),
      [T.DATE_OF_BIRTH, r.date_of_birth],
      [T.EMAIL, r.email],
      [T.PHONE, r.phone],
      ...addressIdentifiers(r),
    ]),
  toRecord: (r) => ({
    relationship: Relationship.SUBJECT,
    ...(r.controller_id ? { controllerId: String(r.controller_id) } : {}),
    facts: { anonymised: Boolean(r.anonymised_at), employerControlled: Boolean(r.controller_id) },
  }),
  correctable: {
    givenName: 'given_name',
    familyName: 'family_name',
    dateOfBirth: 'date_of_birth',
    email: 'email',
    phone: 'phone',
    street: 'street',
    city: 'city',
    postcode: 'postcode',
    employer: 'employer',
  },
  children: [
    { name: 'notes', table: 'case_notes', foreignKey: 'case_id' },
    { name: 'callRecordings', table: 'call_recordings', foreignKey: 'case_id' },
    { name: 'consents', table: 'consents', foreignKey: 'case_id' },
  ],
};

export const casePartySpec: RecordTypeSpec = {
  recordType: 'case_party',
  table: 'case_parties',
  prefix: 'CPTY-',
  identifiersOf: (r) => ids([...nameIdentifiers(r), [T.DATE_OF_BIRTH, r.date_of_birth], [T.EMAIL, r.email], [T.PHONE, r.phone]]),
  toRecord: (r) => ({
    relationship: r.role === 'BENEFICIARY' ? Relationship.BENEFICIARY : Relationship.DEPENDANT,
    parentRecordId: text(r.case_id)!,
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', dateOfBirth: 'date_of_birth', email: 'email', phone: 'phone' },
};

export const caseRecordTypes = [caseSpec, casePartySpec] as const;
