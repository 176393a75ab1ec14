// How training rows become contract records.
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { nameIdentifiers, text } from '../shared/record-helpers.js';

export const learnerSpec: RecordTypeSpec = {
  recordType: 'learner',
  table: 'learners',
  prefix: 'LRN-',
  identifiersOf: (r) => ids([[T.LEARNER_ID, r.learner_id], ...nameIdentifiers(r), [T.EMAIL, r.email]]),
  toRecord: (r) => ({
    relationship: Relationship.SUBJECT,
    facts: { anonymised: Boolean(r.anonymised_at) },
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', email: 'email', employer: 'employer' },
  children: [{ name: 'enrolments', table: 'enrolments', foreignKey: 'learner_ref' }],
};

export const certificateSpec: RecordTypeSpec = {
  recordType: 'certificate',
  table: 'certificates',
  prefix: 'CERT-',
  identifiersOf: (r) => {
    const holder = typeof r.holder_name === 'string' ? r.holder_name : undefined;
    return ids([
      [T.CERTIFICATE_NUMBER, r.certificate_number],
      [T.FULL_NAME, holder],
    ]);
  },
  toRecord: (r) => ({
    relationship: Relationship.SUBJECT,
    parentRecordId: text(r.learner_ref)!,
    facts: { anonymised: Boolean(r.anonymised_at) },
  }),
  correctable: { holderName: 'holder_name' },
};

export const trainingRecordTypes = [learnerSpec, certificateSpec] as const;
