// R10 across a change of DSR_DEFAULT_PHONE_COUNTRY: a handler's national number is read in the
// deployment's default, and a request keeps that reading (its blind index, its tombstones).
// Restarted with another default, the gateway must still find what was erased and submitted
// under the earlier one: a feed's guard asking "07700 900123" would otherwise read another
// number and let the erased person be created again.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startRuntime, type Runtime } from '../../../src/app/runtime.js';
import { createTestDatabase } from '../../support/test-database.js';
import { waitForClosed } from '../../support/requests-fixture.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { caseSource } from '../../support/sources-fixture.js';
import pg from 'pg';

const BRITISH_MOBILE = '07700 900123';
const FRENCH_MOBILE = '06 12 34 56 78';
// Ten digits from 0: a number in GB (+44 169772345) and in FR (+33 169772345) alike.
const BOTH_COUNTRIES = '01 69 77 23 45';

interface CheckBody {
  people: { ref: string; tombstoned: boolean; results: { requestId: string | null }[] }[];
}

describe('R10: a change of the default phone country between runs', () => {
  const db = createTestDatabase();
  const keys = {
    DSR_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
  };
  let runtime: Runtime | null = null;
  let erasedInGb: string;

  const start = async (defaultCountry: string) => {
    const url = (await db).url;
    const env = { NODE_ENV: 'test', ...keys, PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: url, DSR_DEFAULT_PHONE_COUNTRY: defaultCountry };
    runtime = await startRuntime({ config: loadConfig(env), databaseUrl: url, http: true, worker: true, migrate: true, logger: createLogger('silent'), env });
    return runtime;
  };
  const headersWith = async (roles: string[]) => {
    const { clearKey } = await runtime!.services.apiKeys.create({ name: `test ${roles.join('+')}`, roles, controllerIds: [] });
    return { 'content-type': 'application/json', authorization: `Bearer ${clearKey}` };
  };
  async function graphql<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
    const res = await fetch(`${runtime!.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }
  async function check(headers: Record<string, string>, people: unknown[]): Promise<CheckBody> {
    const res = await fetch(`${runtime!.url}/v1/tombstones/check`, { method: 'POST', headers, body: JSON.stringify({ people }) });
    expect(res.status).toBe(200);
    return (await res.json()) as CheckBody;
  }
  /** An erasure of a person given by an e-mail and a phone number in national form, executed. */
  async function erase(email: string, phone: string): Promise<string> {
    const handler = await headersWith(['HANDLER']);
    const identifiers = [
      { type: 'EMAIL', value: email },
      { type: 'PHONE', value: phone },
    ];
    const { submitRequest } = await graphql<{ submitRequest: { id: string } }>(
      `
        mutation ($input: SubmitRequestInput!) {
          submitRequest(input: $input) {
            id
          }
        }
      `,
      { input: { type: 'ERASURE', identifiers, channel: 'email' } },
      handler,
    );
    await graphql(
      `
        mutation ($id: ID!, $input: IdentityVerificationInput!) {
          verifyIdentity(requestId: $id, input: $input) {
            id
          }
        }
      `,
      { id: submitRequest.id, input: { method: 'passport seen on video call', evidenceRef: 'EV-1' } },
      handler,
    );
    await graphql(
      `
        mutation ($id: ID!) {
          executeRequest(requestId: $id) {
            id
          }
        }
      `,
      { id: submitRequest.id },
      handler,
    );
    expect(await waitForClosed(runtime!.services, submitRequest.id)).toBe('COMPLETED');
    return submitRequest.id;
  }
  const searched = async (phone: string) =>
    (
      await graphql<{ requests: { nodes: { id: string }[] } }>(
        `
          query ($id: IdentifierInput!) {
            requests(filter: { identifier: $id }, first: 50) {
              nodes {
                id
              }
            }
          }
        `,
        { id: { type: 'PHONE', value: phone } },
        await headersWith(['HANDLER']),
      )
    ).requests.nodes.map((n) => n.id);

  /** A request submitted (not executed) with this e-mail and phone; its possible duplicates. */
  async function submit(email: string, phone: string): Promise<{ id: string; possibleDuplicateOf: string[] }> {
    const { submitRequest } = await graphql<{ submitRequest: { id: string; possibleDuplicateOf: string[] } }>(
      `
        mutation ($input: SubmitRequestInput!) {
          submitRequest(input: $input) {
            id
            possibleDuplicateOf
          }
        }
      `,
      {
        input: {
          type: 'ACCESS',
          identifiers: [
            { type: 'EMAIL', value: email },
            { type: 'PHONE', value: phone },
          ],
          channel: 'email',
        },
      },
      await headersWith(['HANDLER']),
    );
    return submitRequest;
  }
  let accessInGb: string;

  beforeAll(async () => {
    await start('GB');
    // A case system registered under the GB default, naming no country of its own: pinned GB.
    await seedReferenceSources({ url: (await db).url, people: 5, seed: 29, systems: ['case_management'] });
    await runtime!.services.sources.register(caseSource('case_management', (await db).url), 'test');
    erasedInGb = await erase('erased.in.gb@example.org', BRITISH_MOBILE);
    accessInGb = (await submit('first.address@example.org', BOTH_COUNTRIES)).id;
    await runtime!.stop();
    runtime = null;
    await start('FR');
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
    await (await db).drop();
  });

  it("R10: an unbound feed's national number is still caught as the number erased under the earlier default", async () => {
    const answer = await check(await headersWith(['CONNECTOR']), [
      { ref: 'national', identifiers: [{ type: 'PHONE', value: BRITISH_MOBILE }] },
      { ref: 'named-british', identifiers: [{ type: 'PHONE', value: BRITISH_MOBILE, country: 'GB' }] },
      { ref: 'named-french', identifiers: [{ type: 'PHONE', value: BRITISH_MOBILE, country: 'FR' }] },
    ]);
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['national', true],
      ['named-british', true],
      ['named-french', false],
    ]);
    expect(answer.people[0]!.results[0]!.requestId).toBe(erasedInGb);
  });

  it("R10: a handler's tombstoneCheck of the national number is still caught too", async () => {
    const { tombstoneCheck } = await graphql<{ tombstoneCheck: { anyTombstoned: boolean } }>(
      `
        query ($ids: [IdentifierInput!]!) {
          tombstoneCheck(identifiers: $ids) {
            anyTombstoned
          }
        }
      `,
      { ids: [{ type: 'PHONE', value: BRITISH_MOBILE }] },
      await headersWith(['HANDLER']),
    );
    expect(tombstoneCheck.anyTombstoned).toBe(true);
  });

  it('a search by the national number still finds the request submitted under the earlier default', async () => {
    expect(await searched(BRITISH_MOBILE)).toContain(erasedInGb);
  });

  it('a request submitted again with the same national number is a possible duplicate of the one submitted under the earlier default', async () => {
    const again = await submit('second.address@example.org', BOTH_COUNTRIES);
    expect(again.possibleDuplicateOf).toEqual([accessInGb]);
  });

  it("R10: the sweep still reads the source's national numbers in the country it was registered with, not the new default", async () => {
    expect((await runtime!.services.sources.find('case_management'))!.phoneCountry).toBe('GB');
    const pool = new pg.Pool({ connectionString: (await db).url, max: 1 });
    try {
      const recreated = await insertCase(pool, 'case_management', {
        ref: 'ROW',
        givenName: 'Rowan',
        familyName: 'Ashby',
        email: 'erased.in.gb@example.org',
        phone: BRITISH_MOBILE,
        employer: 'Acme',
      });
      const report = await runRecreationSweep(runtime!.services, { since: new Date(Date.now() - 60_000) });
      expect(report.hits.filter((h) => h.recordId === recreated).map((h) => h.requestId)).toEqual([erasedInGb]);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('R10: what is erased under the new default is read in it: the French national number is caught, its British reading is not', async () => {
    const erasedInFr = await erase('erased.in.fr@example.org', FRENCH_MOBILE);
    const answer = await check(await headersWith(['CONNECTOR']), [
      { ref: 'national', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE }] },
      { ref: 'named-british', identifiers: [{ type: 'PHONE', value: FRENCH_MOBILE, country: 'GB' }] },
    ]);
    expect(answer.people.map((p) => [p.ref, p.tombstoned])).toEqual([
      ['national', true],
      ['named-british', false],
    ]);
    expect(answer.people[0]!.results[0]!.requestId).toBe(erasedInFr);
    expect(await searched(FRENCH_MOBILE)).toEqual([erasedInFr]);
  }, 60_000);
});
