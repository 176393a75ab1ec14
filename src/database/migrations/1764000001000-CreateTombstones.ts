import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTombstones1764000001000 implements MigrationInterface {
  name = 'CreateTombstones1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tombstone (
        id bigserial PRIMARY KEY,
        kid text NOT NULL,
        kind text NOT NULL,
        hash text NOT NULL,
        request_id uuid NOT NULL,
        erased_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX tombstone_hash_key ON tombstone (hash, kid)`);
    await q.query(`CREATE INDEX tombstone_request_idx ON tombstone (request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tombstone`);
  }
}
