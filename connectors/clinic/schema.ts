// Clinic (medical records): patients, encounters, occupational-health assessments held for
// employers, patients' emergency contacts, and annotations that correct without overwriting (R14).
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { clinicRecordTypes } from './records.js';

export const clinicSystem: SystemDefinition = {
  name: 'clinic',
  kind: SourceKind.CLINIC,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'patients')} (
      id text PRIMARY KEY, patient_number text, given_name text, family_name text, date_of_birth date, national_id text,
      phone text, email text, street text, city text, postcode text, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'encounters')} (id text PRIMARY KEY, patient_id text NOT NULL, occurred_at timestamptz, clinician text, reason text, diagnosis text, treatment text)`,
    `CREATE INDEX IF NOT EXISTS encounters_patient_idx ON ${qualified(s, 'encounters')} (patient_id)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'occupational_assessments')} (
      id text PRIMARY KEY, employee_id text, given_name text, family_name text, email text, employer text, controller_id text,
      assessed_at timestamptz, fitness_outcome text, health_notes text, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'emergency_contacts')} (
      id text PRIMARY KEY, patient_id text NOT NULL, given_name text, family_name text, phone text, email text, relation text, ${RECORD_COLUMNS_DDL})`,
    `CREATE INDEX IF NOT EXISTS emergency_contacts_patient_idx ON ${qualified(s, 'emergency_contacts')} (patient_id)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'annotations')} (
      id bigserial PRIMARY KEY, record_id text NOT NULL, field text NOT NULL, value text NOT NULL, reason text NOT NULL,
      annotated_at timestamptz NOT NULL DEFAULT now())`,
    // A value may be annotated again after another (corrected back): the latest annotation counts.
    `ALTER TABLE ${qualified(s, 'annotations')} DROP CONSTRAINT IF EXISTS annotations_record_id_field_value_key`,
    `CREATE INDEX IF NOT EXISTS annotations_record_field_idx ON ${qualified(s, 'annotations')} (record_id, field, id)`,
  ],
  load: [
    {
      table: 'patients',
      columns: [
        'id',
        'patient_number',
        'given_name',
        'family_name',
        'date_of_birth',
        'national_id',
        'phone',
        'email',
        'street',
        'city',
        'postcode',
        'created_at',
        'last_activity_at',
      ],
    },
    { table: 'encounters', columns: ['id', 'patient_id', 'occurred_at', 'clinician', 'reason', 'diagnosis', 'treatment'] },
    {
      table: 'occupational_assessments',
      columns: [
        'id',
        'employee_id',
        'given_name',
        'family_name',
        'email',
        'employer',
        'controller_id',
        'assessed_at',
        'fitness_outcome',
        'health_notes',
        'created_at',
        'last_activity_at',
      ],
    },
    { table: 'emergency_contacts', columns: ['id', 'patient_id', 'given_name', 'family_name', 'phone', 'email', 'relation', 'created_at', 'last_activity_at'] },
  ],
  recordTypes: clinicRecordTypes,
};
