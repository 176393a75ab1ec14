// Connector.nameFrequencies for PostgreSQL-backed connectors: one GROUP BY per name field
// over every column that holds it, run in the background (the gateway asks about hourly),
// so it may scan tables without an index on the name.
import type pg from 'pg';
import { ConnectorError, type NameCount, type NameFrequencies } from '../contract.js';
import { ident } from './sql.js';

/** One column holding a given or family name. */
export interface NameColumn {
  /** Quoted, qualified table name (qualified()). */
  table: string;
  column: string;
  /** A value this column holds in place of an erased name (an erase strategy's fixed text): not a name. */
  erasedValue?: string;
  /** Extra condition on the table's rows, aliased `t` (e.g. "t.anonymised_at IS NULL"). */
  where?: string;
}

/** Values written in place of an erased identifier by the HASH strategy. */
const HASH_PREFIX = 'sha256:';

/** Refuses a limit that is not a positive whole number (before any statement runs). */
export function checkNameLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new ConnectorError('CONFIGURATION', 'nameFrequencies needs a positive whole limit');
}

/**
 * Counts the values of one name field over its columns: trimmed, blanks and erased values
 * left out; the values held by 2 records or more, most frequent first (ties by value, so
 * the answer is stable), at most `limit`, and how many values there are in all.
 */
export async function countNames(db: pg.Pool | pg.PoolClient, columns: readonly NameColumn[], limit: number): Promise<{ names: NameCount[]; total: number }> {
  if (columns.length === 0) return { names: [], total: 0 };
  const params: unknown[] = [limit, `${HASH_PREFIX}%`];
  const parts = columns.map((c) => {
    const value = `btrim(t.${ident(c.column)}::text)`;
    const conditions = [`t.${ident(c.column)} IS NOT NULL`, ...(c.where ? [c.where] : [])];
    if (c.erasedValue !== undefined) {
      params.push(c.erasedValue);
      conditions.push(`${value} <> $${params.length}`);
    }
    return `SELECT ${value} AS value FROM ${c.table} t WHERE ${conditions.join(' AND ')}`;
  });
  const { rows } = await db.query<{ total: string | number; names: [string, number][] }>(
    `WITH g AS (
       SELECT value, count(*) AS records FROM (${parts.join(' UNION ALL ')}) x
        WHERE value <> '' AND value NOT LIKE $2 GROUP BY value)
     SELECT (SELECT coalesce(sum(records), 0) FROM g)::float8 AS total,
            coalesce((SELECT json_agg(json_build_array(value, records) ORDER BY records DESC, value COLLATE "C")
                        FROM (SELECT value, records FROM g WHERE records >= 2 ORDER BY records DESC, value COLLATE "C" LIMIT $1) top), '[]'::json) AS names`,
    params,
  );
  const row = rows[0];
  return { names: (row?.names ?? []).map(([value, records]) => ({ value, records: Number(records) })), total: Number(row?.total ?? 0) };
}

/** Both fields, one statement each. */
export async function nameFrequenciesOf(
  db: pg.Pool | pg.PoolClient,
  columns: { given: readonly NameColumn[]; family: readonly NameColumn[] },
  limit: number,
): Promise<NameFrequencies> {
  checkNameLimit(limit);
  const given = await countNames(db, columns.given, limit);
  const family = await countNames(db, columns.family, limit);
  return { givenNames: given.names, familyNames: family.names, totals: { givenNames: given.total, familyNames: family.total } };
}
