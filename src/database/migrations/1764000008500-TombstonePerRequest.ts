import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R10/R11: a tombstone row per (token, erasure request). One row used to serve every request
 * that erased the same person, named after the first; a request rejected or cancelled after
 * its tombstones were written withdraws its own rows, and another erasure of the person must
 * keep its own. Rows written before name their first request only.
 */
export class TombstonePerRequest1764000008500 implements MigrationInterface {
  name = 'TombstonePerRequest1764000008500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tombstone_hash_key`);
    await q.query(`CREATE UNIQUE INDEX tombstone_hash_key ON tombstone (hash, kid, request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // One row per token again: the earliest erasure keeps it.
    await q.query(
      `DELETE FROM tombstone WHERE id IN (
         SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY hash, kid ORDER BY erased_at, id) AS n FROM tombstone) ranked WHERE n > 1)`,
    );
    await q.query(`DROP INDEX tombstone_hash_key`);
    await q.query(`CREATE UNIQUE INDEX tombstone_hash_key ON tombstone (hash, kid)`);
  }
}
