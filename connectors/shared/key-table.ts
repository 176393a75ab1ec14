// The blocking-key table every reference store keeps: one row per (key, record), written
// with blockingKeysOf() when a record is loaded or changed, so discovery is an index lookup.
import type pg from 'pg';
import type { Identifier } from '../contract.js';
import { blockingKeysOf } from '../../src/identity/blocking.js';
import { qualified } from './sql.js';

export const KEY_TABLE = 'record_key';

export function keyTableDdl(schema: string): string[] {
  const table = qualified(schema, KEY_TABLE);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (key text NOT NULL, record_id text NOT NULL, PRIMARY KEY (key, record_id))`,
    `CREATE INDEX IF NOT EXISTS ${KEY_TABLE}_record_idx ON ${table} (record_id)`,
  ];
}

export function keyRows(recordId: string, identifiers: readonly Identifier[]): { key: string; record_id: string }[] {
  return blockingKeysOf(identifiers).map((key) => ({ key, record_id: recordId }));
}

/** Rewrites the keys of one record after a correction or anonymisation. */
export async function reindexRecord(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  recordId: string,
  identifiers: readonly Identifier[],
): Promise<void> {
  const table = qualified(schema, KEY_TABLE);
  await db.query(`DELETE FROM ${table} WHERE record_id = $1`, [recordId]);
  const keys = blockingKeysOf(identifiers);
  if (keys.length > 0) {
    await db.query(
      `INSERT INTO ${table} (key, record_id) SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING`,
      [keys, recordId],
    );
  }
}

export async function dropKeys(db: pg.Pool | pg.PoolClient, schema: string, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await db.query(`DELETE FROM ${qualified(schema, KEY_TABLE)} WHERE record_id = ANY($1::text[])`, [recordIds]);
}
