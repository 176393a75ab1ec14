import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention runs (R9): destruction of what is past retention, previewed, approved and
 * executed through the task machinery erasures use. A run keeps the items it previewed
 * (approval approves exactly those); a task belongs to a request or to a run, never both.
 */
export class RetentionRuns1764000007000 implements MigrationInterface {
  name = 'RetentionRuns1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retention_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status text NOT NULL
          CONSTRAINT retention_run_status_check CHECK (status IN ('PREVIEWED', 'EXECUTING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED')),
        as_of timestamptz NOT NULL,
        source_ids text[] NOT NULL,
        summary jsonb NOT NULL,
        automatic boolean NOT NULL DEFAULT false,
        prepared_by text NOT NULL,
        approved_by text,
        approved_at timestamptz,
        cancelled_by text,
        finished_at timestamptz,
        outcome jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX retention_run_created_idx ON retention_run (created_at DESC)`);
    await q.query(`
      CREATE TABLE retention_run_item (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL CONSTRAINT retention_run_item_run_fk REFERENCES retention_run (id) ON DELETE CASCADE,
        source_id text NOT NULL,
        record_id text NOT NULL,
        record_type text NOT NULL,
        retention_start timestamptz,
        action text,
        kept_reason text,
        kept_detail text,
        CONSTRAINT retention_run_item_key UNIQUE (run_id, source_id, record_id),
        CONSTRAINT retention_run_item_action_or_kept CHECK (num_nonnulls(action, kept_reason) = 1)
      )`);
    await q.query(`ALTER TABLE task ALTER COLUMN request_id DROP NOT NULL`);
    await q.query(`ALTER TABLE task ADD COLUMN retention_run_id uuid CONSTRAINT task_retention_run_fk REFERENCES retention_run (id) ON DELETE NO ACTION`);
    await q.query(`ALTER TABLE task ADD CONSTRAINT task_owner_check CHECK (num_nonnulls(request_id, retention_run_id) = 1)`);
    await q.query(`CREATE UNIQUE INDEX task_run_key ON task (retention_run_id, source_id, record_id, action) WHERE retention_run_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM task WHERE retention_run_id IS NOT NULL`);
    await q.query(`DROP INDEX task_run_key`);
    await q.query(`ALTER TABLE task DROP CONSTRAINT task_owner_check, DROP COLUMN retention_run_id`);
    await q.query(`ALTER TABLE task ALTER COLUMN request_id SET NOT NULL`);
    await q.query(`DROP TABLE retention_run_item`);
    await q.query(`DROP TABLE retention_run`);
  }
}
