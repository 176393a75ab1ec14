// The demo's reference systems hold a British population: their national numbers ("07700
// 900123") are UK numbers whatever the deployment's default phone country. Registered as the
// demo registers them in a deployment whose default is FR, they must still be read, keyed and
// found as UK numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { startReferenceGateway, type ReferenceGateway } from './reference-gateway.js';

describe('the demo sources in a deployment whose default phone country is FR', () => {
  let ref: ReferenceGateway;
  beforeAll(async () => {
    ref = await startReferenceGateway({ people: 30, seed: 11, env: { DSR_DEFAULT_PHONE_COUNTRY: 'FR' } });
  }, 180_000);
  afterAll(async () => {
    await ref?.stop();
  });

  it('are registered as GB, the country their population writes in', async () => {
    const reply = await ref.gw.graphql<{ sources: { id: string; phoneCountry: string }[] }>(
      `{ sources { id phoneCountry } }`,
      {},
      await bearer(ref.gw, ['ADMIN']),
    );
    expect(reply.body.data?.sources.map((s) => s.phoneCountry)).toEqual(reply.body.data?.sources.map(() => 'GB'));
  });

  it('a case that holds a mobile in national form is found by that UK number', async () => {
    const [row] = (await ref.gw.runtime.services.dataSource.query(
      `SELECT id, family_name, phone FROM case_management.cases WHERE phone ~ '^0[0-9 ]+$' ORDER BY id LIMIT 1`,
    )) as { id: string; family_name: string; phone: string }[];
    expect(row).toBeDefined();
    const e164 = `+44${row!.phone.replace(/\s/g, '').slice(1)}`;
    const reply = await ref.gw.graphql<{ subject: { records: { recordId: string }[] } }>(
      `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId } } }`,
      // Without a given name or date of birth, only the phone's key can bring the case in.
      {
        q: {
          identifiers: [
            { type: 'PHONE', value: e164 },
            { type: 'FAMILY_NAME', value: row!.family_name },
          ],
          sourceIds: ['case_management'],
        },
      },
      await bearer(ref.gw, ['HANDLER']),
    );
    expect(
      reply.body.data?.subject.records.map((r) => r.recordId),
      JSON.stringify(reply.body.errors),
    ).toContain(row!.id);
  });
});
