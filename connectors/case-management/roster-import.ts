// The reference feed: an employer's roster imported into case management. Before it
// creates a person it asks the gateway's recreation guard (POST /v1/tombstones/check)
// and skips anyone an erasure tombstoned (R10). The report names skipped people by
// their roster reference and the erasure request only: no personal data.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { IdentifierType as T } from '../../src/domain/vocabulary.js';
import type { Identifier } from '../contract.js';
import { KEY_TABLE, keyReadingOf, reindexRecord } from '../shared/key-table.js';
import { qualified, withTransaction } from '../shared/sql.js';
import { caseSpec } from './records.js';

export interface RosterPerson {
  /** The employer's own reference for the row (employee number, line number). */
  ref: string;
  givenName: string;
  familyName: string;
  dateOfBirth?: string;
  email?: string;
  phone?: string;
  membershipNumber?: string;
  employer: string;
  controllerId?: string;
}

export interface RosterImportOptions {
  /** Case-management store: a pool on its database and the schema name. */
  pool: pg.Pool;
  schema?: string;
  /** Gateway base URL and a CONNECTOR (or HANDLER) key with tombstone:check. */
  gatewayUrl: string;
  apiKey: string;
  /** People per guard call (the endpoint takes up to 1,000 identifiers). */
  batchSize?: number;
  /**
   * How long in all the import waits when the guard answers 429 (its key's rate limit: a
   * check costs one token per 10 identifiers by default), as its Retry-After says, before it
   * stops (default 10 minutes).
   */
  maxRateLimitWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface RosterImportReport {
  created: { ref: string; recordId: string }[];
  skipped: { ref: string; requestIds: string[] }[];
}

export function identifiersOfRosterPerson(p: RosterPerson): Identifier[] {
  const out: Identifier[] = [
    { type: T.GIVEN_NAME, value: p.givenName },
    { type: T.FAMILY_NAME, value: p.familyName },
  ];
  if (p.dateOfBirth) out.push({ type: T.DATE_OF_BIRTH, value: p.dateOfBirth });
  if (p.email) out.push({ type: T.EMAIL, value: p.email });
  if (p.phone) out.push({ type: T.PHONE, value: p.phone });
  if (p.membershipNumber) out.push({ type: T.MEMBERSHIP_NUMBER, value: p.membershipNumber });
  return out;
}

interface GuardAnswer {
  people: { ref?: string; tombstoned: boolean; results: { tombstoned: boolean; requestId: string | null }[] }[];
}

export async function importRoster(roster: readonly RosterPerson[], options: RosterImportOptions): Promise<RosterImportReport> {
  const schema = options.schema ?? 'case_management';
  const doFetch = options.fetch ?? fetch;
  const batchSize = options.batchSize ?? 100;
  const report: RosterImportReport = { created: [], skipped: [] };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let waitLeftMs = options.maxRateLimitWaitMs ?? 600_000;
  for (let i = 0; i < roster.length; i += batchSize) {
    const batch = roster.slice(i, i + batchSize);
    let res: Response;
    for (;;) {
      res = await doFetch(`${options.gatewayUrl}/v1/tombstones/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
        body: JSON.stringify({ people: batch.map((p) => ({ ref: p.ref, identifiers: identifiersOfRosterPerson(p) })) }),
      });
      // Over the key's budget: the same batch again once the gateway says tokens are back.
      const waitMs = res.status === 429 ? Math.max(1, Number(res.headers.get('retry-after')) || 1) * 1000 : 0;
      if (waitMs === 0 || waitMs > waitLeftMs) break;
      waitLeftMs -= waitMs;
      await res.text();
      await sleep(waitMs);
    }
    // No answer, no import: creating people the guard could not clear would risk recreating erased ones.
    if (!res.ok) throw new Error(`recreation guard answered ${res.status}; roster import stopped`);
    const answer = (await res.json()) as GuardAnswer;
    for (const [k, person] of batch.entries()) {
      const verdict = answer.people[k]!;
      if (verdict.tombstoned) {
        report.skipped.push({ ref: person.ref, requestIds: [...new Set(verdict.results.map((r) => r.requestId).filter((x): x is string => !!x))] });
        continue;
      }
      report.created.push({ ref: person.ref, recordId: await insertCase(options.pool, schema, person) });
    }
  }
  return report;
}

/**
 * Creates the case row and its blocking keys, as the case-management system would: keyed in
 * the phone country the store's keys are built in (its registration's), not always GB.
 */
export async function insertCase(pool: pg.Pool, schema: string, p: RosterPerson): Promise<string> {
  const id = `CASE-R${randomUUID().slice(0, 12)}`;
  await withTransaction(pool, async (c) => {
    // Before the country is read: a re-keying in another one waits for this case, then re-keys it too.
    await c.query(`LOCK TABLE ${qualified(schema, KEY_TABLE)} IN ROW EXCLUSIVE MODE`);
    const reading = await keyReadingOf(c, schema);
    const { rows } = await c.query(
      `INSERT INTO ${qualified(schema, 'cases')} (id, membership_number, given_name, family_name, date_of_birth, email, phone, employer, controller_id, opened_at, created_at, last_activity_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now(), now()) RETURNING to_jsonb(cases.*) AS doc`,
      [id, p.membershipNumber ?? null, p.givenName, p.familyName, p.dateOfBirth ?? null, p.email ?? null, p.phone ?? null, p.employer, p.controllerId ?? null],
    );
    await reindexRecord(c, schema, id, caseSpec.identifiersOf(rows[0].doc), reading);
  });
  return id;
}
