import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R6: a source may hold records of several controllers for one person, and each controller's
 * instruction binds only its own records: instructions are kept per (request, source,
 * controller). An instruction stored before applied to every controller's records in its
 * source; it is carried over to each of them, so no decision changes meaning. A package of
 * records returned to their controller names that controller: one package per controller,
 * so none sees another's records (null: an access package, or one built before).
 */
export class ControllerInstructionPerController1764000008400 implements MigrationInterface {
  name = 'ControllerInstructionPerController1764000008400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE controller_instruction ADD COLUMN controller_id text`);
    // The per-source key goes first: the carried-over rows share their source.
    await q.query(`DROP INDEX controller_instruction_key`);
    await q.query(
      `INSERT INTO controller_instruction (request_id, source_id, controller_id, decision, reference, actor, at)
       SELECT i.request_id, i.source_id, c.controller_id, i.decision, i.reference, i.actor, i.at
         FROM controller_instruction i
         JOIN (SELECT DISTINCT request_id, source_id, controller_id FROM request_record WHERE controller_id IS NOT NULL) c
           ON c.request_id = i.request_id AND c.source_id = i.source_id
        WHERE i.controller_id IS NULL`,
    );
    // An instruction for a source without controlled records bound nothing.
    await q.query(`DELETE FROM controller_instruction WHERE controller_id IS NULL`);
    await q.query(`ALTER TABLE controller_instruction ALTER COLUMN controller_id SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX controller_instruction_key ON controller_instruction (request_id, source_id, controller_id)`);
    await q.query(`ALTER TABLE access_package ADD COLUMN controller_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_package DROP COLUMN controller_id`);
    // One instruction per source again: a refusal binds first (R6), else the earliest is kept.
    await q.query(
      `DELETE FROM controller_instruction WHERE id IN (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY request_id, source_id ORDER BY (decision = 'REFUSE') DESC, at, id) AS n FROM controller_instruction
         ) ranked WHERE n > 1)`,
    );
    await q.query(`DROP INDEX controller_instruction_key`);
    await q.query(`ALTER TABLE controller_instruction DROP COLUMN controller_id`);
    await q.query(`CREATE UNIQUE INDEX controller_instruction_key ON controller_instruction (request_id, source_id)`);
  }
}
