import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open request whose hold stopped a task (OPEN_REQUEST, CONTROLLER_REFUSED), kept apart
 * from the task's error text: the text is shown to whoever reads the task's request, the
 * holding request's id only to a caller whose scope covers that request.
 */
export class TaskHeldByRequest1764000008760 implements MigrationInterface {
  name = 'TaskHeldByRequest1764000008760';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task ADD COLUMN held_by_request_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task DROP COLUMN held_by_request_id`);
  }
}
