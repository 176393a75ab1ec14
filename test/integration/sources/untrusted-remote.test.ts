// A remote connector and everything it answers are untrusted (docs/security.md, "Trust
// boundaries"). A team's service behind the signed protocol may answer records nobody asked
// for, put personal data in its error text, or answer outcomes and records the contract does
// not know. The gateway must keep to what it asked and carry none of the remote's words.
// Here a real training store sits behind the real router; `tricks` replaces what it answers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { strFromU8, unzipSync } from 'fflate';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type Connector } from '../../../connectors/contract.js';
import { createConnectorRouter } from '../../../connectors/remote/router.js';
import { TrainingConnector } from '../../../connectors/training/connector.js';
import { IdentifierType, RecordAction, TaskStatus } from '../../../src/domain/vocabulary.js';
import { approvalTokenOf } from '../../../src/sources/approval-changes.js';
import { startWorkers, type Closable } from '../../../jobs/workers.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { downloadPackage } from '../../support/access-package-download.js';
import { eventually } from '../../support/eventually.js';
import { insertApprovedRequest, requestStatus, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { seededStores, type SeededStores } from '../connectors/fixtures.js';
import { settleReviewAndControllers } from '../requests/support.js';

const SECRET = randomBytes(24).toString('base64url');
const SOURCE = 'remote_training';
/** Personal data a hostile or careless remote puts in its own words. */
const LEAKED = 'leaked.person@example.org';

let gw: TestGateway;
let stores: SeededStores;
let training: TrainingConnector;
let server: Server;
let registration: Record<string, unknown>;
/** What the remote answers instead of the training store, per operation. */
const tricks: Partial<Record<keyof Connector, unknown>> = {};

/** The training connector, answering through `tricks` where a test set one. */
function hostile(inner: TrainingConnector): Connector {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in tricks) return tricks[prop as keyof Connector];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as Connector;
}

async function learners(n: number): Promise<{ id: string; email: string; given: string; family: string }[]> {
  const client = new pg.Client({ connectionString: stores.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; email: string; given: string; family: string }>(
      `SELECT id, email, given_name AS given, family_name AS family FROM training.learners WHERE email IS NOT NULL ORDER BY id LIMIT $1`,
      [n],
    );
    return rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  stores = await seededStores(20, 7);
  training = new TrainingConnector({ url: stores.url, schema: 'training' });
  const app = express();
  app.use('/connector', createConnectorRouter(hostile(training), { secret: SECRET }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_REMOTE_TRAINING: SECRET, TASK_ATTEMPTS: '1' } });
  registration = {
    id: SOURCE,
    name: 'Training (remote)',
    kind: 'TRAINING',
    type: 'remote',
    connection: { baseUrl: `http://127.0.0.1:${port}/connector`, secretEnv: 'DSR_SOURCE_SECRET_REMOTE_TRAINING', timeoutMs: 2000 },
  };
  await gw.runtime.services.sources.register(registration, 'test');
}, 180_000);

afterEach(() => {
  for (const key of Object.keys(tricks)) delete tricks[key as keyof Connector];
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await training?.close();
  await gw?.stop();
  await stores?.drop();
});

describe('records a remote answers that nobody asked for', () => {
  it("R16: an access copy holds only the person's records: a remote export that adds another learner's record is cut to the records asked for", async () => {
    const [me, other] = await learners(2);
    // The export answers what was asked, and another person's record besides.
    tricks.export = async (refs: { sourceId: string; recordId: string }[]) => [
      ...(await training.export(refs)),
      ...(await training.export([{ sourceId: SOURCE, recordId: other!.id }])),
    ];
    const handler = await bearer(gw, ['HANDLER']);
    const FIELDS = `id status records { sourceId recordId reviewState } decisions { sourceId needsController } accessPackage { downloadUrl }`;
    interface Req {
      id: string;
      status: string;
      records: { sourceId: string; recordId: string; reviewState: string }[];
      decisions: { sourceId: string; needsController: boolean }[];
      accessPackage: { downloadUrl: string | null } | null;
    }
    const mutate = async (call: string, args: string, variables: Record<string, unknown>): Promise<Req> => {
      const name = call.slice(0, call.indexOf('('));
      const reply = await gw.graphql<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, handler);
      const data = reply.body.data?.[name];
      if (!data) throw new Error(`${name} failed: ${JSON.stringify(reply.body.errors)}`);
      return data;
    };
    const identifiers = [
      { type: 'EMAIL', value: me!.email },
      { type: 'GIVEN_NAME', value: me!.given },
      { type: 'FAMILY_NAME', value: me!.family },
    ];
    const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', { input: { type: 'ACCESS', identifiers, channel: 'email' } });
    let req = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id: submitted.id,
      input: { method: 'passport seen on video call' },
    });
    expect(req.records.map((r) => r.recordId)).toContain(me!.id);
    expect(req.records.map((r) => r.recordId)).not.toContain(other!.id);
    req = await settleReviewAndControllers(mutate, req, (r) => r.recordId === me!.id);
    const executed = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    expect(executed.status).toBe('COMPLETED');
    const download = await downloadPackage(gw.url, executed.accessPackage!.downloadUrl!);
    expect(download.status).toBe(200);
    const text = Object.values(unzipSync(download.bytes!))
      .map((bytes) => strFromU8(bytes))
      .join('\n');
    expect(text).toContain(me!.email);
    expect(text).not.toContain(other!.id);
    expect(text).not.toContain(other!.email);
  });
});

describe("a remote's own words never leave the boundary", () => {
  it('its health detail is not shown: the sources list says it reports itself unhealthy', async () => {
    tricks.health = async () => ({ healthy: false, detail: `replica behind; last sync failed for ${LEAKED}` });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the registry's health cache
    const admin = await bearer(gw, ['ADMIN']);
    const reply = await gw.graphql<{ sources: { id: string; healthy: boolean; health: { detail: string | null } }[] }>(
      '{ sources { id healthy health { detail } } }',
      {},
      admin,
    );
    expect(reply.body.errors).toBeUndefined();
    const mine = reply.body.data!.sources.find((s) => s.id === SOURCE)!;
    expect(mine.healthy).toBe(false);
    expect(mine.health.detail).toBe('the remote source reports itself unhealthy');
    expect(JSON.stringify(reply.body)).not.toContain(LEAKED);
  });

  it('a kind it describes itself as that the gateway does not know is not repeated: the source is unhealthy, its health detail names no value of the remote', async () => {
    tricks.kind = `TRAINING for ${LEAKED}`;
    try {
      // Registered again: the gateway reaches the source anew and reads its description.
      await gw.runtime.services.sources.register(registration, 'test');
      const reply = await gw.graphql<{ sources: { id: string; healthy: boolean; health: { detail: string | null } }[] }>(
        '{ sources { id healthy health { detail } } }',
        {},
        await bearer(gw, ['ADMIN']),
      );
      const mine = reply.body.data!.sources.find((x) => x.id === SOURCE)!;
      expect(mine.healthy).toBe(false);
      expect(mine.health.detail).toContain('remote connector is of a kind the gateway does not know, registered as TRAINING');
      expect(JSON.stringify(reply.body)).not.toContain(LEAKED);
    } finally {
      delete tricks.kind;
      await gw.runtime.services.sources.register(registration, 'test');
    }
  });

  it('a description whose fields are not a list, or that offers a capability the contract does not name, is refused: the source is unhealthy, not described by it', async () => {
    const real = training.describe();
    for (const [describe, capabilities] of [
      [() => ({ ...real, fields: LEAKED }), training.capabilities],
      [() => real, [...training.capabilities, 'EXFILTRATE']],
    ] as const) {
      tricks.describe = describe;
      tricks.capabilities = capabilities;
      try {
        await gw.runtime.services.sources.register(registration, 'test');
        const reply = await gw.graphql<{ sources: { id: string; healthy: boolean; health: { detail: string | null }; fields: { field: string }[] }[] }>(
          '{ sources { id healthy health { detail } fields { field } } }',
          {},
          await bearer(gw, ['ADMIN']),
        );
        const mine = reply.body.data!.sources.find((x) => x.id === SOURCE)!;
        expect(mine).toMatchObject({ healthy: false, fields: [] });
        expect(mine.health.detail).toBe('CONFIGURATION: remote answered a malformed description');
      } finally {
        delete tricks.describe;
        delete tricks.capabilities;
        await gw.runtime.services.sources.register(registration, 'test');
      }
    }
  });

  it("a discovery it fails is named by its code: the remote's error message is in no answer", async () => {
    const [me] = await learners(1);
    tricks.discover = async () => {
      throw new ConnectorError('UNAVAILABLE', `index rebuild in progress; stuck on ${LEAKED}`);
    };
    const handler = await bearer(gw, ['HANDLER']);
    const reply = await gw.graphql<{ subject: { complete: boolean; sources: { sourceId: string; status: string; error: string; errorCode: string }[] } }>(
      `query($q: SubjectQueryInput!) { subject(query: $q) { complete sources { sourceId status error errorCode } } }`,
      { q: { identifiers: [{ type: 'EMAIL', value: me!.email }], sourceIds: [SOURCE] } },
      handler,
    );
    expect(reply.body.errors).toBeUndefined();
    const outcome = reply.body.data!.subject.sources.find((s) => s.sourceId === SOURCE)!;
    expect(outcome).toMatchObject({ status: 'FAILED', errorCode: 'UNAVAILABLE' });
    expect(outcome.error).toBe('UNAVAILABLE: remote source answered UNAVAILABLE (HTTP 503) to discover');
    expect(JSON.stringify(reply.body)).not.toContain(LEAKED);
  });

  it("an erasure it refuses or fails keeps only codes on the task and its audit: not the remote's detail or message", async () => {
    const [a, b, c] = await learners(3);
    const s = gw.runtime.services;
    tricks.erase = async (ref: { recordId: string }) => {
      if (ref.recordId === a!.id) return { outcome: 'REFUSED', detail: `LEGAL_HOLD: kept while ${LEAKED} disputes an invoice` };
      // An outcome the contract does not know, which the task row would otherwise keep as its outcome.
      if (ref.recordId === c!.id) return { outcome: `PARKED for ${LEAKED}` };
      throw new ConnectorError('CONFIGURATION', `no tenant configured for ${LEAKED}`);
    };
    tricks.eraseMany = undefined;
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: IdentifierType.EMAIL, value: a!.email }],
      decisions: [
        { sourceId: SOURCE, recordId: a!.id, action: RecordAction.ERASE },
        { sourceId: SOURCE, recordId: b!.id, action: RecordAction.ERASE },
        { sourceId: SOURCE, recordId: c!.id, action: RecordAction.ERASE },
      ],
    });
    await s.execution.execute(requestId, 'handler');
    const workers: Closable[] = startWorkers(s);
    try {
      const tasks = await eventually(
        () => tasksOf(s, requestId),
        (list) => list.length === 3 && list.every((t) => t.status === TaskStatus.FAILED),
        { timeoutMs: 30_000 },
      );
      const byRecord = new Map(tasks.map((t) => [t.record_id, t]));
      expect(byRecord.get(a!.id)?.last_error).toBe('REFUSED: LEGAL_HOLD');
      expect(byRecord.get(b!.id)?.last_error).toBe('CONFIGURATION: remote source answered CONFIGURATION (HTTP 500) to erase');
      expect([byRecord.get(c!.id)?.outcome, byRecord.get(c!.id)?.last_error]).toEqual([null, 'UNAVAILABLE: remote answered no known outcome']);
      expect(JSON.stringify(tasks)).not.toContain(LEAKED);
    } finally {
      for (const w of workers) await w.close();
    }
  });
});

describe('records a remote answers that the contract does not describe', () => {
  it('a record id with a line break, or of 10,000 characters, fails the source in discovery (UNAVAILABLE): it is stored and shown nowhere', async () => {
    const [me] = await learners(1);
    const [real] = await training.export([{ sourceId: SOURCE, recordId: me!.id }]);
    const handler = await bearer(gw, ['HANDLER']);
    for (const recordId of [`${me!.id}\r\nX-Injected: 1`, 'L'.repeat(10_000)]) {
      tricks.discover = async (queries: unknown[]) => queries.map(() => [{ ...real!, recordId }]);
      const reply = await gw.graphql<{
        subject: { complete: boolean; records: { recordId: string }[]; sources: { sourceId: string; status: string; errorCode: string }[] };
      }>(
        `query($q: SubjectQueryInput!) { subject(query: $q) { complete records { recordId } sources { sourceId status errorCode } } }`,
        { q: { identifiers: [{ type: 'EMAIL', value: me!.email }], sourceIds: [SOURCE] } },
        handler,
      );
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data!.subject.complete).toBe(false);
      expect(reply.body.data!.subject.sources.find((x) => x.sourceId === SOURCE)).toMatchObject({ status: 'FAILED', errorCode: 'UNAVAILABLE' });
      expect(reply.body.data!.subject.records).toEqual([]);
    }
  });
});

describe('records a remote names as held for a controller it is not registered for', () => {
  it("R6: a remote registered for one client that names another client's controller on its records fails discovery (UNAVAILABLE): the other client's handler is shown no request", async () => {
    const [me] = await learners(1);
    const s = gw.runtime.services;
    // Registered as holding every record for client A; the remote says its records are B's.
    await s.sources.register({ ...registration, controller: { role: 'PROCESSOR', defaultControllerId: 'ctrl-a' } }, 'test');
    const asHeldFor = (controllerId: string) => async (queries: unknown[]) =>
      (await training.discover(queries as Parameters<TrainingConnector['discover']>[0])).map((list) => list.map((r) => ({ ...r, controllerId })));
    try {
      const handler = await bearer(gw, ['HANDLER']);
      const handlerOfB = await bearer(gw, ['HANDLER'], ['ctrl-b']);
      const identifiers = [{ type: 'EMAIL', value: me!.email }];
      const submitAndVerify = async () => {
        const submitted = await gw.graphql<{ submitRequest: { id: string } }>(
          `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
          { input: { type: 'ERASURE', identifiers, channel: 'email' } },
          handler,
        );
        const id = submitted.body.data!.submitRequest.id;
        const verified = await gw.graphql<{
          verifyIdentity: { controllerIds: string[]; records: { recordId: string; controllerId: string | null }[] };
        }>(
          `mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport seen" }) { controllerIds records { recordId controllerId } } }`,
          { id },
          handler,
        );
        expect(verified.body.errors).toBeUndefined();
        return { id, ...verified.body.data!.verifyIdentity };
      };

      tricks.discover = asHeldFor('ctrl-b');
      const claimed = await submitAndVerify();
      expect(claimed.controllerIds).not.toContain('ctrl-b');
      expect(claimed.records).toEqual([]);
      const seenByB = await gw.graphql<{ request: { id: string } | null }>(`query($id: ID!) { request(id: $id) { id } }`, { id: claimed.id }, handlerOfB);
      expect(seenByB.body.data?.request ?? null).toBeNull();
      const searched = await gw.graphql<{ subject: { records: unknown[]; sources: { sourceId: string; status: string; errorCode: string }[] } }>(
        `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId } sources { sourceId status errorCode } } }`,
        { q: { identifiers, sourceIds: [SOURCE] } },
        handler,
      );
      expect(searched.body.data!.subject.records).toEqual([]);
      expect(searched.body.data!.subject.sources.find((x) => x.sourceId === SOURCE)).toMatchObject({ status: 'FAILED', errorCode: 'UNAVAILABLE' });

      // Its own client's records are taken as they come.
      tricks.discover = asHeldFor('ctrl-a');
      const own = await submitAndVerify();
      expect(own.records).toContainEqual({ recordId: me!.id, controllerId: 'ctrl-a' });
      expect(own.controllerIds).toContain('ctrl-a');
    } finally {
      await s.sources.register(registration, 'test');
    }
  });
});

describe("a remote's counts of names", () => {
  it("a remote claiming to hold a trillion names does not make every name weigh as the rarest: its counts shape no source's match weights", async () => {
    const [me] = await learners(1);
    // Every name listed as held twice among a trillion: each would look unique everywhere.
    tricks.nameFrequencies = async () => ({
      givenNames: [{ value: me!.given, records: 2 }],
      familyNames: [{ value: me!.family, records: 2 }],
      totals: { givenNames: 1e12, familyNames: 1e12 },
    });
    await gw.runtime.services.sources.register(registration, 'test'); // read its counts anew
    const handler = await bearer(gw, ['HANDLER']);
    const nameWeights = async () => {
      const reply = await gw.graphql<{ subject: { records: { recordId: string; explanation: { field: string; level: string; tfAdjustment: number }[] }[] } }>(
        `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId explanation { field level tfAdjustment } } } }`,
        {
          q: {
            identifiers: [
              { type: 'GIVEN_NAME', value: me!.given },
              { type: 'FAMILY_NAME', value: me!.family },
              { type: 'EMAIL', value: me!.email },
            ],
            sourceIds: [SOURCE],
          },
        },
        handler,
      );
      expect(reply.body.errors).toBeUndefined();
      return reply.body
        .data!.subject.records.filter((r) => r.recordId === me!.id)
        .flatMap((r) => r.explanation)
        .filter((f) => (f.field === 'givenName' || f.field === 'familyName') && f.level === 'exact');
    };
    // The first discovery waits at most a second for a source's counts; later ones use them.
    let weights = await nameWeights();
    for (let attempt = 0; attempt < 8 && weights.every((f) => f.tfAdjustment === 0); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      weights = await nameWeights();
    }
    expect(weights.map((f) => f.field).sort()).toEqual(['familyName', 'givenName']);
    for (const f of weights) expect(f.tfAdjustment, f.field).toBe(0);
  });
});

describe('an erasure the remote says is done is looked at again', () => {
  it('R1: a record its search no longer finds but that it still holds under its id (an erase answered APPLIED, the row kept) fails verification: the request is not COMPLETED', async () => {
    const [, , , me] = await learners(4);
    const s = gw.runtime.services;
    // The erase drops the record from the remote's search only; the record itself stays.
    const dropped = new Set<string>();
    tricks.erase = async (ref: { recordId: string }) => {
      dropped.add(ref.recordId);
      return { outcome: 'APPLIED' };
    };
    tricks.eraseMany = undefined;
    tricks.discover = async (queries: Parameters<Connector['discover']>[0]) =>
      (await training.discover(queries)).map((answer) => answer.filter((r) => !dropped.has(r.recordId)));
    const requestId = await insertApprovedRequest(s, {
      identifiers: [
        { type: IdentifierType.EMAIL, value: me!.email },
        { type: IdentifierType.GIVEN_NAME, value: me!.given },
        { type: IdentifierType.FAMILY_NAME, value: me!.family },
      ],
      decisions: [{ sourceId: SOURCE, recordId: me!.id, recordType: 'learner', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    const workers: Closable[] = startWorkers(s);
    try {
      expect(await waitForClosed(s, requestId, 60_000)).toBe('PARTIALLY_COMPLETED');
      const { response } = await requestStatus(s, requestId);
      expect(response!.reasons).toEqual([`verification: ${SOURCE} record ${me!.id} still found after ERASE`]);
    } finally {
      for (const w of workers) await w.close();
    }
    // It is still there: the remote kept it.
    expect(await training.export([{ sourceId: SOURCE, recordId: me!.id }])).toHaveLength(1);
  });
});

describe('a description the remote changes after it was approved', () => {
  interface Listed {
    id: string;
    status: string;
    healthy: boolean;
    health: { detail: string | null };
    capabilities: string[];
    fields: { field: string; special: boolean; categories: string[] }[];
    retention: { maxAge: string | null } | null;
  }
  const LISTED = '{ sources { id status healthy health { detail } capabilities fields { field special categories } retention { maxAge } } }';
  const listed = async (): Promise<Listed> => {
    const reply = await gw.graphql<{ sources: Listed[] }>(LISTED, {}, await bearer(gw, ['ADMIN']));
    expect(reply.body.errors).toBeUndefined();
    return reply.body.data!.sources.find((s) => s.id === SOURCE)!;
  };

  it('R12, R9: a remote that drops a special-category flag, shortens its retention, changes its rules or offers another capability is acted on as approved, reported by a code, and waits for approval', async () => {
    const real = training.describe();
    // Approved with a health field (R12) and a retention of a year.
    const approved = {
      ...real,
      fields: [...real.fields, { recordType: 'learner', field: 'accessibility_needs', categories: ['HEALTH'], special: true, correctable: false }],
      retention: { ...real.retention, maxAge: 'P1Y' },
    };
    const changes: [string, () => void][] = [
      [
        'special flag dropped',
        () => {
          tricks.describe = () => ({
            ...approved,
            fields: approved.fields.map((f) => (f.field === 'accessibility_needs' ? { ...f, categories: ['TRAINING'], special: false } : f)),
          });
        },
      ],
      ['retention shortened', () => (tricks.describe = () => ({ ...approved, retention: { ...approved.retention, maxAge: 'P1D', autoExecute: true } }))],
      ['rules changed', () => (tricks.describe = () => ({ ...approved, rules: { ...approved.rules, onlineService: false } }))],
      ['kind changed in its description', () => (tricks.describe = () => ({ ...approved, kind: 'RECRUITMENT' }))],
      ['capability added', () => delete tricks.capabilities],
    ];
    // Approved without restriction: offering it later is a change too.
    const approvedCapabilities = training.capabilities.filter((c) => c !== 'RESTRICT');
    try {
      for (const [what, change] of changes) {
        tricks.describe = () => approved;
        tricks.capabilities = approvedCapabilities;
        await gw.runtime.services.sources.register(registration, 'test');
        const before = await listed();
        expect(before, what).toMatchObject({ status: 'ACTIVE', healthy: true, retention: { maxAge: 'P1Y' } });
        expect(before.capabilities, what).not.toContain('RESTRICT');
        expect(
          before.fields.find((f) => f.field === 'accessibility_needs'),
          what,
        ).toMatchObject({ special: true });

        change();
        // Before the gateway has looked again, what a retention run or a task reads of the live
        // connector is still what was approved.
        const live = await gw.runtime.services.sources.connector(SOURCE);
        expect(live.describe(), what).toEqual(JSON.parse(JSON.stringify(await gw.runtime.services.sources.describe(SOURCE))));
        expect(
          live.describe().fields.find((f) => f.field === 'accessibility_needs'),
          what,
        ).toMatchObject({ special: true });
        expect(live.describe().retention.maxAge, what).toBe('P1Y');
        expect(live.capabilities, what).not.toContain('RESTRICT');
        await new Promise((resolve) => setTimeout(resolve, 1100)); // the registry's health cache
        // The next look at the source finds the change: it waits for approval, named by a code.
        const after = await eventually(listed, (s) => s.status === 'PENDING_APPROVAL', { timeoutMs: 10_000 });
        expect(after.status, what).toBe('PENDING_APPROVAL');
        expect(after.health.detail, what).toContain('SOURCE_DESCRIPTION_CHANGED');
        expect(
          after.fields.find((f) => f.field === 'accessibility_needs'),
          what,
        ).toMatchObject({ special: true, categories: ['HEALTH'] });
        expect(after.retention?.maxAge, what).toBe('P1Y');
        expect(after.capabilities, what).toEqual(before.capabilities);
        // What decisions and access packages read is the approved description.
        const description = await gw.runtime.services.sources.describe(SOURCE);
        expect(
          description?.fields.find((f) => f.field === 'accessibility_needs'),
          what,
        ).toMatchObject({ special: true });
        expect(description?.retention.maxAge, what).toBe('P1Y');
        expect(description?.rules, what).toEqual(approved.rules);
        expect(description?.kind, what).toBe('TRAINING');
        // Nothing is sent to it until an administrator approves the change.
        await expect(gw.runtime.services.sources.connector(SOURCE), what).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
        // R1: it still holds the records it was searched for: a search of every source names it, not complete.
        const search = await gw.runtime.services.discovery.discover({ identifiers: [{ type: IdentifierType.EMAIL, value: 'nobody@example.com' }] });
        expect(search.complete, what).toBe(false);
        expect(
          search.sources.find((s) => s.sourceId === SOURCE),
          what,
        ).toMatchObject({ status: 'FAILED', errorCode: 'SOURCE_PENDING_APPROVAL', rounds: 0 });
      }

      // Approved, the change is what the gateway acts on.
      tricks.describe = () => ({ ...approved, retention: { ...approved.retention, maxAge: 'P2Y' } });
      delete tricks.capabilities;
      await gw.runtime.services.sources.register(registration, 'test');
      tricks.describe = () => ({ ...approved, retention: { ...approved.retention, maxAge: 'P3Y' } });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await eventually(listed, (s) => s.status === 'PENDING_APPROVAL', { timeoutMs: 10_000 });
      // Approved before: the change is approved as the approval view shows it (its token).
      const shown = await gw.graphql<{ sources: { id: string; approvalToken: string }[] }>('{ sources { id approvalToken } }', {}, await bearer(gw, ['ADMIN']));
      const token = shown.body.data!.sources.find((s) => s.id === SOURCE)!.approvalToken;
      const reply = await gw.graphql<{ approveSource: { status: string; retention: { maxAge: string } } }>(
        'mutation($id: ID!, $token: String) { approveSource(id: $id, approvalToken: $token) { status retention { maxAge } } }',
        { id: SOURCE, token },
        await bearer(gw, ['ADMIN']),
      );
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data!.approveSource).toEqual({ status: 'ACTIVE', retention: { maxAge: 'P3Y' } });
      expect(await listed()).toMatchObject({ status: 'ACTIVE', healthy: true, retention: { maxAge: 'P3Y' } });
    } finally {
      delete tricks.describe;
      delete tricks.capabilities;
      await gw.runtime.services.sources.register(registration, 'test');
    }
  });

  it('R12: a remote source registered before registrations kept their description was approved with nothing: what it describes waits for approval', async () => {
    const client = new pg.Client({ connectionString: gw.databaseUrl });
    await client.connect();
    try {
      await client.query(`UPDATE source SET declared = NULL WHERE id = $1`, [SOURCE]);
      // Another process (or a start after the upgrade) reads the registration as stored.
      await gw.runtime.services.sources.changeStatus(SOURCE, 'disable', 'test');
      await gw.runtime.services.sources.changeStatus(SOURCE, 'enable', 'test');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await eventually(listed, (s) => s.status === 'PENDING_APPROVAL', { timeoutMs: 10_000 });
      expect(after.health.detail).toContain('SOURCE_DESCRIPTION_CHANGED');
      expect(after.fields).toEqual([]);
      const shown = approvalTokenOf((await gw.runtime.services.sources.find(SOURCE))!);
      await gw.runtime.services.sources.changeStatus(SOURCE, 'approve', 'test', { approvalToken: shown });
      expect((await listed()).fields.map((f) => f.field)).toContain('email');
    } finally {
      await client.end();
      await gw.runtime.services.sources.register(registration, 'test');
    }
  });

  it('R12: a registration from SOURCES_FILE applied again at a start does not approve what the remote describes by then', async () => {
    const real = training.describe();
    const special = { recordType: 'learner', field: 'accessibility_needs', categories: ['HEALTH'], special: true, correctable: false };
    const dir = await mkdtemp(join(tmpdir(), 'sources-'));
    const file = join(dir, 'sources.json');
    await writeFile(file, JSON.stringify([registration]));
    try {
      tricks.describe = () => ({ ...real, fields: [...real.fields, special] });
      await gw.runtime.services.sources.register(registration, 'test');
      // The remote drops the flag; the gateway starts again and applies its file.
      tricks.describe = () => ({ ...real, fields: [...real.fields, { ...special, categories: ['TRAINING'], special: false }] });
      await gw.runtime.services.sources.registerFile(file);
      expect((await gw.runtime.services.sources.describe(SOURCE))?.fields.find((f) => f.field === 'accessibility_needs')).toMatchObject({ special: true });
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the registry's health cache
      const after = await eventually(listed, (s) => s.status === 'PENDING_APPROVAL', { timeoutMs: 10_000 });
      expect(after.fields.find((f) => f.field === 'accessibility_needs')).toMatchObject({ special: true });
    } finally {
      delete tricks.describe;
      await gw.runtime.services.sources.register(registration, 'test');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
