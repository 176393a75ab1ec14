import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rectification (R14): the handler's finding that the data was inaccurate, stored with the
 * request (field names and reasons only: the values stay in the encrypted corrections),
 * and per decision the requested fields the record's source can take.
 */
export class AddRectification1764000003000 implements MigrationInterface {
  name = 'AddRectification1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_subject_request ADD COLUMN inaccuracy_finding jsonb`);
    await q.query(`ALTER TABLE record_decision ADD COLUMN correction_fields text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_decision DROP COLUMN correction_fields`);
    await q.query(`ALTER TABLE data_subject_request DROP COLUMN inaccuracy_finding`);
  }
}
