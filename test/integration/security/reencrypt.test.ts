import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';
import { EncryptionKeyring } from '../../../src/crypto/encryption-keyring.js';
import { reencryptColumn } from '../../../src/crypto/reencrypt.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
  await ds.query(`CREATE TABLE secret_things (id text PRIMARY KEY, secret text)`);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('re-encryption for key rotation', () => {
  it('rewrites every value under the active key, keeps plaintexts and associated data, and is re-runnable', async () => {
    const k1 = { kid: 'k1', key: randomBytes(32) };
    const k2 = { kid: 'k2', key: randomBytes(32) };
    const old = new EncryptionKeyring([k1]);
    const aadFor = (id: string) => `secret_things:${id}`;
    for (let i = 0; i < 25; i++) {
      const id = `row-${String(i).padStart(2, '0')}`;
      await ds.query(`INSERT INTO secret_things VALUES ($1, $2)`, [id, old.encrypt(`value ${i}`, aadFor(id))]);
    }
    await ds.query(`INSERT INTO secret_things VALUES ('row-null', NULL)`);

    const rotated = new EncryptionKeyring([k2, k1]);
    await ds.query(`UPDATE secret_things SET secret = $1 WHERE id = 'row-03'`, [rotated.encrypt('value 3', aadFor('row-03'))]);
    const result = await reencryptColumn(ds, rotated, { table: 'secret_things', idColumn: 'id', column: 'secret', aadFor, batchSize: 4 });
    expect(result).toEqual({ scanned: 24, rotated: 24 });
    expect(await reencryptColumn(ds, rotated, { table: 'secret_things', idColumn: 'id', column: 'secret', aadFor })).toEqual({
      scanned: 0,
      rotated: 0,
    });

    const newOnly = new EncryptionKeyring([k2]);
    const rows: Array<{ id: string; secret: string }> = await ds.query(`SELECT * FROM secret_things WHERE secret IS NOT NULL ORDER BY id`);
    expect(rows).toHaveLength(25);
    for (const row of rows) {
      expect(newOnly.decryptString(row.secret, aadFor(row.id))).toBe(`value ${Number(row.id.slice(4))}`);
    }
  });

  it('refuses table and column names that are not plain identifiers', async () => {
    const ring = new EncryptionKeyring([{ kid: 'k', key: randomBytes(32) }]);
    await expect(reencryptColumn(ds, ring, { table: 'secret_things; DROP TABLE x', idColumn: 'id', column: 'secret' })).rejects.toMatchObject({
      code: 'CONFIG_ERROR',
    });
  });
});
