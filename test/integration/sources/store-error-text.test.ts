// A source's store may put personal data in its error text: PostgreSQL quotes the value it
// could not read, a trigger says what its author wrote. What the gateway keeps of such a
// failure where handlers read it (a discovery's source outcome, a task's last_error) is the
// code, never that text. A built-in case-management store (real PostgreSQL) is made to fail.
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger } from '../../../src/logging/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appearanceViewDdl } from '../../../connectors/shared/reference-connector.js';
import { caseRecordTypes } from '../../../connectors/case-management/records.js';
import { startWorkers } from '../../../jobs/workers.js';
import { IdentifierType, RecordAction, RequestStatus, RequestType, TaskStatus } from '../../../src/domain/vocabulary.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { eventually } from '../../support/eventually.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
let pool: pg.Pool;
const lines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  gw = await startTestGateway({ worker: false, env: { TASK_ATTEMPTS: '1' }, logger: createLogger('info', sink) });
  await seedReferenceSources({ url: gw.databaseUrl, people: 20, seed: 5, systems: ['case_management'] });
  await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
  pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await gw?.stop();
});

async function aCase(): Promise<{ id: string; email: string }> {
  const { rows } = await pool.query<{ id: string; email: string }>(
    `SELECT id, email FROM case_management.cases WHERE email IS NOT NULL AND controller_id IS NULL ORDER BY id LIMIT 1`,
  );
  return rows[0]!;
}

describe("a store's error text stays out of what handlers read", () => {
  it("a discovery the store fails shows the SQLSTATE, not PostgreSQL's message quoting the person's e-mail", async () => {
    const person = await aCase();
    // The store's appearance view now reads every case's e-mail as a number: PostgreSQL quotes the one it could not read.
    const view = appearanceViewDdl('case_management', caseRecordTypes).replace(
      `to_jsonb(t) AS doc FROM "case_management"."cases" t`,
      `to_jsonb(t) || jsonb_build_object('boom', t.email::int) AS doc FROM "case_management"."cases" t`,
    );
    expect(view).toContain('boom');
    await pool.query(view);
    try {
      const reply = await gw.graphql<{ subject: { sources: { sourceId: string; status: string; error: string; errorCode: string }[] } }>(
        `query($q: SubjectQueryInput!) { subject(query: $q) { sources { sourceId status error errorCode } } }`,
        { q: { identifiers: [{ type: 'EMAIL', value: person.email }] } },
        await bearer(gw, ['HANDLER']),
      );
      expect(reply.body.errors).toBeUndefined();
      const outcome = reply.body.data!.subject.sources.find((s) => s.sourceId === 'case_management')!;
      expect(outcome).toMatchObject({ status: 'FAILED', errorCode: 'SQLSTATE_22P02' });
      expect(outcome.error).toMatch(/^SQLSTATE_22P02: the store failed/);
      expect(JSON.stringify(reply.body)).not.toContain(person.email);
    } finally {
      await pool.query(appearanceViewDdl('case_management', caseRecordTypes));
    }
  });

  it("an erasure the store's trigger refuses keeps the SQLSTATE on the task, not the trigger's message naming the e-mail", async () => {
    const s = gw.runtime.services;
    const person = await aCase();
    await pool.query(`CREATE FUNCTION case_management.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'case of % is under review', OLD.email; END $$`);
    await pool.query(`CREATE TRIGGER refuse_delete BEFORE DELETE ON case_management.cases FOR EACH ROW EXECUTE FUNCTION case_management.refuse_delete()`);
    const workers = startWorkers(s);
    try {
      const requestId = await insertApprovedRequest(s, {
        identifiers: [{ type: IdentifierType.EMAIL, value: person.email }],
        decisions: [{ sourceId: 'case_management', recordId: person.id, recordType: 'case', action: RecordAction.ERASE }],
      });
      await s.execution.execute(requestId, 'handler');
      const [task] = await eventually(
        () => tasksOf(s, requestId),
        (list) => list.length === 1 && list[0]!.status === TaskStatus.FAILED,
        { timeoutMs: 30_000 },
      );
      expect(task!.last_error).toMatch(/^ERROR: SQLSTATE_P0001: the store failed/);
      expect(JSON.stringify(task)).not.toContain(person.email);
    } finally {
      for (const w of workers) await w.close();
      await pool.query(`DROP TRIGGER refuse_delete ON case_management.cases`);
    }
  });

  it("an access copy whose export the store fails is refused (SOURCE_UNAVAILABLE), and the log line names the SQLSTATE, not the store's message naming the e-mail", async () => {
    const s = gw.runtime.services;
    const person = await aCase();
    // A function of the store's appearance view refuses to read a case, naming its e-mail (as a trigger or a check would).
    await pool.query(`CREATE FUNCTION case_management.unreadable(e text) RETURNS int LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'case of % cannot be read', e; END $$`);
    await pool.query(
      appearanceViewDdl('case_management', caseRecordTypes).replace(
        `to_jsonb(t) AS doc FROM "case_management"."cases" t`,
        `to_jsonb(t) || jsonb_build_object('boom', case_management.unreadable(t.email)) AS doc FROM "case_management"."cases" t`,
      ),
    );
    try {
      const requestId = await insertApprovedRequest(s, {
        type: RequestType.ACCESS,
        status: RequestStatus.IN_REVIEW,
        identifiers: [{ type: IdentifierType.EMAIL, value: person.email }],
        decisions: [{ sourceId: 'case_management', recordId: person.id, recordType: 'case', action: RecordAction.RELEASE }],
      });
      const before = lines.length;
      const reply = await gw.graphql(`mutation($id: ID!) { executeRequest(requestId: $id) { id status } }`, { id: requestId }, await bearer(gw, ['HANDLER']));
      expect(reply.body.errors?.[0]?.extensions?.code, JSON.stringify(reply.body)).toBe('SOURCE_UNAVAILABLE');
      expect(JSON.stringify(reply.body)).not.toContain(person.email);
      const logged = lines.slice(before).join('');
      expect(logged).toContain('export failed');
      expect(logged).toContain('SQLSTATE_P0001');
      expect(logged).not.toContain(person.email);
    } finally {
      await pool.query(appearanceViewDdl('case_management', caseRecordTypes));
      await pool.query(`DROP FUNCTION case_management.unreadable(text)`);
    }
  });
});
