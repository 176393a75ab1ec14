// The blocking-key table every reference store keeps: one row per (key, record), written
// with blockingKeysOf() when a record is loaded or changed, so discovery is an index lookup.
// Next to it, `record_key_scheme` says which key scheme (KEY_SCHEME_VERSION) the keys were
// built with: a store whose keys are older (or of unknown scheme) is re-keyed from its
// records before it is searched (rebuildKeysIfStale), or new query keys would miss records.
// It also says which phone country national-format numbers were keyed in (NULL: GB, as
// every store was keyed before a source could name its own): a store registered with another
// country is re-keyed the same way.
import type pg from 'pg';
import type { Identifier } from '../contract.js';
import { blockingKeysOf, KEY_SCHEME_VERSION } from '../../src/identity/blocking.js';
import { DEFAULT_PHONE_COUNTRY, isPhoneCountry, type NormaliseOptions } from '../../src/identity/normalise/index.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { qualified } from './sql.js';

export const KEY_TABLE = 'record_key';
export const KEY_SCHEME_TABLE = 'record_key_scheme';

function schemeTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, KEY_SCHEME_TABLE)} (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), version integer NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(), records integer, keys integer);
    ${phoneCountryColumnDdl(schema)}`;
}

/**
 * Adds the phone country to a scheme table made before it. Altered only when it lacks the
 * column: an ALTER takes the table's strongest lock, and needs its owner, on every call.
 */
function phoneCountryColumnDdl(schema: string): string {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return `DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = ${literal(schema)} AND table_name = ${literal(KEY_SCHEME_TABLE)} AND column_name = 'phone_country') THEN
      ALTER TABLE ${qualified(schema, KEY_SCHEME_TABLE)} ADD COLUMN phone_country text;
    END IF;
  END $$`;
}

/** The phone country keys are built in for a reading (GB when it names none). */
function phoneCountryOf(reading: NormaliseOptions): string {
  return reading.defaultCountry ?? DEFAULT_PHONE_COUNTRY;
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

/** Rewrites the keys of one record after a correction or anonymisation, read as the store's keys are (`reading`). */
export async function reindexRecord(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  recordId: string,
  identifiers: readonly Identifier[],
  reading: NormaliseOptions = {},
): Promise<void> {
  const table = qualified(schema, KEY_TABLE);
  await db.query(`DELETE FROM ${table} WHERE record_id = $1`, [recordId]);
  const keys = blockingKeysOf(identifiers, reading);
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
  return (await keyBuildOf(db, schema)).version;
}

/** The key scheme and phone country a store's keys were built with (null, GB: not recorded). */
async function keyBuildOf(db: pg.Pool | pg.ClientBase, schema: string): Promise<{ version: number | null; phoneCountry: string }> {
  await db.query(schemeTableDdl(schema));
  const { rows } = await db.query<{ version: number; phone_country: string | null }>(
    `SELECT version, phone_country FROM ${qualified(schema, KEY_SCHEME_TABLE)}`,
  );
  return { version: rows[0]?.version ?? null, phoneCountry: rows[0]?.phone_country ?? DEFAULT_PHONE_COUNTRY };
}

/**
 * How the store's keys read national phone numbers (the country they were built in): a writer
 * that adds records beside the connector (a feed, an import) keys them alike, or discovery
 * would miss them by their number. Read after locking the key table (ROW EXCLUSIVE) so a
 * re-keying in another country cannot slip in between.
 */
export async function keyReadingOf(db: pg.ClientBase, schema: string): Promise<NormaliseOptions> {
  const { phoneCountry } = await keyBuildOf(db, schema);
  return isPhoneCountry(phoneCountry) ? { defaultCountry: phoneCountry } : {};
}

export async function recordKeyScheme(
  db: pg.Pool | pg.ClientBase,
  schema: string,
  counts: { records: number | null; keys: number | null } = { records: null, keys: null },
  version = KEY_SCHEME_VERSION,
  reading: NormaliseOptions = {},
): Promise<void> {
  await db.query(schemeTableDdl(schema));
  await db.query(
    `INSERT INTO ${qualified(schema, KEY_SCHEME_TABLE)} (singleton, version, built_at, records, keys, phone_country) VALUES (true, $1, now(), $2, $3, $4)
     ON CONFLICT (singleton) DO UPDATE SET version = $1, built_at = now(), records = $2, keys = $3, phone_country = $4`,
    [version, counts.records, counts.keys, phoneCountryOf(reading)],
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
  options: { batchSize?: number; logger?: Logger; reading?: NormaliseOptions } = {},
): Promise<KeyRebuild> {
  const reading = options.reading ?? {};
  const started = Date.now();
  const batchSize = options.batchSize ?? 2000;
  const keyTable = qualified(schema, KEY_TABLE);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${keyTable} IN SHARE ROW EXCLUSIVE MODE`);
    const built = await keyBuildOf(client, schema);
    const from = built.version;
    if (from !== null && from >= KEY_SCHEME_VERSION && built.phoneCountry === phoneCountryOf(reading)) {
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
          for (const key of blockingKeysOf(spec.identifiersOf(doc), reading)) {
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
    await recordKeyScheme(client, schema, { records, keys }, KEY_SCHEME_VERSION, reading);
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
