import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an administrator last approved what a source is held to: a source never approved (a
 * source team's registration still waiting, then disabled) is not made ACTIVE by enabling it.
 * A source ACTIVE now, or waiting again after having been ACTIVE, was approved; a DISABLED one
 * cannot tell, so it is taken as never approved (enabling it asks for approval: fail closed).
 */
export class SourceApprovedAt1764000009500 implements MigrationInterface {
  name = 'SourceApprovedAt1764000009500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source ADD COLUMN approved_at timestamptz`);
    await q.query(
      `UPDATE source SET approved_at = COALESCE(reviewed_at, updated_at)
       WHERE status = 'ACTIVE' OR declared->'approvedBefore' = 'true'::jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source DROP COLUMN approved_at`);
  }
}
