// The migration to controller instructions per controller (R6): an instruction stored per
// source is carried over to each controller whose records the source holds for the request;
// down keeps one per source (a refusal first); up again restores the per-controller key.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;

const MIGRATION = 'ControllerInstructionPerController1764000008400';

async function instructions(requestId: string): Promise<Record<string, unknown>[]> {
  return database.ds.query(`SELECT * FROM controller_instruction WHERE request_id = $1 ORDER BY source_id, decision`, [requestId]);
}

describe('migration: controller instructions per controller', () => {
  it('up carries a per-source instruction over to each controller of the source; down keeps one per source (a refusal first); up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    await undoThrough(MIGRATION);
    expect(await applied()).not.toContain(MIGRATION);

    const id = randomUUID();
    await database.ds.query(
      `INSERT INTO data_subject_request (id, type, status, received_at, acknowledge_by, jurisdiction, blind_index, created_by, version)
       VALUES ($1, 'ERASURE', 'IN_REVIEW', now(), now(), 'GB', '{}', 'test', 1)`,
      [id],
    );
    await database.ds.query(
      `INSERT INTO request_record (request_id, source_id, record_id, record_type, relationship, band, score, review_state, controller_id)
       VALUES ($1, 'case_management', 'CASE-1', 'case', 'SUBJECT', 'MATCH', 0.99, 'AUTO', 'EMP-A'),
              ($1, 'case_management', 'CASE-2', 'case', 'SUBJECT', 'MATCH', 0.99, 'AUTO', 'EMP-B'),
              ($1, 'clinic', 'OCC-1', 'assessment', 'SUBJECT', 'MATCH', 0.99, 'AUTO', 'EMP-A'),
              ($1, 'concierge', 'MEM-1', 'member', 'SUBJECT', 'MATCH', 0.99, 'AUTO', NULL)`,
      [id],
    );
    await database.ds.query(
      `INSERT INTO controller_instruction (request_id, source_id, decision, reference, actor, at)
       VALUES ($1, 'case_management', 'PROCEED', 'letter 1', 'handler', now()), ($1, 'clinic', 'REFUSE', NULL, 'handler', now()),
              ($1, 'concierge', 'PROCEED', NULL, 'handler', now())`,
      [id],
    );

    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    const up = await instructions(id);
    expect(up.map((i) => [i.source_id, i.controller_id, i.decision, i.reference]).sort()).toEqual([
      ['case_management', 'EMP-A', 'PROCEED', 'letter 1'],
      ['case_management', 'EMP-B', 'PROCEED', 'letter 1'],
      ['clinic', 'EMP-A', 'REFUSE', null],
    ]);
    // One instruction per controller and source: a second for EMP-A is refused by the key.
    await expect(
      database.ds.query(
        `INSERT INTO controller_instruction (request_id, source_id, controller_id, decision, actor, at) VALUES ($1, 'clinic', 'EMP-A', 'PROCEED', 'h', now())`,
        [id],
      ),
    ).rejects.toThrow(/controller_instruction_key/);
    await database.ds.query(`UPDATE controller_instruction SET decision = 'REFUSE' WHERE request_id = $1 AND controller_id = 'EMP-B'`, [id]);

    await undoThrough(MIGRATION);
    const down = await instructions(id);
    expect(down.map((i) => [i.source_id, i.decision])).toEqual([
      ['case_management', 'REFUSE'],
      ['clinic', 'REFUSE'],
    ]);
    expect(down[0]).not.toHaveProperty('controller_id');

    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
    expect((await instructions(id)).map((i) => [i.source_id, i.controller_id, i.decision]).sort()).toEqual([
      ['case_management', 'EMP-A', 'REFUSE'],
      ['case_management', 'EMP-B', 'REFUSE'],
      ['clinic', 'EMP-A', 'REFUSE'],
    ]);
    const [{ has }] = await database.ds.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'access_package' AND column_name = 'controller_id') AS has`,
    );
    expect(has).toBe(true);
  });
});
