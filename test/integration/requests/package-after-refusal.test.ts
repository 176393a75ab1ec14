// An access package whose request is refused or withdrawn after its link was issued is
// destroyed: the link answers PACKAGE_DESTROYED, not the archive. A child's access request
// stays open (EXECUTING) while its online records are erased after the copy (R16); no
// worker runs here, so it is still open when the handler rejects it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { postDownload } from '../../support/access-package-download.js';
import { identifiersOf, personOfRecord, settleReviewAndControllers, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

const FIELDS = `id status records { sourceId recordId reviewState } decisions { sourceId needsController }
  accessPackage { downloadUrl destroyedAt destroyedReason }`;

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
  decisions: { sourceId: string; needsController: boolean }[];
  accessPackage: { downloadUrl: string | null; destroyedAt: string | null; destroyedReason: string | null } | null;
}

async function mutate(call: string, args: string, variables: Record<string, unknown>): Promise<Req> {
  const name = call.slice(0, call.indexOf('('));
  const reply = await env.gw.graphql<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, handler);
  const data = reply.body.data?.[name];
  if (!data) throw new Error(`${name} failed: ${JSON.stringify(reply.body.errors)}`);
  return data;
}

function bornYearsAgo(years: number): string {
  return new Date(Date.now() - (years + 0.5) * 365.25 * 86_400_000).toISOString().slice(0, 10);
}

/** A verified 15-year-old's access request with a training record, REVIEW records settled, controllers instructed. */
async function childAccess(): Promise<Req> {
  const learners = await env.query<{ id: string }>(`SELECT id FROM training.learners ORDER BY id`);
  const personId = learners.map((l) => personOfRecord(env.truth, `training/${l.id}`)).find((p) => p !== undefined)!;
  const identifiers = identifiersOf(personId).map((i) => (i.type === 'DATE_OF_BIRTH' ? { ...i, value: bornYearsAgo(15) } : i));
  const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', { input: { type: 'ACCESS', identifiers, channel: 'email' } });
  let req = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
    id: submitted.id,
    input: { method: 'passport seen on video call', dateOfBirthVerified: true },
  });
  req = await settleReviewAndControllers(mutate, req, (r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId);
  return req;
}

beforeAll(async () => {
  env = await startSeededGateway({}, { worker: false });
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('an access package after its request is refused', () => {
  it('R2: a request rejected after its link was issued serves no package: the link answers PACKAGE_DESTROYED, the archive is gone', async () => {
    const req = await childAccess();
    const executed = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    // The copy is made and its link issued; the child's online records are still to be erased.
    expect(executed.status).toBe('EXECUTING');
    const url = executed.accessPackage!.downloadUrl!;
    expect(url).toBeTruthy();

    const rejected = await mutate('rejectRequest(requestId: $id, reason: $reason)', '$id: ID!, $reason: String!', {
      id: req.id,
      reason: 'the identity documents were found to be forged',
    });
    expect(rejected.status).toBe('REJECTED');

    const res = await postDownload(env.gw.url, url!);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PACKAGE_DESTROYED');
    expect(rejected.accessPackage).toMatchObject({ destroyedReason: 'REQUEST_REJECTED', destroyedAt: expect.any(String) });
    const [row] = await env.query<{ sealed: boolean }>(`SELECT archive_sealed IS NOT NULL AS sealed FROM access_package WHERE request_id = $1`, [req.id]);
    expect(row).toEqual({ sealed: false });
  }, 120_000);
});
