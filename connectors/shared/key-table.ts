// The blocking-key table every reference store keeps: one row per (key, record), written
// with blockingKeysOf() when a record is loaded or changed, so discovery is an index lookup.
// Next to it, `record_key_scheme` says which key scheme (KEY_SCHEME_VERSION) the keys were
// built with: a store whose keys are older (or of unknown scheme) is re-keyed from its
// records before it is searched (rebuildKeysIfStale), or new query keys would miss records.
import type pg from 'pg';
import type { Identifier } from '../contract.js';
import { blockingKeysOf, KEY_SCHEME_VERSION } from '../../src/identity/blocking.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { qualified } from './sql.js';

export const KEY_TABLE = 'record_key';
export const KEY_SCHEME_TABLE = 'record_key_scheme';

function schemeTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, KEY_SCHEME_TABLE)} (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), version integer NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(), records integer, keys integer)`;
}

export function keyTableDdl(schema: string): string[] {
  const table = qualified(schema, KEY_TABLE);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (key text NOT NULL, record_id text NOT NULL, PRIMARY KEY (key, record_id))`,
    `CREATE INDEX IF NOT EXISTS ${KEY_TABLE}_record_idx ON ${table} (record_id)`,
    schemeTableDdl(schema),
  ];
}

export function keyRows(recordId: string, identifiers: readonly Identifier[]): { key: string; record_id: string }[] {
  return blockingKeysOf(identifiers).map((key) => ({ key, record_id: recordId }));
}

/** Rewrites the keys of one record after a correction or anonymisation. */
export async function reindexRecord(db: pg.Pool | pg.PoolClient, schema: string, recordId: string, identifiers: readonly Identifier[]): Promise<void> {
  const table = qualified(schema, KEY_TABLE);
  await db.query(`DELETE FROM ${table} WHERE record_id = $1`, [recordId]);
  const keys = blockingKeysOf(identifiers);
  if (keys.length > 0) {
    await db.query(`INSERT INTO ${table} (key, record_id) SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING`, [keys, recordId]);
  }
}

export async function dropKeys(db: pg.Pool | pg.PoolClient, schema: string, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await db.query(`DELETE FROM ${qualified(schema, KEY_TABLE)} WHERE record_id = ANY($1::text[])`, [recordIds]);
}

/** The key scheme a store's keys were built with; null when it was never recorded. */
export async function keySchemeOf(db: pg.Pool | pg.ClientBase, schema: string): Promise<number | null> {
  await db.query(schemeTableDdl(schema));
  const { rows } = await db.query<{ version: number }>(`SELECT version FROM ${qualified(schema, KEY_SCHEME_TABLE)}`);
  return rows[0]?.version ?? null;
}

export async function recordKeyScheme(
  db: pg.Pool | pg.ClientBase,
  schema: string,
  counts: { records: number | null; keys: number | null } = { records: null, keys: null },
  version = KEY_SCHEME_VERSION,
): Promise<void> {
  await db.query(schemeTableDdl(schema));
  await db.query(
    `INSERT INTO ${qualified(schema, KEY_SCHEME_TABLE)} (singleton, version, built_at, records, keys) VALUES (true, $1, now(), $2, $3)
     ON CONFLICT (singleton) DO UPDATE SET version = $1, built_at = now(), records = $2, keys = $3`,
    [version, counts.records, counts.keys],
  );
}

/** What a record table needs to be re-keyed: its name and how a row's identifiers are read. */
export interface KeyedTable {
  table: string;
  identifiersOf(row: Record<string, unknown>): Identifier[];
}

export interface KeyRebuild {
  /** The scheme found before (null: never recorded); equals the current one when nothing was done. */
  from: number | null;
  rebuilt: boolean;
  records: number;
  keys: number;
  durationMs: number;
}

let defaultLogger: Logger | undefined;

/**
 * Re-keys a store whose keys were built with an older (or unrecorded) scheme, from its
 * records, in pages of `batchSize` rows, then records the current scheme.
 *
 * One transaction, holding a SHARE ROW EXCLUSIVE lock on the key table: discovery (plain
 * reads) goes on seeing the old, complete key set until the new one commits, never a half
 * index; writers of keys (corrections, erasures, loads) wait, so none can write keys from a
 * row the rebuild read before their change, and two instances never rebuild at once (the
 * second finds the current scheme once it gets the lock). No table swap: the discovery
 * statements prepared on pooled connections keep pointing at the same table.
 * Anonymised records stay without keys, as anonymisation left them.
 */
export async function rebuildKeysIfStale(
  pool: pg.Pool,
  schema: string,
  tables: readonly KeyedTable[],
  options: { batchSize?: number; logger?: Logger } = {},
): Promise<KeyRebuild> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 2000;
  const keyTable = qualified(schema, KEY_TABLE);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${keyTable} IN SHARE ROW EXCLUSIVE MODE`);
    const from = await keySchemeOf(client, schema);
    if (from !== null && from >= KEY_SCHEME_VERSION) {
      await client.query('COMMIT');
      return { from, rebuilt: false, records: 0, keys: 0, durationMs: Date.now() - started };
    }
    await client.query(`DELETE FROM ${keyTable}`);
    let records = 0;
    let keys = 0;
    for (const spec of tables) {
      let after = '';
      for (;;) {
        const { rows } = await client.query<{ id: string; doc: Record<string, unknown> }>(
          `SELECT t.id::text AS id, to_jsonb(t) AS doc FROM ${qualified(schema, spec.table)} t WHERE t.id::text > $1 ORDER BY t.id::text LIMIT $2`,
          [after, batchSize],
        );
        if (rows.length === 0) break;
        const keyList: string[] = [];
        const recordList: string[] = [];
        for (const { id, doc } of rows) {
          records++;
          if (doc.anonymised_at) continue;
          for (const key of blockingKeysOf(spec.identifiersOf(doc))) {
            keyList.push(key);
            recordList.push(id);
          }
        }
        if (keyList.length > 0) {
          const inserted = await client.query(
            `INSERT INTO ${keyTable} (key, record_id) SELECT k, r FROM unnest($1::text[], $2::text[]) AS t(k, r) ON CONFLICT DO NOTHING`,
            [keyList, recordList],
          );
          keys += inserted.rowCount ?? 0;
        }
        after = rows[rows.length - 1]!.id;
        if (rows.length < batchSize) break;
      }
    }
    await recordKeyScheme(client, schema, { records, keys });
    await client.query('COMMIT');
    const result = { from, rebuilt: true, records, keys, durationMs: Date.now() - started };
    const logger = options.logger ?? (defaultLogger ??= createLogger());
    logger.info(
      { schema, fromScheme: from, toScheme: KEY_SCHEME_VERSION, records, keys, durationMs: result.durationMs },
      'blocking keys rebuilt for a new key scheme',
    );
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
