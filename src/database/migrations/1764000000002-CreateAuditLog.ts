import type { MigrationInterface, QueryRunner } from 'typeorm';

// The audit log (issue 7): append-only and hash-chained.
// - Triggers refuse UPDATE, DELETE and TRUNCATE, so even a bug or an application-level
//   compromise cannot rewrite history; a superuser who disables them is caught by the chain.
// - audit_chain_head holds the last seq and hash. Appenders lock it (SELECT ... FOR UPDATE)
//   so entries chain one after another under concurrency, and the verifier compares it with
//   the last row so that cutting entries off the end is detected too.
export class CreateAuditLog1764000000002 implements MigrationInterface {
  name = 'CreateAuditLog1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        seq           bigserial PRIMARY KEY,
        id            uuid NOT NULL UNIQUE,
        at            timestamptz NOT NULL,
        actor_id      text NOT NULL,
        actor_kind    text NOT NULL,
        action        text NOT NULL,
        target_type   text NOT NULL,
        target_id     text,
        params_digest text NOT NULL,
        outcome       text NOT NULL,
        controller_id text,
        prev_hash     text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash          text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq)`);
    await q.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, seq)`);
    await q.query(`CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, seq)`);
    await q.query(`CREATE INDEX audit_log_controller_idx ON audit_log (controller_id, seq)`);

    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);

    await q.query(`
      CREATE TABLE audit_chain_head (
        id        smallint PRIMARY KEY CHECK (id = 1),
        last_seq  bigint NOT NULL,
        last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64))`);
    // The head only moves forward; it cannot be deleted or reset.
    await q.query(`
      CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.last_seq <= OLD.last_seq OR NEW.id <> OLD.id THEN
          RAISE EXCEPTION 'audit_chain_head only moves forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head
        FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only()`);
    await q.query(`
      CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_chain_head_forward_only()`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
  }
}
