// R10: an erasure tombstones what the person's records held, not only what the request
// said: an old email, a phone only the source knew. A feed carrying either later is blocked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
}
const FIELDS = 'id status records { sourceId recordId reviewState }';

describe('R10: tombstones for the identifiers the matched records held', () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;
  let handler: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
    crm = await createForeignCrmDatabase();
    await gw.runtime.services.sources.register(crmSourceConfig(crm.url), 'test');
    handler = await bearer(gw, ['HANDLER']);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  async function op<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const reply = await gw.graphql<T>(query, variables, handler);
    if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
    return reply.body.data;
  }

  it('R10: after an erasure, a feed with the email and phone only the CRM held is told they are tombstoned, by this request', async () => {
    // Amelia writes from a new address; the CRM has her old one (and her mobile), which she did not give.
    const identifiers = [
      { type: 'GIVEN_NAME', value: 'Amelia' },
      { type: 'FAMILY_NAME', value: 'Hart' },
      { type: 'DATE_OF_BIRTH', value: '1984-02-11' },
      { type: 'EMAIL', value: 'amelia.new@example.net' },
    ];
    const { submitRequest: submitted } = await op<{ submitRequest: Req }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { ${FIELDS} } }`,
      { input: { type: 'ERASURE', identifiers, channel: 'email' } },
    );
    let req = (
      await op<{ verifyIdentity: Req }>(
        `mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { ${FIELDS} } }`,
        {
          id: submitted.id,
          input: { method: 'passport seen on video call', evidenceRef: 'EV-8' },
        },
      )
    ).verifyIdentity;
    const customer = req.records.find((r) => r.sourceId === 'crm' && r.recordId === 'customer:1');
    expect(customer, JSON.stringify(req.records)).toBeDefined();
    if (customer!.reviewState === 'PENDING') {
      req = (
        await op<{ confirmMatches: Req }>(
          `mutation($id: ID!, $records: [RecordRefInput!]!) { confirmMatches(requestId: $id, records: $records) { ${FIELDS} } }`,
          {
            id: req.id,
            records: [{ sourceId: 'crm', recordId: 'customer:1' }],
          },
        )
      ).confirmMatches;
    }
    const others = req.records.filter((r) => r.reviewState === 'PENDING');
    if (others.length) {
      await op(`mutation($id: ID!, $records: [RecordRefInput!]!) { rejectMatches(requestId: $id, records: $records) { id } }`, {
        id: req.id,
        records: others.map(({ sourceId, recordId }) => ({ sourceId, recordId })),
      });
    }
    await op(`mutation($id: ID!) { executeRequest(requestId: $id) { id status } }`, { id: req.id });

    const res = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(gw, ['CONNECTOR'])) },
      body: JSON.stringify({
        people: [
          { ref: 'old-email', identifiers: [{ type: 'EMAIL', value: 'amelia.hart@example.org' }] },
          { ref: 'crm-phone', identifiers: [{ type: 'PHONE', value: '+447700900001' }] },
          { ref: 'request-email', identifiers: [{ type: 'EMAIL', value: 'amelia.new@example.net' }] },
          { ref: 'someone-else', identifiers: [{ type: 'EMAIL', value: 'bruno.k@example.net' }] },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { people: { ref: string; tombstoned: boolean; results: { requestId: string | null }[] }[] };
    expect(body.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['old-email', true],
      ['crm-phone', true],
      ['request-email', true],
      ['someone-else', false],
    ]);
    for (const p of body.people.slice(0, 3)) expect(p.results[0]!.requestId).toBe(req.id);
  });
});
