// Case management (assistance centres): cases with contact details and employer, notes,
// call-recording metadata, consents to share, and the dependants and beneficiaries named in a case.
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { caseRecordTypes } from './records.js';

export const caseManagementSystem: SystemDefinition = {
  name: 'case_management',
  kind: SourceKind.CASE_MANAGEMENT,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'cases')} (
      id text PRIMARY KEY, membership_number text, given_name text, family_name text, date_of_birth date,
      email text, phone text, street text, city text, postcode text, employer text, controller_id text,
      medical_referral text, opened_at timestamptz, closed_at timestamptz, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'case_notes')} (id text PRIMARY KEY, case_id text NOT NULL, written_at timestamptz, author text, body text)`,
    `CREATE INDEX IF NOT EXISTS case_notes_case_idx ON ${qualified(s, 'case_notes')} (case_id)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'call_recordings')} (id text PRIMARY KEY, case_id text NOT NULL, recorded_at timestamptz, duration_seconds integer, storage_uri text)`,
    `CREATE INDEX IF NOT EXISTS call_recordings_case_idx ON ${qualified(s, 'call_recordings')} (case_id)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'consents')} (id text PRIMARY KEY, case_id text NOT NULL, party text NOT NULL CHECK (party IN ('INSURER','EMPLOYER','PROVIDER')), granted boolean NOT NULL, recorded_at timestamptz)`,
    `CREATE INDEX IF NOT EXISTS consents_case_idx ON ${qualified(s, 'consents')} (case_id)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'case_parties')} (
      id text PRIMARY KEY, case_id text NOT NULL, role text NOT NULL CHECK (role IN ('DEPENDANT','BENEFICIARY')),
      given_name text, family_name text, date_of_birth date, phone text, email text, ${RECORD_COLUMNS_DDL})`,
    `CREATE INDEX IF NOT EXISTS case_parties_case_idx ON ${qualified(s, 'case_parties')} (case_id)`,
  ],
  load: [
    {
      table: 'cases',
      columns: [
        'id',
        'membership_number',
        'given_name',
        'family_name',
        'date_of_birth',
        'email',
        'phone',
        'street',
        'city',
        'postcode',
        'employer',
        'controller_id',
        'medical_referral',
        'opened_at',
        'closed_at',
        'created_at',
        'last_activity_at',
      ],
    },
    { table: 'case_notes', columns: ['id', 'case_id', 'written_at', 'author', 'body'] },
    { table: 'call_recordings', columns: ['id', 'case_id', 'recorded_at', 'duration_seconds', 'storage_uri'] },
    { table: 'consents', columns: ['id', 'case_id', 'party', 'granted', 'recorded_at'] },
    {
      table: 'case_parties',
      columns: ['id', 'case_id', 'role', 'given_name', 'family_name', 'date_of_birth', 'phone', 'email', 'created_at', 'last_activity_at'],
    },
  ],
  recordTypes: caseRecordTypes,
};
