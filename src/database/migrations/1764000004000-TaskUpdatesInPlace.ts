import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task row is updated three times as it runs (running, outcome, verified). With no index
 * on a column those updates change, PostgreSQL can write each new version in place on the
 * same page (a HOT update) instead of adding an entry to every index. The index on
 * (request_id, status) was the only one in the way, and task_key already leads with
 * request_id, which is how every status query of the gateway reads tasks. Pages are filled
 * to 80 % so the new versions have room.
 */
export class TaskUpdatesInPlace1764000004000 implements MigrationInterface {
  name = 'TaskUpdatesInPlace1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_request_status_idx`);
    await q.query(`ALTER TABLE task SET (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task RESET (fillfactor)`);
    await q.query(`CREATE INDEX task_request_status_idx ON task (request_id, status)`);
  }
}
