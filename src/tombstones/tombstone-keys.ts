// R10 across key rotations: a tombstone matches only while the key that made it is
// configured. A key dropped too early would answer "not erased" for everyone it hashed,
// silently, so a process refuses to start without every key stored tombstones name.
import type { DataSource } from 'typeorm';
import { CryptoError, TOMBSTONE_KEYS_VARIABLE, type HmacKeyring } from '../crypto/index.js';

/** Key ids of stored tombstones that the keyring does not hold (one scan of the kid column). */
export async function tombstoneKeysMissing(dataSource: DataSource, keyring: HmacKeyring): Promise<string[]> {
  const rows: { kid: string }[] = await dataSource.query(`SELECT DISTINCT kid FROM tombstone WHERE kid <> ALL($1::text[]) ORDER BY kid`, [keyring.kids]);
  return rows.map((r) => r.kid);
}

/** CONFIG_ERROR naming the missing key ids (never a key) when stored tombstones could no longer match. */
export async function assertTombstoneKeysHeld(dataSource: DataSource, keyring: HmacKeyring): Promise<void> {
  const missing = await tombstoneKeysMissing(dataSource, keyring);
  if (missing.length === 0) return;
  throw new CryptoError(
    'CONFIG_ERROR',
    `${TOMBSTONE_KEYS_VARIABLE} leaves out key id(s) ${missing.map((k) => `"${k}"`).join(', ')} that stored tombstones were made with: ` +
      'the people they name would no longer be recognised and could be recreated (R10); keep those keys after the new one',
  );
}
