import type { MigrationInterface, QueryRunner } from 'typeorm';

// API keys (issue 7). Only the SHA-256 of each secret is stored.
export class CreateApiKeys1764000000001 implements MigrationInterface {
  name = 'CreateApiKeys1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id             text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{16}$'),
        name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        secret_hash    text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
        roles          text[] NOT NULL CHECK (cardinality(roles) > 0),
        controller_ids text[] NOT NULL DEFAULT '{}',
        source_ids     text[] NOT NULL DEFAULT '{}',
        created_at     timestamptz NOT NULL DEFAULT now(),
        created_by     text,
        revoked_at     timestamptz,
        revoked_by     text,
        last_used_at   timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_active_idx ON api_keys (created_at) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
