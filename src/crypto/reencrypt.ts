import type { AssociatedData, EncryptionKeyring } from './encryption-keyring.js';
import { CryptoError } from './errors.js';

/** Re-encrypts one envelope under the active key; unchanged when it already uses it. */
export function reencrypt(keyring: EncryptionKeyring, envelope: string, aad?: AssociatedData): { envelope: string; rotated: boolean } {
  if (!keyring.needsRotation(envelope)) return { envelope, rotated: false };
  return { envelope: keyring.encrypt(keyring.decrypt(envelope, aad), aad), rotated: true };
}

/** Anything with TypeORM's `query(sql, params)` (a DataSource, EntityManager or QueryRunner). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface ReencryptColumnOptions {
  table: string;
  /** A unique, orderable key column (text or uuid or integer). */
  idColumn: string;
  column: string;
  /** Associated data a row's value was encrypted with, derived from its id (must match the writer's). */
  aadFor?: (id: string) => AssociatedData;
  batchSize?: number;
}

export interface ReencryptColumnResult {
  scanned: number;
  rotated: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new CryptoError('CONFIG_ERROR', `not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Rotation helper: walks one encrypted column in id order and rewrites every value not
 * under the active key. Each row is updated only if it still holds the value read, so a
 * concurrent writer is never overwritten; safe to run again after an interruption.
 * Run it after putting the new key first, before removing the old key from the environment.
 */
export async function reencryptColumn(db: Queryable, keyring: EncryptionKeyring, options: ReencryptColumnOptions): Promise<ReencryptColumnResult> {
  const table = ident(options.table);
  const id = ident(options.idColumn);
  const column = ident(options.column);
  const batchSize = options.batchSize ?? 500;
  const activePrefix = `v1.${keyring.activeKid}.`;
  let after: string | null = null;
  let scanned = 0;
  let rotated = 0;
  for (;;) {
    const rows = (await db.query(
      `SELECT ${id}::text AS id, ${column} AS value FROM ${table}
        WHERE ${column} IS NOT NULL AND left(${column}, $1) <> $2 ${after === null ? '' : `AND ${id} > $4`}
        ORDER BY ${id} LIMIT $3`,
      after === null ? [activePrefix.length, activePrefix, batchSize] : [activePrefix.length, activePrefix, batchSize, after],
    )) as Array<{ id: string; value: string }>;
    if (rows.length === 0) break;
    for (const row of rows) {
      scanned += 1;
      const result = reencrypt(keyring, row.value, options.aadFor?.(row.id));
      if (!result.rotated) continue;
      await db.query(`UPDATE ${table} SET ${column} = $1 WHERE ${id}::text = $2 AND ${column} = $3`, [result.envelope, row.id, row.value]);
      rotated += 1;
    }
    after = rows[rows.length - 1]!.id;
  }
  return { scanned, rotated };
}
