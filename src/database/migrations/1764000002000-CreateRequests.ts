import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRequests1764000002000 implements MigrationInterface {
  name = 'CreateRequests1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_subject_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        status text NOT NULL,
        held_from text,
        hold_reason text,
        received_at timestamptz NOT NULL,
        verified_at timestamptz,
        acknowledge_by timestamptz NOT NULL,
        acknowledged_at timestamptz,
        due_at timestamptz,
        extended_due_at timestamptz,
        extension_reason text,
        jurisdiction text NOT NULL,
        channel text,
        scope_sealed text,
        identifiers_sealed text NOT NULL,
        blind_index text[] NOT NULL,
        corrections_sealed text,
        verification_method text,
        verification_evidence_ref text,
        controller_ids text[] NOT NULL DEFAULT '{}',
        possible_duplicate_of uuid[] NOT NULL DEFAULT '{}',
        discovery_outcome jsonb,
        response jsonb,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL
      )`);
    await q.query(`CREATE INDEX dsr_blind_index_idx ON data_subject_request USING gin (blind_index)`);
    await q.query(`CREATE INDEX dsr_status_due_idx ON data_subject_request (status, due_at)`);

    await q.query(`
      CREATE TABLE request_transition (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT request_transition_request_fk REFERENCES data_subject_request(id),
        from_status text,
        to_status text NOT NULL,
        event text NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL,
        reason text
      )`);
    await q.query(`CREATE INDEX request_transition_request_idx ON request_transition (request_id, at)`);

    await q.query(`
      CREATE TABLE request_record (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT request_record_request_fk REFERENCES data_subject_request(id),
        source_id text NOT NULL,
        record_id text NOT NULL,
        record_type text NOT NULL,
        relationship text NOT NULL,
        parent_record_id text,
        band text NOT NULL,
        score double precision NOT NULL,
        review_state text NOT NULL,
        controller_id text,
        categories text[] NOT NULL DEFAULT '{}',
        dates jsonb NOT NULL DEFAULT '{}',
        facts jsonb NOT NULL DEFAULT '{}',
        explanation jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`CREATE UNIQUE INDEX request_record_key ON request_record (request_id, source_id, record_id)`);

    await q.query(`
      CREATE TABLE record_decision (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT record_decision_request_fk REFERENCES data_subject_request(id),
        source_id text NOT NULL,
        record_id text NOT NULL,
        action text NOT NULL,
        computed_action text NOT NULL,
        basis text,
        retain_until timestamptz,
        reason text NOT NULL,
        needs_controller boolean NOT NULL DEFAULT false,
        proposed_action text,
        follow_up_action text,
        needs_review boolean NOT NULL DEFAULT false,
        rules text[] NOT NULL DEFAULT '{}',
        override_reason text,
        overridden_by text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX record_decision_key ON record_decision (request_id, source_id, record_id)`);

    await q.query(`
      CREATE TABLE controller_instruction (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL CONSTRAINT controller_instruction_request_fk REFERENCES data_subject_request(id),
        source_id text NOT NULL,
        decision text NOT NULL,
        reference text,
        actor text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX controller_instruction_key ON controller_instruction (request_id, source_id)`);

    await q.query(`
      CREATE TABLE access_package (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL CONSTRAINT access_package_request_fk REFERENCES data_subject_request(id),
        sha256 text NOT NULL,
        size_bytes integer NOT NULL,
        archive_sealed text NOT NULL,
        manifest jsonb NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        downloaded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX access_package_request_idx ON access_package (request_id)`);
    await q.query(`CREATE UNIQUE INDEX access_package_token_key ON access_package (token_hash)`);

    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL CONSTRAINT task_request_fk REFERENCES data_subject_request(id),
        source_id text NOT NULL,
        record_id text NOT NULL,
        action text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        job_id text,
        last_error text,
        outcome text,
        applied_count integer NOT NULL DEFAULT 0,
        started_at timestamptz,
        finished_at timestamptz,
        duration_ms integer,
        verified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX task_key ON task (request_id, source_id, record_id, action)`);
    await q.query(`CREATE INDEX task_request_status_idx ON task (request_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'task',
      'access_package',
      'controller_instruction',
      'record_decision',
      'request_record',
      'request_transition',
      'data_subject_request',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
