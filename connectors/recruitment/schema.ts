// Recruitment: candidates with applications, work and education history, background
// checks, equal-opportunity monitoring (special category), referees, and the minimal
// recruiting-activity records left after an unsuccessful candidate's data is minimised.
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { recruitmentRecordTypes } from './records.js';

export const recruitmentSystem: SystemDefinition = {
  name: 'recruitment',
  kind: SourceKind.RECRUITMENT,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'candidates')} (
      id text PRIMARY KEY, candidate_id text, given_name text, family_name text, email text, phone text,
      street text, city text, postcode text, country text, hired boolean NOT NULL DEFAULT false, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'applications')} (id text PRIMARY KEY, candidate_ref text NOT NULL, position text, country text, applied_at timestamptz, outcome text, test_score integer)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'work_history')} (id text PRIMARY KEY, candidate_ref text NOT NULL, employer text, title text, started_on date, ended_on date, achievements text)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'education')} (id text PRIMARY KEY, candidate_ref text NOT NULL, institution text, qualification text, completed_on date)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'background_checks')} (id text PRIMARY KEY, candidate_ref text NOT NULL, check_type text, result text, checked_at timestamptz)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'eo_monitoring')} (id text PRIMARY KEY, candidate_ref text NOT NULL, ethnicity text, religion text, disability text)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'referees')} (
      id text PRIMARY KEY, candidate_ref text NOT NULL, given_name text, family_name text, email text, phone text,
      organisation text, statement text, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'recruiting_activity')} (
      id bigserial PRIMARY KEY, source_record_id text NOT NULL, position text, country text, applied_at timestamptz,
      outcome text, minimised_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX IF NOT EXISTS recruiting_activity_source_idx ON ${qualified(s, 'recruiting_activity')} (source_record_id)`,
    ...['applications', 'work_history', 'education', 'background_checks', 'eo_monitoring', 'referees'].map(
      (t) => `CREATE INDEX IF NOT EXISTS ${t}_candidate_idx ON ${qualified(s, t)} (candidate_ref)`,
    ),
  ],
  load: [
    {
      table: 'candidates',
      columns: [
        'id',
        'candidate_id',
        'given_name',
        'family_name',
        'email',
        'phone',
        'street',
        'city',
        'postcode',
        'country',
        'hired',
        'created_at',
        'last_activity_at',
      ],
    },
    { table: 'applications', columns: ['id', 'candidate_ref', 'position', 'country', 'applied_at', 'outcome', 'test_score'] },
    { table: 'work_history', columns: ['id', 'candidate_ref', 'employer', 'title', 'started_on', 'ended_on', 'achievements'] },
    { table: 'education', columns: ['id', 'candidate_ref', 'institution', 'qualification', 'completed_on'] },
    { table: 'background_checks', columns: ['id', 'candidate_ref', 'check_type', 'result', 'checked_at'] },
    { table: 'eo_monitoring', columns: ['id', 'candidate_ref', 'ethnicity', 'religion', 'disability'] },
    {
      table: 'referees',
      columns: ['id', 'candidate_ref', 'given_name', 'family_name', 'email', 'phone', 'organisation', 'statement', 'created_at', 'last_activity_at'],
    },
  ],
  recordTypes: recruitmentRecordTypes,
};
