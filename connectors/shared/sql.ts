// Small SQL helpers shared by the reference stores and the generic SQL connector.
import pg from 'pg';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes an identifier after checking it is a plain name (config never reaches SQL unchecked). */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `schema.table`, both quoted; accepts "table" or "schema.table". */
export function qualified(schemaOrQualified: string, table?: string): string {
  if (table !== undefined) return `${ident(schemaOrQualified)}.${ident(table)}`;
  const parts = schemaOrQualified.split('.');
  if (parts.length > 2) throw new Error(`not a table name: ${JSON.stringify(schemaOrQualified)}`);
  return parts.map(ident).join('.');
}

export function createPool(url: string, max = 4, applicationName = 'dsr-connector', connectTimeoutMs?: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Dates from pg come back as Date; the contract speaks ISO strings. */
export function iso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
}
