import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763999999999 implements MigrationInterface {
  name = 'Foundation1763999999999';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE source (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        name text NOT NULL UNIQUE,
        kind text NOT NULL,
        connector_type text NOT NULL,
        config jsonb NOT NULL,
        controller_ids text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        registered_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE source`);
  }
}
