// The earlier phone countries a source remembers are what its feed's checks and the recreation
// sweep still read its national numbers in: an administrator (and a handler who may see the
// source) can read them on Source, next to its phoneCountry; one who may not see it sees neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';

interface Listed {
  sources: { id: string; phoneCountry: string | null; phoneCountriesBefore: string[] | null }[];
}
const SOURCES = `{ sources { id phoneCountry phoneCountriesBefore } }`;

describe("a source's earlier phone countries in GraphQL", () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;
  let admin: Record<string, string>;
  const config = (id: string, phoneCountry: string) => ({
    ...crmSourceConfig(crm.url),
    id,
    name: id,
    controller: { role: 'CONTROLLER', defaultControllerId: 'EMP-A' },
    phoneCountry,
  });
  const listed = async (headers: Record<string, string>) => {
    const reply = await gw.graphql<Listed>(SOURCES, {}, headers);
    if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
    return reply.body.data.sources.map(({ id, phoneCountry, phoneCountriesBefore }) => [id, phoneCountry, phoneCountriesBefore]);
  };
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally', SCHEDULERS: 'false' } });
    crm = await createForeignCrmDatabase();
    admin = await bearer(gw, ['ADMIN']);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  it('lists every country a source was read in before its current one, oldest first, and none for one never changed', async () => {
    const register = (input: unknown) =>
      gw.graphql<{ registerSource: { id: string; phoneCountry: string; phoneCountriesBefore: string[] } }>(
        `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { id phoneCountry phoneCountriesBefore } }`,
        { input },
        admin,
      );
    expect((await register(config('crm-paris', 'FR'))).body.data?.registerSource).toEqual({ id: 'crm-paris', phoneCountry: 'FR', phoneCountriesBefore: [] });
    await register(config('crm-paris', 'GB'));
    const changed = await register(config('crm-paris', 'DE'));
    expect(changed.body.data?.registerSource, JSON.stringify(changed.body.errors)).toEqual({
      id: 'crm-paris',
      phoneCountry: 'DE',
      phoneCountriesBefore: ['FR', 'GB'],
    });
    await register(config('crm-lyon', 'FR'));
    expect(await listed(admin)).toEqual([
      ['crm-lyon', 'FR', []],
      ['crm-paris', 'DE', ['FR', 'GB']],
    ]);
  });

  it("is scoped like the rest of Source: a handler of the source's controller reads it, one of another controller sees no source", async () => {
    expect(await listed(await bearer(gw, ['HANDLER'], ['EMP-A']))).toEqual([
      ['crm-lyon', 'FR', []],
      ['crm-paris', 'DE', ['FR', 'GB']],
    ]);
    expect(await listed(await bearer(gw, ['HANDLER'], ['EMP-B']))).toEqual([]);
  });
});
