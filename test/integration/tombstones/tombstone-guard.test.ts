import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/index.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';

describe('R10 recreation guard: tombstoneCheck (GraphQL) and POST /v1/tombstones/check', () => {
  let gw: TestGateway;
  let requestId: string;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    requestId = await insertApprovedRequest(gw.runtime.services, { identifiers: [{ type: T.EMAIL, value: 'gone@example.org' }], decisions: [] });
    await gw.runtime.services.tombstones.record(
      requestId,
      normaliseQueryIdentifiers([
        { type: T.EMAIL, value: 'gone@example.org' },
        { type: T.PHONE, value: '+44 20 7946 0000' },
      ]),
      new Date(),
    );
  }, 60_000);
  afterAll(async () => gw?.stop());

  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${gw.url}/v1/tombstones/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers per identifier, per person, with the request id; an invalid identifier is answered per item', async () => {
    const res = await post(
      {
        people: [
          {
            ref: 'a',
            identifiers: [
              { type: 'EMAIL', value: 'GONE@example.org' },
              { type: 'EMAIL', value: 'not-an-email' },
            ],
          },
          { ref: 'b', identifiers: [{ type: 'PHONE', value: '020 7946 0000' }] },
          { ref: 'c', identifiers: [{ type: 'EMAIL', value: 'new@example.org' }] },
        ],
      },
      await bearer(gw, ['CONNECTOR']),
    );
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer checked field by field
    const body = (await res.json()) as any;
    expect(body.anyTombstoned).toBe(true);
    expect(body.people.map((p: { ref: string; tombstoned: boolean }) => [p.ref, p.tombstoned])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect(body.people[0].results[0]).toEqual({ type: 'EMAIL', tombstoned: true, requestId });
    expect(body.people[0].results[1]).toMatchObject({ type: 'EMAIL', tombstoned: false, error: { code: 'INVALID_IDENTIFIER' } });
  });

  it('refuses without a key, without the permission, and beyond 1,000 identifiers (coded errors)', async () => {
    expect((await post({ identifiers: [] }, {})).status).toBe(401);
    const auditor = await post({ identifiers: [{ type: 'EMAIL', value: 'x@example.org' }] }, await bearer(gw, ['AUDITOR']));
    expect(auditor.status).toBe(403);
    const many = Array.from({ length: 1001 }, (_, i) => ({ type: 'EMAIL', value: `p${i}@example.org` }));
    const big = await post({ identifiers: many }, await bearer(gw, ['CONNECTOR']));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_IDENTIFIERS');
    const bad = await post({ nonsense: true }, await bearer(gw, ['CONNECTOR']));
    expect(bad.status).toBe(400);
  });

  it('tombstoneCheck query answers with the request id, and a bad identifier is a coded error', async () => {
    const q = `query($ids: [IdentifierInput!]!) { tombstoneCheck(identifiers: $ids) { anyTombstoned results { type tombstoned requestId } } }`;
    const headers = await bearer(gw, ['HANDLER']);
    const ok = await gw.graphql<{ tombstoneCheck: { anyTombstoned: boolean; results: unknown[] } }>(
      q,
      {
        ids: [
          { type: 'EMAIL', value: 'gone@example.org' },
          { type: 'EMAIL', value: `${randomUUID()}@example.org` },
        ],
      },
      headers,
    );
    expect(ok.body.data!.tombstoneCheck).toEqual({
      anyTombstoned: true,
      results: [
        { type: 'EMAIL', tombstoned: true, requestId },
        { type: 'EMAIL', tombstoned: false, requestId: null },
      ],
    });
    const bad = await gw.graphql(q, { ids: [{ type: 'EMAIL', value: 'nope' }] }, headers);
    expect(bad.body.errors![0]!.extensions!.code).toBe('INVALID_IDENTIFIER');
  });
});

describe('R13 controller scoping of the recreation guard: an erasure for controller B', () => {
  let gw: TestGateway;
  let requestId: string;
  const q = `query($ids: [IdentifierInput!]!) { tombstoneCheck(identifiers: $ids) { anyTombstoned results { type tombstoned requestId } } }`;
  const ids = [{ type: 'EMAIL', value: 'erased-for-b@example.org' }];
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    const services = gw.runtime.services;
    requestId = await insertApprovedRequest(services, { identifiers: ids as { type: T; value: string }[], decisions: [] });
    await services.dataSource.query(`UPDATE data_subject_request SET controller_ids = '{ctrl-b}' WHERE id = $1`, [requestId]);
    await services.tombstones.record(requestId, normaliseQueryIdentifiers(ids as { type: T; value: string }[]), new Date());
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('a handler bound to controller A learns nothing of it: not tombstoned, no request id, as request(id) is null', async () => {
    const handlerA = await bearer(gw, ['HANDLER'], ['ctrl-a']);
    const check = await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids }, handlerA);
    expect(check.body.data!.tombstoneCheck).toEqual({ anyTombstoned: false, results: [{ type: 'EMAIL', tombstoned: false, requestId: null }] });
    const request = await gw.graphql<{ request: unknown }>(`query($id: ID!) { request(id: $id) { id } }`, { id: requestId }, handlerA);
    expect(request.body.data!.request).toBeNull();
    const http = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...handlerA },
      body: JSON.stringify({ identifiers: ids }),
    });
    expect(await http.json()).toEqual({ anyTombstoned: false, results: [{ type: 'EMAIL', tombstoned: false, requestId: null }] });
  });

  it('a handler bound to controller B sees the erasure and its request', async () => {
    const check = await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids }, await bearer(gw, ['HANDLER'], ['ctrl-b']));
    expect(check.body.data!.tombstoneCheck).toEqual({ anyTombstoned: true, results: [{ type: 'EMAIL', tombstoned: true, requestId }] });
  });

  it('R10: a feed bound to controller A is still stopped from recreating the person, without learning the request', async () => {
    const feedA = await bearer(gw, ['CONNECTOR'], ['ctrl-a']);
    const http = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...feedA },
      body: JSON.stringify({ identifiers: ids }),
    });
    expect(await http.json()).toEqual({ anyTombstoned: true, results: [{ type: 'EMAIL', tombstoned: true, requestId: null }] });
    const check = await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids }, feedA);
    expect(check.body.data!.tombstoneCheck).toEqual({ anyTombstoned: true, results: [{ type: 'EMAIL', tombstoned: true, requestId: null }] });
  });

  it('a later erasure of the same person for controller A is seen by A although an earlier one for B holds the same tokens', async () => {
    const services = gw.runtime.services;
    const shared = [{ type: 'EMAIL', value: 'erased-twice@example.org' }];
    const erase = async (controller: string, erasedAt: string) => {
      const id = await insertApprovedRequest(services, { identifiers: shared as { type: T; value: string }[], decisions: [] });
      await services.dataSource.query(`UPDATE data_subject_request SET controller_ids = $2 WHERE id = $1`, [id, [controller]]);
      await services.tombstones.record(id, normaliseQueryIdentifiers(shared as { type: T; value: string }[]), new Date(erasedAt));
      return id;
    };
    const forB = await erase('ctrl-b', '2026-01-05T00:00:00Z');
    const forA = await erase('ctrl-a', '2026-03-05T00:00:00Z');
    const named = { anyTombstoned: true, results: [{ type: 'EMAIL', tombstoned: true, requestId: forA }] };
    // A handler of A: the erasure it may read answers, named, in both forms.
    const handlerA = await bearer(gw, ['HANDLER'], ['ctrl-a']);
    expect((await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids: shared }, handlerA)).body.data!.tombstoneCheck).toEqual(named);
    const http = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...handlerA },
      body: JSON.stringify({ identifiers: shared }),
    });
    expect(await http.json()).toEqual(named);
    // A feed of A (tombstone:guard) is named A's erasure too, not told of B's without a name.
    const feedA = await bearer(gw, ['CONNECTOR'], ['ctrl-a']);
    expect((await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids: shared }, feedA)).body.data!.tombstoneCheck).toEqual(named);
    // B's handler, and a key bound to no controller, are named the earliest: B's.
    const earliest = { anyTombstoned: true, results: [{ type: 'EMAIL', tombstoned: true, requestId: forB }] };
    expect((await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids: shared }, await bearer(gw, ['HANDLER'], ['ctrl-b']))).body.data!.tombstoneCheck).toEqual(
      earliest,
    );
    expect((await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids: shared }, await bearer(gw, ['HANDLER']))).body.data!.tombstoneCheck).toEqual(earliest);
    // A handler of a third controller still learns of neither.
    expect((await gw.graphql<{ tombstoneCheck: unknown }>(q, { ids: shared }, await bearer(gw, ['HANDLER'], ['ctrl-c']))).body.data!.tombstoneCheck).toEqual({
      anyTombstoned: false,
      results: [{ type: 'EMAIL', tombstoned: false, requestId: null }],
    });
  });
});
