import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every batch of erasing tasks asks which of its records another open request holds
 * (RequestStore.recordHolds: record_decision by source and record). Without this index
 * that question read the whole decision table, once per batch.
 */
export class RecordDecisionByRecord1764000008600 implements MigrationInterface {
  name = 'RecordDecisionByRecord1764000008600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX record_decision_by_record ON record_decision (source_id, record_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX record_decision_by_record`);
  }
}
