// No path makes a source searchable, or changes what it is held to, without an
// administrator's approval: enabling a source never approved or changed since, a source
// team's changed registration (it waits beside what was approved, and the approval view shows
// the difference), and the sources file applied again at a start.
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { graphqlCodeOf } from '../../support/error-codes.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { RecordingSource, serveRemote } from './recording-remote.js';

const SECRET = 'approval-holds-secret-0123456789abcdef';
const SOURCE_FIELDS =
  'id name status approvedAt approvalToken identifierTypes retention { summary } health { detail } pendingChanges { aspect change before after }';
const REGISTER = `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { ${SOURCE_FIELDS} } }`;
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { sources { sourceId status } } }`;
const change = (op: string) => `mutation($id: ID!) { ${op}(id: $id) { ${SOURCE_FIELDS} } }`;
const PERSON = {
  identifiers: [
    { type: 'EMAIL', value: 'grace.hopper@example.org' },
    { type: 'DATE_OF_BIRTH', value: '1986-12-09' },
  ],
};

interface SourceView {
  id: string;
  name: string;
  status: string;
  approvedAt: string | null;
  approvalToken: string | null;
  health: { detail: string | null };
  identifierTypes: string[];
  retention: { summary: string } | null;
  pendingChanges: { aspect: string; change: string; before: string | null; after: string | null }[];
}

let gw: TestGateway;
let admin: Record<string, string>;
let handler: Record<string, string>;
let team: Record<string, string>;
const servers: Server[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_TEAM_HR: SECRET, SCHEDULERS: 'false' } });
  admin = await bearer(gw, ['ADMIN']);
  handler = await bearer(gw, ['HANDLER']);
  team = await bearer(gw, ['CONNECTOR']);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A remote of its own for one test (its description changes are that test's only). */
async function remote(): Promise<{ source: RecordingSource; registration: (id: string, name: string) => Record<string, unknown> }> {
  const source = new RecordingSource();
  const { server, baseUrl } = await serveRemote(source, SECRET);
  servers.push(server);
  return {
    source,
    registration: (id, name) => ({ id, name, kind: 'OTHER', type: 'remote', connection: { baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TEAM_HR', timeoutMs: 2000 } }),
  };
}

async function mutate(op: string, id: string, who: Record<string, string>): Promise<SourceView> {
  const reply = await gw.graphql<Record<string, SourceView>>(change(op), { id }, who);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data![op]!;
}

async function register(input: Record<string, unknown>, who: Record<string, string>): Promise<SourceView> {
  const reply = await gw.graphql<{ registerSource: SourceView }>(REGISTER, { input }, who);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!.registerSource;
}

const viewOf = async (id: string) =>
  (await gw.graphql<{ sources: SourceView[] }>(`{ sources { ${SOURCE_FIELDS} } }`, {}, admin)).body.data!.sources.find((s) => s.id === id)!;

/** The sources a search for the person asked (one waiting for approval after being searched is named, not asked). */
async function searchedSources(): Promise<string[]> {
  const reply = await gw.graphql<{ subject: { sources: { sourceId: string; status: string }[] } }>(SUBJECT, { q: PERSON }, handler);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!.subject.sources.filter((s) => s.status === 'ANSWERED').map((s) => s.sourceId);
}

describe('enabling a disabled source', () => {
  it('a source never approved (disabled while it waited) waits for approval again: enabling does not make it searchable', async () => {
    const { source, registration } = await remote();
    expect(await register(registration('never-approved', 'Never approved'), team)).toMatchObject({ status: 'PENDING_APPROVAL', approvedAt: null });
    expect((await mutate('disableSource', 'never-approved', team)).status).toBe('DISABLED');

    const enabled = await mutate('enableSource', 'never-approved', admin);
    expect(enabled).toMatchObject({ status: 'PENDING_APPROVAL', approvedAt: null });
    // What an approval would let in: everything it declares, as nothing was approved.
    expect(enabled.pendingChanges).toContainEqual({ aspect: 'identifierTypes', change: 'ADDED', before: null, after: 'EMAIL' });
    expect(await searchedSources()).not.toContain('never-approved');
    expect(source.received).toEqual([]);

    const approved = await mutate('approveSource', 'never-approved', admin);
    expect(approved.status).toBe('ACTIVE');
    expect(approved.approvedAt).not.toBeNull();
    expect(approved.pendingChanges).toEqual([]);
    expect(await searchedSources()).toContain('never-approved');
  });
});

describe("a source team's changed registration", () => {
  it('waits beside what was approved, shown as a difference; a rejected change is not enabled; approved, it is exactly what the source is held to', async () => {
    const { source, registration } = await remote();
    await register(registration('team-hr', 'Team HR'), team);
    await mutate('approveSource', 'team-hr', admin);

    // The team's service now also takes a date of birth and keeps its records longer; it registers again.
    source.identifierTypes = [T.EMAIL, T.DATE_OF_BIRTH];
    source.retentionSummary = '5 years after last contact';
    // A first attempt, seen by the administrator, then corrected by the team.
    const firstShown = (await register(registration('team-hr', 'Team HR typo'), team)).approvalToken;
    expect(firstShown).toEqual(expect.any(String));
    const changed = await register(registration('team-hr', 'Team HR renamed'), team);
    expect(changed).toMatchObject({
      status: 'PENDING_APPROVAL',
      name: 'Team HR',
      identifierTypes: ['EMAIL'],
      retention: { summary: '1 year after last contact' },
    });
    const shown = (await viewOf('team-hr')).pendingChanges;
    expect(shown).toEqual(
      expect.arrayContaining([
        { aspect: 'name', change: 'CHANGED', before: 'Team HR', after: 'Team HR renamed' },
        { aspect: 'identifierTypes', change: 'ADDED', before: null, after: 'DATE_OF_BIRTH' },
        {
          aspect: 'retention',
          change: 'CHANGED',
          before: '1 year after last contact; active P1Y; not statutory; erasure DELETE',
          after: '5 years after last contact; active P1Y; not statutory; erasure DELETE',
        },
      ]),
    );
    expect(shown).toHaveLength(3);
    // A changed registration, not a remote describing itself otherwise: the health detail does not say so.
    expect((await viewOf('team-hr')).health.detail).toBe('not checked: PENDING_APPROVAL');

    // Rejected (disabled), then enabled: it is still waiting, held to what was approved.
    await mutate('disableSource', 'team-hr', admin);
    const enabled = await mutate('enableSource', 'team-hr', admin);
    expect(enabled).toMatchObject({
      status: 'PENDING_APPROVAL',
      name: 'Team HR',
      identifierTypes: ['EMAIL'],
      retention: { summary: '1 year after last contact' },
    });
    expect(enabled.pendingChanges).toEqual(shown);
    source.received.length = 0;
    expect(await searchedSources()).not.toContain('team-hr');
    expect(source.received).toEqual([]);

    // Approving what was shown before the correction approves nothing.
    const APPROVE = `mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { ${SOURCE_FIELDS} } }`;
    const stale = await gw.graphql(APPROVE, { id: 'team-hr', token: firstShown }, admin);
    expect(graphqlCodeOf(stale)).toBe('SOURCE_CHANGED_SINCE_SHOWN');
    expect((await viewOf('team-hr')).status).toBe('PENDING_APPROVAL');

    const reply = await gw.graphql<{ approveSource: SourceView }>(APPROVE, { id: 'team-hr', token: enabled.approvalToken }, admin);
    expect(reply.body.errors).toBeUndefined();
    const approved = reply.body.data!.approveSource;
    expect(approved).toMatchObject({
      approvalToken: null,
      status: 'ACTIVE',
      name: 'Team HR renamed',
      identifierTypes: ['EMAIL', 'DATE_OF_BIRTH'],
      retention: { summary: '5 years after last contact' },
      pendingChanges: [],
    });
    expect(await searchedSources()).toContain('team-hr');
    expect(new Set(source.received.flatMap((q) => q.identifiers.map((i) => i.type)))).toEqual(new Set(['EMAIL', 'DATE_OF_BIRTH']));
  });
});

describe('a change that moves a source to another controller', () => {
  it('R13: is shown as such, and only an administrator who may see that controller approves it', async () => {
    const { registration } = await remote();
    const of = (controller: string) => ({ ...registration('moving-hr', 'Moving HR'), controller: { role: 'PROCESSOR', defaultControllerId: controller } });
    await register(of('EMP-A'), team);
    await mutate('approveSource', 'moving-hr', admin);
    const changed = await register(of('EMP-B'), team);
    expect(changed.pendingChanges).toEqual(
      expect.arrayContaining([
        { aspect: 'controllerIds', change: 'ADDED', before: null, after: 'EMP-B' },
        { aspect: 'controllerIds', change: 'REMOVED', before: 'EMP-A', after: null },
      ]),
    );
    const adminOfA = await bearer(gw, ['ADMIN'], ['EMP-A']);
    expect(graphqlCodeOf(await gw.graphql(change('approveSource'), { id: 'moving-hr' }, adminOfA))).toBe('FORBIDDEN');
    expect((await viewOf('moving-hr')).status).toBe('PENDING_APPROVAL');
    const APPROVE = `mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { status } }`;
    const approved = await gw.graphql<{ approveSource: { status: string } }>(APPROVE, { id: 'moving-hr', token: changed.approvalToken }, admin);
    expect(approved.body.data?.approveSource.status).toBe('ACTIVE');
    const [row] = (await gw.runtime.services.dataSource.query(`SELECT controller_ids FROM source WHERE id = 'moving-hr'`)) as { controller_ids: string[] }[];
    expect(row?.controller_ids).toEqual(['EMP-B']);
  });
});

describe('the sources file applied again at a start', () => {
  it("leaves a source waiting for approval of its remote's changed description waiting: the file approves nothing it did not change", async () => {
    const { source, registration } = await remote();
    const dir = await mkdtemp(join(tmpdir(), 'sources-'));
    const file = join(dir, 'sources.json');
    await writeFile(file, JSON.stringify([registration('file-hr', 'File HR')]));
    try {
      const sources = gw.runtime.services.sources;
      await sources.registerFile(file);
      expect((await viewOf('file-hr')).status).toBe('ACTIVE');
      source.retentionSummary = 'kept for ever';
      await sources.health('file-hr');
      await eventually(
        () => viewOf('file-hr'),
        (s) => s.status === 'PENDING_APPROVAL',
        { timeoutMs: 10_000 },
      );

      await sources.registerFile(file);
      const after = await viewOf('file-hr');
      expect(after.status).toBe('PENDING_APPROVAL');
      expect(after.retention?.summary).toBe('1 year after last contact');
      expect(after.pendingChanges).toEqual([expect.objectContaining({ aspect: 'retention', change: 'CHANGED' })]);
      source.received.length = 0;
      expect(await searchedSources()).not.toContain('file-hr');
      expect(source.received).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the sources file and an approved change of a source team', () => {
  it('the next start puts the older registration of the file back, approved: a source in the file is changed by the file only (docs/operations.md)', async () => {
    const { registration } = await remote();
    const dir = await mkdtemp(join(tmpdir(), 'sources-'));
    const file = join(dir, 'sources.json');
    await writeFile(file, JSON.stringify([registration('file-team', 'File team')]));
    try {
      await register(registration('file-team', 'File team'), team);
      await mutate('approveSource', 'file-team', admin);
      const changed = await register(registration('file-team', 'File team v2'), team);
      const APPROVE = `mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { ${SOURCE_FIELDS} } }`;
      const approved = await gw.graphql<{ approveSource: SourceView }>(APPROVE, { id: 'file-team', token: changed.approvalToken }, admin);
      expect(approved.body.data?.approveSource.name).toBe('File team v2');

      await gw.runtime.services.sources.registerFile(file);
      expect(await viewOf('file-team')).toMatchObject({ name: 'File team', status: 'ACTIVE', pendingChanges: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a name another source has', () => {
  it('is refused with a code at registration, and a change waiting with it is not approved: the source keeps waiting', async () => {
    const { registration } = await remote();
    await register(registration('named-first', 'Taken name'), admin);
    // A new source with that name is refused before anything is stored.
    const clash = await gw.graphql(REGISTER, { input: registration('named-second', 'Taken name') }, team);
    expect(graphqlCodeOf(clash)).toBe('SOURCE_NAME_TAKEN');
    expect(await viewOf('named-second')).toBeUndefined();

    // So is a changed registration of an approved source that takes it.
    await register(registration('renamed-later', 'Free name'), team);
    await mutate('approveSource', 'renamed-later', admin);
    expect(graphqlCodeOf(await gw.graphql(REGISTER, { input: registration('renamed-later', 'Taken name') }, team))).toBe('SOURCE_NAME_TAKEN');

    // A change that waited before the name was taken is refused at approval, and still waits.
    const waiting = await register(registration('renamed-later', 'Name taken meanwhile'), team);
    await register(registration('named-meanwhile', 'Name taken meanwhile'), admin);
    const APPROVE = `mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { ${SOURCE_FIELDS} } }`;
    const refused = await gw.graphql(APPROVE, { id: 'renamed-later', token: waiting.approvalToken }, admin);
    expect(graphqlCodeOf(refused)).toBe('SOURCE_NAME_TAKEN');
    expect(await viewOf('renamed-later')).toMatchObject({ status: 'PENDING_APPROVAL', name: 'Free name', approvalToken: waiting.approvalToken });
  });
});

describe('approving without the approval view', () => {
  it('a change to a source approved before is not approved without the token: the change that waits may not be the one shown', async () => {
    const { registration } = await remote();
    await register(registration('tokenless', 'Tokenless'), team);
    // A first approval: what the API caller approved is in the reply.
    expect((await mutate('approveSource', 'tokenless', admin)).status).toBe('ACTIVE');
    await register(registration('tokenless', 'Tokenless renamed'), team);
    expect(graphqlCodeOf(await gw.graphql(change('approveSource'), { id: 'tokenless' }, admin))).toBe('SOURCE_APPROVAL_TOKEN_REQUIRED');
    expect(await viewOf('tokenless')).toMatchObject({ status: 'PENDING_APPROVAL', name: 'Tokenless' });
  });
});
