import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A source's life cycle replaces its `enabled` flag: a source registered by a CONNECTOR
 * waits for an administrator's approval before it gets any traffic, and any source can be
 * disabled or removed (kept as REMOVED: past requests still name it). `declared` keeps
 * what the source declared when it was registered (identifier types, capabilities,
 * description), which is what the approval view shows and what discovery may send it.
 */
export class SourceApproval1764000005400 implements MigrationInterface {
  name = 'SourceApproval1764000005400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE source
        ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'
          CONSTRAINT source_status_check CHECK (status IN ('PENDING_APPROVAL', 'ACTIVE', 'DISABLED', 'REMOVED')),
        ADD COLUMN declared jsonb,
        ADD COLUMN reviewed_by text,
        ADD COLUMN reviewed_at timestamptz`);
    await q.query(`UPDATE source SET status = 'DISABLED' WHERE NOT enabled`);
    await q.query(`ALTER TABLE source DROP COLUMN enabled`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source ADD COLUMN enabled boolean NOT NULL DEFAULT true`);
    await q.query(`UPDATE source SET enabled = (status = 'ACTIVE')`);
    await q.query(`ALTER TABLE source DROP COLUMN status, DROP COLUMN declared, DROP COLUMN reviewed_by, DROP COLUMN reviewed_at`);
  }
}
