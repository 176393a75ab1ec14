// CCTV: cameras per site, footage segments (small files on disk plus metadata rows) and
// the visitor log whose badge ids link a visit to a person and, by site and time, to footage.
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { cctvRecordTypes } from './records.js';

export const cctvSystem: SystemDefinition = {
  name: 'cctv',
  kind: SourceKind.CCTV,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'cameras')} (id text PRIMARY KEY, site text NOT NULL, label text)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'segments')} (
      id text PRIMARY KEY, camera_id text NOT NULL, site text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz NOT NULL,
      file_path text NOT NULL, bytes integer)`,
    `CREATE INDEX IF NOT EXISTS segments_site_time_idx ON ${qualified(s, 'segments')} (site, started_at)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'visits')} (
      id text PRIMARY KEY, badge_id text, given_name text, family_name text, company text, host text, site text,
      arrived_at timestamptz, left_at timestamptz, ${RECORD_COLUMNS_DDL})`,
    `CREATE INDEX IF NOT EXISTS visits_activity_idx ON ${qualified(s, 'visits')} (last_activity_at)`,
  ],
  load: [
    { table: 'cameras', columns: ['id', 'site', 'label'] },
    { table: 'segments', columns: ['id', 'camera_id', 'site', 'started_at', 'ended_at', 'file_path', 'bytes'] },
    {
      table: 'visits',
      columns: ['id', 'badge_id', 'given_name', 'family_name', 'company', 'host', 'site', 'arrived_at', 'left_at', 'created_at', 'last_activity_at'],
    },
  ],
  recordTypes: cctvRecordTypes,
};
