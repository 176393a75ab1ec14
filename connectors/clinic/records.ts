// How clinic rows become contract records. Field names for `correct` map to columns only
// to validate them: the clinic annotates instead of changing the column.
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { addressIdentifiers, nameIdentifiers, text } from '../shared/record-helpers.js';

export const patientSpec: RecordTypeSpec = {
  recordType: 'patient',
  table: 'patients',
  prefix: 'PAT-',
  identifiersOf: (r) =>
    ids([
      [T.PATIENT_ID, r.patient_number],
      ...nameIdentifiers(r),
      [T.DATE_OF_BIRTH, r.date_of_birth],
      [T.NATIONAL_ID, r.national_id],
      [T.PHONE, r.phone],
      [T.EMAIL, r.email],
      ...addressIdentifiers(r),
    ]),
  toRecord: () => ({ relationship: Relationship.SUBJECT, facts: { medicalRecord: true } }),
  correctable: {
    givenName: 'given_name',
    familyName: 'family_name',
    dateOfBirth: 'date_of_birth',
    nationalId: 'national_id',
    phone: 'phone',
    email: 'email',
    street: 'street',
    city: 'city',
    postcode: 'postcode',
    diagnosis: 'diagnosis',
    treatment: 'treatment',
  },
  children: [{ name: 'encounters', table: 'encounters', foreignKey: 'patient_id' }],
};

export const assessmentSpec: RecordTypeSpec = {
  recordType: 'occupational_assessment',
  table: 'occupational_assessments',
  prefix: 'OHA-',
  identifiersOf: (r) => ids([[T.EMPLOYEE_ID, r.employee_id], ...nameIdentifiers(r), [T.EMAIL, r.email]]),
  toRecord: (r) => ({
    relationship: Relationship.SUBJECT,
    ...(r.controller_id ? { controllerId: String(r.controller_id) } : {}),
    facts: { medicalRecord: true, occupationalHealth: true },
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', email: 'email', fitnessOutcome: 'fitness_outcome', healthNotes: 'health_notes' },
};

export const emergencyContactSpec: RecordTypeSpec = {
  recordType: 'emergency_contact',
  table: 'emergency_contacts',
  prefix: 'EC-',
  identifiersOf: (r) => ids([...nameIdentifiers(r), [T.PHONE, r.phone], [T.EMAIL, r.email]]),
  toRecord: (r) => ({
    relationship: Relationship.EMERGENCY_CONTACT,
    parentRecordId: text(r.patient_id)!,
    facts: { medicalRecord: false },
  }),
  correctable: { givenName: 'given_name', familyName: 'family_name', phone: 'phone', email: 'email' },
};

export const clinicRecordTypes = [patientSpec, assessmentSpec, emergencyContactSpec] as const;
