// A source team's registration is not trusted with people's identifiers until an
// administrator approves it; any source can be disabled or removed; and each source is
// sent only the identifier types it declared (data minimisation). The source here is a
// remote connector service that records every call the gateway makes to it.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { TaskRunner } from '../../../src/execution/task-runner.js';
import { SourceWorkerPool } from '../../../jobs/execution/source-workers.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';
import { graphqlCodeOf } from '../../support/error-codes.js';
import { RecordingSource, serveRemote } from './recording-remote.js';

const SECRET = 'approval-test-secret-0123456789abcdef';

const SOURCE_FIELDS = 'id status healthy health { detail } identifierTypes capabilities fields { field categories } retention { summary } reviewedBy';
const REGISTER = `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { ${SOURCE_FIELDS} } }`;
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { sources { sourceId status } } }`;
const SUBJECT_GAPS = `query($q: SubjectQueryInput!) { subject(query: $q) { complete sources { sourceId status errorCode rounds source { name } } } }`;
const change = (op: string) => `mutation($id: ID!) { ${op}(id: $id) { ${SOURCE_FIELDS} } }`;
const PERSON = {
  identifiers: [
    { type: 'EMAIL', value: 'ada.lovelace@example.org' },
    { type: 'FULL_NAME', value: 'Ada Lovelace' },
    { type: 'DATE_OF_BIRTH', value: '1985-12-10' },
    { type: 'PHONE', value: '+44 20 7946 0000' },
  ],
};

interface SourceView {
  id: string;
  status: string;
  healthy: boolean;
  health: { detail: string | null };
  identifierTypes: string[];
  capabilities: string[];
  fields: { field: string }[];
  retention: { summary: string } | null;
  reviewedBy: string | null;
}

let gw: TestGateway;
let source: RecordingSource;
let server: Server;
let baseUrl: string;
let admin: Record<string, string>;
let handler: Record<string, string>;
let team: Record<string, string>;

beforeAll(async () => {
  source = new RecordingSource();
  ({ server, baseUrl } = await serveRemote(source, SECRET));
  gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_TEAM_CRM: SECRET, SCHEDULERS: 'false' } });
  admin = await bearer(gw, ['ADMIN']);
  handler = await bearer(gw, ['HANDLER']);
  team = await bearer(gw, ['CONNECTOR']);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

const registrationOf = () => ({
  id: 'team-crm',
  name: 'Team CRM',
  kind: 'OTHER',
  type: 'remote',
  connection: { baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TEAM_CRM', timeoutMs: 2000 },
});
const sourceRow = async () =>
  (await gw.graphql<{ sources: SourceView[] }>(`{ sources { ${SOURCE_FIELDS} } }`, {}, admin)).body.data!.sources.find((s) => s.id === 'team-crm');

describe('a source registered by a CONNECTOR', () => {
  it('waits for approval: no discovery traffic, no health checks, and the approval view shows what it would receive', async () => {
    const reply = await gw.graphql<{ registerSource: SourceView }>(REGISTER, { input: registrationOf() }, team);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data!.registerSource).toMatchObject({ status: 'PENDING_APPROVAL', healthy: false, identifierTypes: ['EMAIL'] });

    const everywhere = await gw.graphql<{ subject: { sources: { sourceId: string }[] } }>(SUBJECT, { q: PERSON }, handler);
    expect(everywhere.body.errors).toBeUndefined();
    expect(everywhere.body.data!.subject.sources.map((s) => s.sourceId)).not.toContain('team-crm');
    const named = await gw.graphql(SUBJECT, { q: { ...PERSON, sourceIds: ['team-crm'] } }, handler);
    expect(graphqlCodeOf(named)).toBe('SOURCE_NOT_FOUND');

    // What an administrator approves: identifier types, capabilities, fields and retention, without contacting it.
    for (let i = 0; i < 3; i++) {
      expect(await sourceRow()).toMatchObject({
        status: 'PENDING_APPROVAL',
        healthy: false,
        identifierTypes: ['EMAIL'],
        capabilities: ['DISCOVER', 'EXPORT', 'ERASE'],
        fields: [{ field: 'email', categories: ['CONTACT'] }],
        retention: { summary: '1 year after last contact' },
      });
    }
    expect(source.received).toEqual([]);
    expect(source.healthChecks).toBe(0);
  });

  it('only an ADMIN approves it; then it is searched, with nothing but the identifier types it declared', async () => {
    const byTeam = await gw.graphql(change('approveSource'), { id: 'team-crm' }, team);
    expect(graphqlCodeOf(byTeam)).toBe('FORBIDDEN');
    const approved = await gw.graphql<{ approveSource: SourceView }>(change('approveSource'), { id: 'team-crm' }, admin);
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data!.approveSource).toMatchObject({ status: 'ACTIVE' });
    const again = await gw.graphql(change('approveSource'), { id: 'team-crm' }, admin);
    expect(graphqlCodeOf(again)).toBe('SOURCE_STATUS_CONFLICT');

    const reply = await gw.graphql<{ subject: { sources: { sourceId: string; status: string }[] } }>(SUBJECT, { q: PERSON }, handler);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data!.subject.sources).toContainEqual({ sourceId: 'team-crm', status: 'ANSWERED' });
    expect(source.received.length).toBeGreaterThan(0);
    const types = new Set(source.received.flatMap((q) => q.identifiers.map((i) => i.type)));
    expect([...types]).toEqual(['EMAIL']);
    expect(JSON.stringify(source.received)).not.toMatch(/ada lovelace|1985|7946/i);
    // Blocking keys too: only those built from an email.
    expect(source.received.flatMap((q) => q.blockingKeys).every((k) => /^(EM|ES|EL|ED):/.test(k))).toBe(true);

    // Health is checked once for many concurrent listings (bounded), not once per query.
    // Past the 1 s reuse of the check the listings above may have made, so one is due.
    await new Promise((r) => setTimeout(r, 1_100));
    const checks = source.healthChecks;
    await Promise.all(Array.from({ length: 8 }, () => sourceRow()));
    expect(source.healthChecks - checks).toBeGreaterThan(0);
    expect(source.healthChecks - checks).toBeLessThanOrEqual(2); // a second only if the machine is slower than the 1 s reuse

    const audit = await gw.runtime.services.audit.list({ actions: ['source.approve'], targetId: 'team-crm' });
    expect(audit.entries.map((e) => e.outcome).sort()).toEqual(['DENIED', 'SUCCESS']);
  });

  it('keeps to what was approved when the source later declares more', async () => {
    source.identifierTypes = [T.EMAIL, T.DATE_OF_BIRTH, T.FULL_NAME];
    // The connector is built again (as after a restart): the source now declares more.
    await gw.runtime.services.sources.disable('team-crm', 'test');
    await gw.runtime.services.sources.changeStatus('team-crm', 'enable', 'test');
    source.received.length = 0;
    await gw.graphql(SUBJECT, { q: PERSON }, handler);
    expect(source.received.length).toBeGreaterThan(0);
    expect(new Set(source.received.flatMap((q) => q.identifiers.map((i) => i.type)))).toEqual(new Set(['EMAIL']));
    source.identifierTypes = [T.EMAIL];
  });

  it('a changed registration by the CONNECTOR goes back for approval', async () => {
    const reply = await gw.graphql<{ registerSource: SourceView }>(REGISTER, { input: { ...registrationOf(), name: 'Team CRM v2' } }, team);
    expect(reply.body.data!.registerSource.status).toBe('PENDING_APPROVAL');
    source.received.length = 0;
    const searched = await gw.graphql<{ subject: { complete: boolean; sources: { sourceId: string; errorCode: string | null }[] } }>(
      SUBJECT_GAPS,
      { q: PERSON },
      handler,
    );
    expect(source.received).toEqual([]);
    // Approved before, it holds records searched then (R1): named as not searched, the search not complete.
    expect(searched.body.data!.subject.complete).toBe(false);
    expect(searched.body.data!.subject.sources.find((s) => s.sourceId === 'team-crm')?.errorCode).toBe('SOURCE_PENDING_APPROVAL');
    // Approved before: the change is approved as the approval view showed it (its token).
    const shown = (
      await gw.graphql<{ sources: { id: string; approvalToken: string }[] }>(`{ sources { id approvalToken } }`, {}, admin)
    ).body.data!.sources.find((s) => s.id === 'team-crm')!;
    const approved = await gw.graphql(
      `mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { id } }`,
      { id: 'team-crm', token: shown.approvalToken },
      admin,
    );
    expect(approved.body.errors).toBeUndefined();
  });
});

describe('disabling and removing a source', () => {
  it('a disabled source gets no traffic at all: no discovery, no health check', async () => {
    const disabled = await gw.graphql<{ disableSource: SourceView }>(change('disableSource'), { id: 'team-crm' }, team);
    expect(disabled.body.errors).toBeUndefined();
    expect(disabled.body.data!.disableSource).toMatchObject({ status: 'DISABLED' });
    source.received.length = 0;
    const checks = source.healthChecks;
    const reply = await gw.graphql<{
      subject: { complete: boolean; sources: { sourceId: string; status: string; errorCode: string | null; rounds: number; source: { name: string } }[] };
    }>(SUBJECT_GAPS, { q: PERSON }, handler);
    // Not asked, yet named (R1): it holds the records it was searched for before, so the search is not complete.
    expect(reply.body.data!.subject.complete).toBe(false);
    expect(reply.body.data!.subject.sources.find((s) => s.sourceId === 'team-crm')).toEqual({
      sourceId: 'team-crm',
      status: 'FAILED',
      errorCode: 'SOURCE_DISABLED',
      rounds: 0,
      source: { name: expect.stringMatching(/^Team CRM/) },
    });
    expect(await sourceRow()).toMatchObject({ status: 'DISABLED', healthy: false });
    // Registering it again (SOURCES_FILE at a restart, or its team) does not enable it.
    await gw.graphql(REGISTER, { input: registrationOf() }, admin);
    expect((await sourceRow())!.status).toBe('DISABLED');
    expect(source.received).toEqual([]);
    expect(source.healthChecks).toBe(checks);

    const byTeam = await gw.graphql(change('enableSource'), { id: 'team-crm' }, team);
    expect(graphqlCodeOf(byTeam)).toBe('FORBIDDEN');
    const enabled = await gw.graphql<{ enableSource: SourceView }>(change('enableSource'), { id: 'team-crm' }, admin);
    expect(enabled.body.data!.enableSource.status).toBe('ACTIVE');
    const audit = await gw.runtime.services.audit.list({ actions: ['source.disable', 'source.enable'], targetId: 'team-crm' });
    // (The refusal of the CONNECTOR's enable is audited by the permission check, as graphql.enableSource.)
    expect(audit.entries.map((e) => `${e.action}:${e.outcome}`).sort()).toEqual(['source.disable:SUCCESS', 'source.enable:SUCCESS']);
  });

  it('removal is refused while tasks of the source are still to run, then hides the source', async () => {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'ada.lovelace@example.org' }],
      decisions: [{ sourceId: 'team-crm', recordId: 'c-1', recordType: 'contact', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    expect((await tasksOf(s, requestId)).map((t) => t.status)).toEqual(['QUEUED']);
    const refused = await gw.graphql(change('removeSource'), { id: 'team-crm' }, admin);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'SOURCE_HAS_OPEN_TASKS', openTasks: 1 });
    expect(graphqlCodeOf(await gw.graphql(change('removeSource'), { id: 'team-crm' }, team))).toBe('FORBIDDEN');

    await s.dataSource.query(`UPDATE task SET status = 'FAILED' WHERE request_id = $1`, [requestId]);
    const removed = await gw.graphql<{ removeSource: SourceView }>(change('removeSource'), { id: 'team-crm' }, admin);
    expect(removed.body.errors).toBeUndefined();
    expect(removed.body.data!.removeSource.status).toBe('REMOVED');
    expect(await sourceRow()).toBeUndefined();
    source.received.length = 0;
    await gw.graphql(SUBJECT, { q: PERSON }, handler);
    expect(source.received).toEqual([]);
    const audit = await gw.runtime.services.audit.list({ actions: ['source.remove'], targetId: 'team-crm' });
    expect(audit.entries.map((e) => e.outcome).sort()).toEqual(['DENIED', 'SUCCESS']); // open tasks, then removed
  });
});

describe('the worker of a withdrawn source', () => {
  it('stops at once in the process that disabled it, and at the next re-scan in the others', async () => {
    const s = gw.runtime.services;
    await s.sources.register({ ...registrationOf(), id: 'pooled', name: 'Pooled CRM' }, 'test');
    const here = new SourceWorkerPool(s, new TaskRunner({ ...s, settings: s.execution.settings }), () => undefined).start();
    const elsewhere = new SourceWorkerPool(s, new TaskRunner({ ...s, settings: s.execution.settings }), () => undefined);
    try {
      await here.rescan();
      await elsewhere.rescan();
      expect(here.has('pooled') && elsewhere.has('pooled')).toBe(true);
      await s.sources.disable('pooled', 'test');
      await here.rescan(); // in turn after the stop the disable asked for
      expect(here.has('pooled')).toBe(false);
      // Another process learns it from the database at its periodic re-scan.
      await elsewhere.rescan();
      expect(elsewhere.has('pooled')).toBe(false);
    } finally {
      await here.close();
      await elsewhere.close();
    }
  });
});
