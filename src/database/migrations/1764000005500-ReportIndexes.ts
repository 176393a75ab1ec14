import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the request report (src/governance/request-report.store.ts): requests by
 * date of receipt, and status moves by target status and time (the answers in a period),
 * so a report reads the period's rows, not whole tables.
 */
export class ReportIndexes1764000005500 implements MigrationInterface {
  name = 'ReportIndexes1764000005500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS dsr_received_at_idx ON data_subject_request (received_at)`);
    await q.query(`CREATE INDEX IF NOT EXISTS request_transition_to_status_at_idx ON request_transition (to_status, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS request_transition_to_status_at_idx`);
    await q.query(`DROP INDEX IF EXISTS dsr_received_at_idx`);
  }
}
