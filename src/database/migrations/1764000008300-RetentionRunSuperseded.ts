import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R9: a preview never approved is closed SUPERSEDED when a newer preview of the same sources
 * is prepared, and points to it, so stale previews do not pile up waiting for approval.
 */
export class RetentionRunSuperseded1764000008300 implements MigrationInterface {
  name = 'RetentionRunSuperseded1764000008300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE retention_run DROP CONSTRAINT retention_run_status_check`);
    await q.query(
      `ALTER TABLE retention_run ADD CONSTRAINT retention_run_status_check
         CHECK (status IN ('PREVIEWED', 'EXECUTING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'SUPERSEDED'))`,
    );
    await q.query(
      `ALTER TABLE retention_run ADD COLUMN superseded_by uuid CONSTRAINT retention_run_superseded_by_fk REFERENCES retention_run (id) ON DELETE SET NULL`,
    );
    await q.query(`ALTER TABLE retention_run ADD CONSTRAINT retention_run_superseded_check CHECK (superseded_by IS NULL OR status = 'SUPERSEDED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE retention_run DROP CONSTRAINT retention_run_superseded_check, DROP COLUMN superseded_by`);
    // A superseded run was never approved: before this status it could only have been cancelled.
    await q.query(`UPDATE retention_run SET status = 'CANCELLED' WHERE status = 'SUPERSEDED'`);
    await q.query(`ALTER TABLE retention_run DROP CONSTRAINT retention_run_status_check`);
    await q.query(
      `ALTER TABLE retention_run ADD CONSTRAINT retention_run_status_check
         CHECK (status IN ('PREVIEWED', 'EXECUTING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED'))`,
    );
  }
}
