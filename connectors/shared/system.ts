// A reference system's store as data: its DDL, the tables a loader fills, and its record
// types. The DDL runner and the bulk loader below work for all six systems.
import pg from 'pg';
import type { SourceKind } from '../../src/domain/vocabulary.js';
import { CopySink, type CopyValue } from './copy.js';
import { KEY_TABLE, keyRows, keySchemeOf, keyTableDdl, recordKeyScheme } from './key-table.js';
import { appearanceViewDdl, changeIndexDdl, type RecordTypeSpec } from './reference-connector.js';
import { ident } from './sql.js';
import { KEY_SCHEME_VERSION } from '../../src/identity/blocking.js';

export interface TableDefinition {
  table: string;
  columns: readonly string[];
}

export interface SystemDefinition {
  /** Default schema name, also the source's name in ground truth. */
  name: string;
  kind: SourceKind;
  /** CREATE TABLE / INDEX statements for the given schema (idempotent). */
  tables(schema: string): string[];
  /** Tables the loader fills, with the columns it writes. */
  load: readonly TableDefinition[];
  recordTypes: readonly RecordTypeSpec[];
}

/** Record bookkeeping columns every record table carries. */
export const RECORD_COLUMNS_DDL = 'restricted boolean NOT NULL DEFAULT false, anonymised_at timestamptz, created_at timestamptz, last_activity_at timestamptz';

export async function createStore(def: SystemDefinition, options: { url: string; schema?: string; reset?: boolean }): Promise<void> {
  const schema = options.schema ?? def.name;
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    if (options.reset) await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    for (const sql of [...def.tables(schema), ...keyTableDdl(schema), ...changeIndexDdl(schema, def.recordTypes), appearanceViewDdl(schema, def.recordTypes)]) {
      await client.query(sql);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

export interface StoreRow {
  table: string;
  row: Record<string, CopyValue>;
}

/**
 * Bulk-loads rows with COPY (one stream per table) and writes every record's blocking
 * keys at the same time with the same function discovery uses. Returns rows per table.
 */
export async function loadStore(
  def: SystemDefinition,
  options: { url: string; schema?: string },
  rows: AsyncIterable<StoreRow> | Iterable<StoreRow>,
): Promise<Record<string, number>> {
  const schema = options.schema ?? def.name;
  const targets = [...def.load.map((t) => ({ schema, ...t })), { schema, table: KEY_TABLE, columns: ['key', 'record_id'] }];
  const specs = new Map(def.recordTypes.map((s) => [s.table, s]));
  const sink = await CopySink.open(options.url, targets);
  const seenKeys = new Set<string>();
  // Keys loaded into an empty key table are all of the current scheme; added to keys of an
  // older scheme, they are not, and the connector re-keys the store when it starts.
  const current = await keysAllCurrent(options.url, schema);
  try {
    for await (const { table, row } of rows) {
      await sink.push(table, row);
      const spec = specs.get(table);
      if (!spec) continue;
      seenKeys.clear();
      for (const key of keyRows(String(row.id), spec.identifiersOf(row as Record<string, unknown>))) {
        if (seenKeys.has(key.key)) continue;
        seenKeys.add(key.key);
        await sink.push(KEY_TABLE, key);
      }
    }
  } catch (error) {
    await sink.abort();
    throw error;
  }
  await sink.close();
  // Fresh statistics, so the planner uses the key index from the first query.
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    for (const t of targets) await client.query(`ANALYZE ${ident(schema)}.${ident(t.table)}`);
    if (current) await recordKeyScheme(client, schema);
  } finally {
    await client.end();
  }
  return sink.counts();
}

/** Whether every key already in the store (if any) is of the current scheme. */
async function keysAllCurrent(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM ${ident(schema)}.${ident(KEY_TABLE)} LIMIT 1`);
    return rows.length === 0 || (await keySchemeOf(client, schema)) === KEY_SCHEME_VERSION;
  } finally {
    await client.end();
  }
}
