// R10 across countries: a French source writes its numbers the French way ("06 12 34 56 78").
// Registered with phoneCountry FR, its records are read, keyed and tombstoned as +33 numbers,
// and its own guard checks of the national form are read in FR too, so an erased person it
// still holds in national form is caught when the feed would recreate them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';

interface Req {
  id: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
}
const FIELDS = 'id records { sourceId recordId reviewState }';
const FRENCH_MOBILE = '06 12 34 56 78';

interface CheckBody {
  people: { ref: string; tombstoned: boolean; results: { requestId: string | null; error?: { code: string } }[] }[];
}

describe("R10: a source's national phone numbers are read in its registered country", () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;
  let handler: Record<string, string>;
  let parisFeed: Record<string, string>;
  let unboundFeed: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
    crm = await createForeignCrmDatabase();
    // The Paris office keeps Amelia's mobile as a French national number.
    await crm.query(`UPDATE crm.customers SET mobile = $1 WHERE cust_no = 1`, [FRENCH_MOBILE]);
    await gw.runtime.services.sources.register({ ...crmSourceConfig(crm.url), phoneCountry: 'FR' }, 'test');
    handler = await bearer(gw, ['HANDLER']);
    const bound = await gw.runtime.services.apiKeys.create({ name: 'paris crm feed', roles: ['CONNECTOR'], controllerIds: [], sourceIds: ['crm'] });
    parisFeed = { authorization: `Bearer ${bound.clearKey}` };
    unboundFeed = await bearer(gw, ['CONNECTOR']);
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

  async function check(headers: Record<string, string>, people: unknown[]): Promise<CheckBody> {
    const res = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ people }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as CheckBody;
  }

  it('the registration keeps its phone country, and a source that names none gets the deployment default (GB)', async () => {
    expect((await gw.runtime.services.sources.find('crm'))!.phoneCountry).toBe('FR');
    const { phoneCountry: _fr, ...plain } = { ...crmSourceConfig(crm.url), id: 'crm-london', name: 'London CRM', phoneCountry: undefined };
    await gw.runtime.services.sources.register(plain, 'test');
    expect((await gw.runtime.services.sources.find('crm-london'))!.phoneCountry).toBe('GB');
    // Registered again without one, a source keeps the country it has.
    await gw.runtime.services.sources.register({ ...crmSourceConfig(crm.url), phoneCountry: undefined }, 'test');
    expect((await gw.runtime.services.sources.find('crm'))!.phoneCountry).toBe('FR');
    await gw.runtime.services.sources.changeStatus('crm-london', 'remove', 'test');
  });

  it("discovery finds the French record by its number alone: the source's index is keyed in FR, its record read in FR", async () => {
    interface Found {
      subject: { records: { sourceId: string; recordId: string; explanation: { field: string; kind: string; recordValue: string | null }[] }[] };
    }
    const found = async (phone: { type: string; value: string; country?: string }) =>
      (
        await op<Found>(`query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId explanation { field kind recordValue } } } }`, {
          q: { identifiers: [phone, { type: 'FAMILY_NAME', value: 'Hart' }], sourceIds: ['crm'] },
        })
      ).subject.records.find((r) => r.recordId === 'customer:1');
    // Without a given name or date of birth, only the phone's key can bring the record in.
    for (const phone of [
      { type: 'PHONE', value: '+33 6 12 34 56 78' },
      { type: 'PHONE', value: FRENCH_MOBILE, country: 'FR' },
    ]) {
      const record = await found(phone);
      expect(record, JSON.stringify(phone)).toBeDefined();
      expect(record!.explanation.find((e) => e.field === 'phone')).toMatchObject({ kind: 'agree', recordValue: '+33612345678' });
    }
    // The handler's national form with no country is read in the deployment default (GB): another number.
    expect(await found({ type: 'PHONE', value: FRENCH_MOBILE })).toBeUndefined();
  });

  it('R10: the French national number an erased record held is caught when that source asks in the national form', async () => {
    // Amelia writes from a new address; only the Paris CRM has her mobile, in national form.
    const identifiers = [
      { type: 'GIVEN_NAME', value: 'Amelia' },
      { type: 'FAMILY_NAME', value: 'Hart' },
      { type: 'DATE_OF_BIRTH', value: '1984-02-11' },
      { type: 'EMAIL', value: 'amelia.new@example.net' },
      // Her new French number, given in national form with its country: kept with the request.
      { type: 'PHONE', value: '07 11 22 33 44', country: 'FR' },
    ];
    const { submitRequest: submitted } = await op<{ submitRequest: Req }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { ${FIELDS} } }`,
      { input: { type: 'ERASURE', identifiers, channel: 'email' } },
    );
    let req = (
      await op<{ verifyIdentity: Req }>(
        `mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { ${FIELDS} } }`,
        { id: submitted.id, input: { method: 'passport seen on video call', evidenceRef: 'EV-9' } },
      )
    ).verifyIdentity;
    const customer = req.records.find((r) => r.sourceId === 'crm' && r.recordId === 'customer:1');
    expect(customer, JSON.stringify(req.records)).toBeDefined();
    if (customer!.reviewState === 'PENDING') {
      req = (
        await op<{ confirmMatches: Req }>(
          `mutation($id: ID!, $records: [RecordRefInput!]!) { confirmMatches(requestId: $id, records: $records) { ${FIELDS} } }`,
          { id: req.id, records: [{ sourceId: 'crm', recordId: 'customer:1' }] },
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

    // The Paris feed's key is bound to the French source: its national form reads as +33.
    const paris = await check(parisFeed, [
      { ref: 'national', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE }] },
      { ref: 'international', identifiers: [{ type: 'PHONE', value: '+33 6 12 34 56 78' }] },
      { ref: 'british-reading', identifiers: [{ type: 'PHONE', value: '+44 612 345678' }] },
    ]);
    expect(paris.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['national', true],
      ['international', true],
      ['british-reading', false],
    ]);
    expect(paris.people[0]!.results[0]!.requestId).toBe(req.id);

    // The number the request gave with its country is tombstoned as that country's number.
    const given = await check(unboundFeed, [
      { ref: 'request-phone', identifiers: [{ type: 'PHONE', value: '+33 7 11 22 33 44' }] },
      { ref: 'request-phone-as-british', identifiers: [{ type: 'PHONE', value: '+44 711 223344' }] },
    ]);
    expect(given.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['request-phone', true],
      ['request-phone-as-british', false],
    ]);

    // A key bound to no source reads a national number in the deployment default (GB),
    // unless the identifier names its country.
    const anyFeed = await check(unboundFeed, [
      { ref: 'default-country', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE }] },
      { ref: 'named-country', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'FR' }] },
      { ref: 'unknown-country', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'XX' }] },
    ]);
    expect(anyFeed.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['default-country', false],
      ['named-country', true],
      ['unknown-country', false],
    ]);
    expect(anyFeed.people[2]!.results[0]!.error?.code).toBe('INVALID_IDENTIFIER');

    // The same through GraphQL, with the country named on the identifier input.
    const reply = await gw.graphql<{ tombstoneCheck: { anyTombstoned: boolean } }>(
      `query($ids: [IdentifierInput!]!) { tombstoneCheck(identifiers: $ids) { anyTombstoned } }`,
      { ids: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'FR' }] },
      handler,
    );
    expect(reply.body.data?.tombstoneCheck.anyTombstoned, JSON.stringify(reply.body.errors)).toBe(true);
  });

  it('R10: a country on an identifier that needs none does not keep the erased person from being found', async () => {
    const answer = await check(unboundFeed, [
      // `country` is for phone numbers; on an e-mail it says nothing, as a request keeps it.
      { ref: 'email-with-country', identifiers: [{ type: 'EMAIL', value: 'amelia.new@example.net', country: 'UK' }] },
      // A number with its +prefix names its country itself: the field is not read.
      { ref: 'international-with-bad-country', identifiers: [{ type: 'PHONE', value: '+33 6 12 34 56 78', country: 'UK' }] },
      { ref: 'international-with-other-country', identifiers: [{ type: 'PHONE', value: '+33 6 12 34 56 78', country: 'GB' }] },
      // A national number cannot be read in a country that is not one: bad input.
      { ref: 'national-with-bad-country', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'UK' }] },
    ]);
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['email-with-country', true],
      ['international-with-bad-country', true],
      ['international-with-other-country', true],
      ['national-with-bad-country', false],
    ]);
    expect(answer.people[3]!.results[0]!.error?.code).toBe('INVALID_IDENTIFIER');
  });

  it('R10: a key bound to sources of several countries catches the erased national number read in any of them', async () => {
    // The same feed also writes to a German source: its key is bound to both countries.
    await gw.runtime.services.sources.register({ ...crmSourceConfig(crm.url), id: 'crm-berlin', name: 'Berlin CRM', phoneCountry: 'DE' }, 'test');
    const both = await gw.runtime.services.apiKeys.create({
      name: 'paris and berlin feed',
      roles: ['CONNECTOR'],
      controllerIds: [],
      sourceIds: ['crm', 'crm-berlin'],
    });
    const feed = { authorization: `Bearer ${both.clearKey}` };
    // Amelia's French mobile, erased above, written the French way: read in GB alone it is
    // another number and she would pass the guard.
    const answer = await check(feed, [
      { ref: 'national', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE }] },
      { ref: 'named-british', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'GB' }] },
    ]);
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['national', true],
      ['named-british', false],
    ]);
    expect(answer.people[0]!.results[0]!.requestId).not.toBeNull();
    await gw.runtime.services.sources.changeStatus('crm-berlin', 'remove', 'test');
  });

  it('R14: a corrected phone number without a +prefix is read in the phone country of each source that holds the field: the French source\'s "06 12 34 56 78" is a +33 number; beside a British source, which would read another number, it is refused until written with +33', async () => {
    const submit = async (value: string) => {
      const reply = await gw.graphql<{ submitRequest: { id: string } }>(
        `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
        {
          input: {
            type: 'RECTIFICATION',
            identifiers: [{ type: 'EMAIL', value: 'amelia.fix@example.net' }],
            corrections: [{ field: 'mobile', value, reason: 'my number changed' }],
            channel: 'email',
          },
        },
        handler,
      );
      const error = reply.body.errors?.[0];
      return { id: reply.body.data?.submitRequest.id, code: error?.extensions?.code, extensions: error?.extensions, message: error?.message };
    };
    // Only the Paris CRM holds "mobile": the French national form is its +33 number.
    expect(await submit(FRENCH_MOBILE)).toMatchObject({ id: expect.any(String), code: undefined });
    // A British national mobile is no French number: refused, naming the field and the country, never the value.
    const british = await submit('07700 900123');
    expect(british).toMatchObject({ code: 'INVALID_CORRECTION_VALUE', extensions: { field: 'mobile', identifierType: 'PHONE', phoneCountry: 'FR' } });
    expect(british.message).not.toContain('07700');

    // A London CRM (GB) holds the same field: it would read "06 12 34 56 78" as another number (+44 …).
    await gw.runtime.services.sources.register(
      { ...crmSourceConfig(crm.url), id: 'crm-london-2', name: 'London CRM (rectifications)', phoneCountry: 'GB' },
      'test',
    );
    try {
      expect(await submit(FRENCH_MOBILE)).toMatchObject({ code: 'INVALID_CORRECTION_VALUE', extensions: { field: 'mobile', phoneCountries: ['FR', 'GB'] } });
      expect(await submit('+33 6 12 34 56 78')).toMatchObject({ id: expect.any(String), code: undefined });
    } finally {
      await gw.runtime.services.sources.changeStatus('crm-london-2', 'remove', 'test');
    }
  });

  it("R10: re-registered with another phone country, the source's feed still catches the erased national number read in the earlier one", async () => {
    const registerAs = (headers: Record<string, string>, phoneCountry: string) =>
      gw.graphql<{ registerSource: { id: string; status: string; phoneCountry: string } }>(
        `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { id status phoneCountry } }`,
        { input: { ...crmSourceConfig(crm.url), phoneCountry } },
        headers,
      );
    const nationalCheck = async () =>
      check(parisFeed, [
        { ref: 'national', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE }] },
        { ref: 'named-french-lower-case', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'fr' }] },
        { ref: 'named-german-lower-case', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'de' }] },
      ]);
    const expected = [
      ['national', true],
      ['named-french-lower-case', true],
      ['named-german-lower-case', false],
    ];

    // The Paris team's own key registers its source again as German: the change waits for
    // approval (the source is held to French until then), and its feed's checks read in both.
    // Amelia's tombstone holds the French reading.
    const byTeam = await registerAs(parisFeed, 'DE');
    expect(byTeam.body.data?.registerSource, JSON.stringify(byTeam.body.errors)).toMatchObject({ status: 'PENDING_APPROVAL', phoneCountry: 'FR' });
    expect((await gw.runtime.services.sources.phoneCountriesOf(['crm'])).get('crm')).toEqual(['FR', 'DE']);
    let answer = await nationalCheck();
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual(expected);
    expect(answer.people[0]!.results[0]!.requestId).not.toBeNull();

    // An administrator fixes the country (registered as German, active at once): still caught.
    const admin = await bearer(gw, ['ADMIN']);
    const byAdmin = await registerAs(admin, 'DE');
    expect(byAdmin.body.data?.registerSource, JSON.stringify(byAdmin.body.errors)).toMatchObject({ status: 'ACTIVE', phoneCountry: 'DE' });
    answer = await nationalCheck();
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual(expected);

    // Changed once more, every earlier country is kept, each once.
    await registerAs(admin, 'GB');
    await registerAs(admin, 'DE');
    expect((await gw.runtime.services.sources.find('crm'))!.phoneCountriesBefore).toEqual(['FR', 'GB']);
    answer = await nationalCheck();
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual(expected);
  });
});

describe('a deployment whose default phone country is FR (DSR_DEFAULT_PHONE_COUNTRY)', () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally', DSR_DEFAULT_PHONE_COUNTRY: 'FR' } });
    crm = await createForeignCrmDatabase();
    await crm.query(`UPDATE crm.customers SET mobile = $1 WHERE cust_no = 1`, [FRENCH_MOBILE]);
    // Registered without a phone country: it gets the deployment's.
    await gw.runtime.services.sources.register(crmSourceConfig(crm.url), 'test');
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  it("a source registered without a phone country, and a handler's national number, are read in FR", async () => {
    expect((await gw.runtime.services.sources.find('crm'))!.phoneCountry).toBe('FR');
    const reply = await gw.graphql<{
      subject: { records: { recordId: string; explanation: { field: string; kind: string; recordValue: string | null }[] }[] };
    }>(
      `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId explanation { field kind recordValue } } } }`,
      {
        q: {
          identifiers: [
            { type: 'PHONE', value: FRENCH_MOBILE },
            { type: 'FAMILY_NAME', value: 'Hart' },
          ],
          sourceIds: ['crm'],
        },
      },
      await bearer(gw, ['HANDLER']),
    );
    const record = reply.body.data?.subject.records.find((r) => r.recordId === 'customer:1');
    expect(record, JSON.stringify(reply.body)).toBeDefined();
    expect(record!.explanation.find((e) => e.field === 'phone')).toMatchObject({ kind: 'agree', recordValue: '+33612345678' });
  });
});
