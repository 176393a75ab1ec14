// Connector.recordCount for PostgreSQL-backed connectors: an estimate from the database's
// own statistics, the way the planner makes one, in one cheap statement.

/**
 * One statement that estimates the rows of `tables` together (quoted, qualified names,
 * e.g. from qualified()); bind the same names as its parameters, in order. Per table: the
 * rows per page at the last ANALYZE or VACUUM times the pages it has now (so growth since
 * shows), or an exact count(*) when it was never analysed or was empty then. The count
 * runs only in that case: PostgreSQL evaluates the subquery when the CASE reaches it.
 */
export function recordCountSql(tables: readonly string[]): string {
  const parts = tables.map(
    (table, i) => `SELECT CASE WHEN c.reltuples > 0 AND c.relpages > 0
        THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::float8)
        ELSE (SELECT count(*) FROM ${table})::float8 END AS n
      FROM pg_class c WHERE c.oid = $${i + 1}::regclass`,
  );
  return `SELECT coalesce(sum(n), 0)::float8 AS records FROM (${parts.join(' UNION ALL ')}) x`;
}

/** The statement's answer as a whole number of records. */
export function recordCountOf(rows: readonly { records: number | string | null }[]): number {
  const n = Number(rows[0]?.records ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}
