import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R5: the person is told of an extension. The notice is sent outside the gateway (post,
 * e-mail); the handler records that it went, when and who: only once an extension exists.
 */
export class ExtensionNoticeSent1764000010400 implements MigrationInterface {
  name = 'ExtensionNoticeSent1764000010400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_subject_request ADD COLUMN extension_notice_sent_at timestamptz, ADD COLUMN extension_notice_sent_by text`);
    await q.query(
      `ALTER TABLE data_subject_request ADD CONSTRAINT dsr_extension_notice_check CHECK (extension_notice_sent_at IS NULL OR (extended_due_at IS NOT NULL AND extension_notice_sent_by IS NOT NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_subject_request DROP COLUMN extension_notice_sent_at, DROP COLUMN extension_notice_sent_by`);
  }
}
