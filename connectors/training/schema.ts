// Training / e-learning: learners, enrolments with completions, and certificates.
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { trainingRecordTypes } from './records.js';

export const trainingSystem: SystemDefinition = {
  name: 'training',
  kind: SourceKind.TRAINING,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'learners')} (
      id text PRIMARY KEY, learner_id text, given_name text, family_name text, email text, employer text, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'enrolments')} (id text PRIMARY KEY, learner_ref text NOT NULL, course text, enrolled_at timestamptz, completed_at timestamptz, score integer)`,
    `CREATE INDEX IF NOT EXISTS enrolments_learner_idx ON ${qualified(s, 'enrolments')} (learner_ref)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'certificates')} (
      id text PRIMARY KEY, learner_ref text NOT NULL, certificate_number text, holder_name text, course text, issued_at timestamptz, ${RECORD_COLUMNS_DDL})`,
    `CREATE INDEX IF NOT EXISTS certificates_learner_idx ON ${qualified(s, 'certificates')} (learner_ref)`,
  ],
  load: [
    { table: 'learners', columns: ['id', 'learner_id', 'given_name', 'family_name', 'email', 'employer', 'created_at', 'last_activity_at'] },
    { table: 'enrolments', columns: ['id', 'learner_ref', 'course', 'enrolled_at', 'completed_at', 'score'] },
    { table: 'certificates', columns: ['id', 'learner_ref', 'certificate_number', 'holder_name', 'course', 'issued_at', 'created_at', 'last_activity_at'] },
  ],
  recordTypes: trainingRecordTypes,
};
