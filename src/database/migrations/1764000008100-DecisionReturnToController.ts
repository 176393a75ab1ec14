import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R6: a controller ending its contract may instruct the return of its records: they are
 * exported to it, then erased. The decision names the controller they go back to.
 */
export class DecisionReturnToController1764000008100 implements MigrationInterface {
  name = 'DecisionReturnToController1764000008100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_decision ADD COLUMN return_to_controller text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_decision DROP COLUMN return_to_controller`);
  }
}
