// The key index the gateway keeps for foreign SQL sources (which have no key table of their
// own): schema `connector_index` in the GATEWAY database, one row per (source, key, record).
// Rebuilt in full by refreshIndex(); kept current for records the connector itself changes.
// `connector_index.refresh.scheme` says which key scheme (KEY_SCHEME_VERSION) the last full
// rebuild used: an index of an older (or unrecorded) scheme is rebuilt before discovery.
import type pg from 'pg';
import { blockingKeysOf } from '../../src/identity/blocking.js';
import type { NormaliseOptions } from '../../src/identity/normalise/index.js';
import type { Identifier } from '../contract.js';

export const INDEX_TABLE = 'connector_index.record_key';

export async function ensureKeyIndex(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS connector_index`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${INDEX_TABLE} (
       source_id text NOT NULL, key text NOT NULL, record_id text NOT NULL,
       PRIMARY KEY (source_id, key, record_id))`,
  );
  await db.query(`CREATE INDEX IF NOT EXISTS record_key_source_record_idx ON ${INDEX_TABLE} (source_id, record_id)`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS connector_index.refresh (
       source_id text PRIMARY KEY, refreshed_at timestamptz NOT NULL, records integer NOT NULL, keys integer NOT NULL)`,
  );
  // Indexes refreshed before the scheme was recorded have it NULL: of an older scheme.
  await db.query(`ALTER TABLE connector_index.refresh ADD COLUMN IF NOT EXISTS scheme integer`);
}

/** The scheme of a source's last full refresh: undefined when never refreshed, null when not recorded. */
export async function indexSchemeOf(db: pg.Pool | pg.PoolClient, sourceId: string): Promise<number | null | undefined> {
  const { rows } = await db.query<{ scheme: number | null }>(`SELECT scheme FROM connector_index.refresh WHERE source_id = $1`, [sourceId]);
  return rows.length === 0 ? undefined : rows[0]!.scheme;
}

/** Serialises the writers of one source's index (full refreshes and per-record rewrites). */
export async function lockSourceIndex(client: pg.PoolClient, sourceId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('connector_index.record_key'), hashtext($1))`, [sourceId]);
}

export async function writeKeys(
  db: pg.Pool | pg.PoolClient,
  sourceId: string,
  entries: readonly { recordId: string; identifiers: readonly Identifier[] }[],
  /** How the source's values are read (its phone country). */
  reading: NormaliseOptions = {},
): Promise<number> {
  const keys: string[] = [];
  const records: string[] = [];
  for (const entry of entries) {
    for (const key of blockingKeysOf(entry.identifiers, reading)) {
      keys.push(key);
      records.push(entry.recordId);
    }
  }
  if (keys.length === 0) return 0;
  await db.query(
    `INSERT INTO ${INDEX_TABLE} (source_id, key, record_id)
     SELECT $1, k, r FROM unnest($2::text[], $3::text[]) AS t(k, r) ON CONFLICT DO NOTHING`,
    [sourceId, keys, records],
  );
  return keys.length;
}

export async function dropRecordKeys(db: pg.Pool | pg.PoolClient, sourceId: string, recordId: string): Promise<void> {
  await db.query(`DELETE FROM ${INDEX_TABLE} WHERE source_id = $1 AND record_id = $2`, [sourceId, recordId]);
}
