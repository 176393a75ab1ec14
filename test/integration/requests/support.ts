// A gateway with the six reference sources seeded and registered, and helpers to pick
// people of the synthetic population by what they have (a clinic record, a card, ...).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QueueNames } from '../../../jobs/queue-names.js';
import { demoSourceConfigs } from '../../../connectors/demo-sources.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { IdentifierType } from '../../../src/domain/vocabulary.js';
import { readGroundTruth } from '../../../src/population/ground-truth.js';
import { personAt } from '../../../src/population/person.js';
import { seedReferenceSources, startOfTodayUtc } from '../../../src/population/seed.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import type { Logger } from '../../../src/logging/logger.js';

export const SEED = 7;
export const PEOPLE = 150;

export interface SeededGateway {
  gw: TestGateway;
  /** personId -> the records that are about them ("source/recordId"). */
  truth: Map<string, string[]>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** `worker: false`: queued tasks wait (a request stays EXECUTING until a test moves it). `logger`: where the gateway logs (tests that read its lines). */
export async function startSeededGateway(env: Record<string, string> = {}, options: { worker?: boolean; logger?: Logger } = {}): Promise<SeededGateway> {
  const secret = 'requests-test-training-secret-0123456789';
  const gw = await startTestGateway({
    env: { DSR_SOURCE_SECRET_TRAINING: secret, ...env },
    worker: options.worker ?? true,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-req-footage-'));
  const groundTruthPath = `${footageDir}-truth.csv`;
  let training: TrainingService | undefined;
  try {
    await seedReferenceSources({ url: gw.databaseUrl, people: PEOPLE, seed: SEED, footageDir, groundTruthPath, referenceDate: startOfTodayUtc() });
    training = await startTrainingService({ url: gw.databaseUrl, secret });
    for (const config of demoSourceConfigs({ databaseUrl: gw.databaseUrl, footageDir, trainingBaseUrl: training.baseUrl })) {
      await gw.runtime.services.sources.register(config, 'test');
    }
  } catch (error) {
    await training?.close();
    await gw.stop();
    throw error;
  }
  const truth = new Map<string, string[]>();
  for await (const e of readGroundTruth(groundTruthPath)) truth.set(e.personId, [...(truth.get(e.personId) ?? []), `${e.source}/${e.recordId}`]);
  const client = new pg.Client({ connectionString: gw.databaseUrl });
  await client.connect();
  return {
    gw,
    truth,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async stop() {
      await client.end();
      await training?.close();
      await gw.stop();
      await rm(footageDir, { recursive: true, force: true });
      await rm(groundTruthPath, { force: true });
    },
  };
}

/** The person's identifiers as they would give them in a request. */
export function identifiersOf(personId: string): { type: IdentifierType; value: string }[] {
  const p = personAt(SEED, Number(personId.slice(1)));
  return [
    { type: IdentifierType.GIVEN_NAME, value: p.givenName },
    { type: IdentifierType.FAMILY_NAME, value: p.familyName },
    { type: IdentifierType.DATE_OF_BIRTH, value: p.dateOfBirth },
    { type: IdentifierType.EMAIL, value: p.email },
    { type: IdentifierType.PHONE, value: p.phone },
    { type: IdentifierType.MEMBERSHIP_NUMBER, value: p.membershipNumber },
    { type: IdentifierType.NATIONAL_ID, value: p.nationalId },
  ];
}

/** The person a record is about (subject appearances only: the ground truth of the row). */
export function personOfRecord(truth: Map<string, string[]>, ref: string): string | undefined {
  for (const [person, refs] of truth) if (refs.includes(ref)) return person;
  return undefined;
}

export const REQUEST_FIELDS = `
  id type status receivedAt verifiedAt acknowledgeBy dueAt extendedDueAt deadlineStanding possibleDuplicateOf controllerIds
  records { sourceId recordId recordType band reviewState controllerId relationship source { id name kind } }
  decisions { sourceId recordId action basis retainUntil reason needsController proposedAction rules overridden source { id kind } }
  transitions { from to event actor reason }
`;

/** What settling a request's review and controllers reads of it. */
export interface SettlingRequest {
  id: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
  decisions: { sourceId: string; needsController: boolean }[];
}

/** A request mutation of a test: `call` with its arguments, the request it answers. */
export type RequestMutation<R> = (call: string, args: string, variables: Record<string, unknown>) => Promise<R>;

/**
 * Confirms the pending records `isMine` accepts and rejects the others, then records an
 * instruction for every source waiting for its controller (`instruct`, PROCEED by default):
 * the request is then ready to approve.
 */
export async function settleReviewAndControllers<R extends SettlingRequest>(
  mutate: RequestMutation<R>,
  request: R,
  isMine: (record: R['records'][number]) => boolean,
  options: { instruct?: (sourceId: string) => string; reference?: string } = {},
): Promise<R> {
  let req = request;
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter(isMine);
  for (const [call, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', pending.filter((r) => !mine.includes(r))],
  ] as const) {
    if (!list.length) continue;
    req = await mutate(`${call}(requestId: $id, records: $records)`, '$id: ID!, $records: [RecordRefInput!]!', {
      id: req.id,
      records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })),
    });
  }
  for (const sourceId of new Set(req.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    req = await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
      id: req.id,
      input: { sourceId, decision: options.instruct?.(sourceId) ?? 'PROCEED', reference: options.reference ?? 'letter 12' },
    });
  }
  return req;
}

/**
 * Runs `execute` (the executeRequest call, whose search again must still read the concierge
 * lookup view), then takes that view away before the concierge tasks run: the erasure works
 * on the tables, the verification that looks again cannot. The view is put back by the
 * returned function once the test has seen the request close.
 */
export async function executeThenHideConciergeLookup<T>(env: SeededGateway, execute: () => Promise<T>): Promise<{ result: T; restore: () => Promise<void> }> {
  const queue = env.gw.runtime.services.execution.queue(QueueNames.sourceTasks('concierge'));
  await queue.pause();
  try {
    const result = await execute();
    await env.query(`ALTER VIEW concierge.appearance RENAME TO appearance_away`);
    return { result, restore: () => env.query(`ALTER VIEW concierge.appearance_away RENAME TO appearance`).then(() => undefined) };
  } finally {
    await queue.resume();
  }
}

/**
 * The source's team moves the person's case to another member (the case was opened on the
 * wrong one): the case now carries that member's identifiers. Returns that member's case.
 */
export async function moveCaseToAnotherMember(env: SeededGateway, caseId: string, personId: string): Promise<{ id: string; email: string }> {
  const other = (
    await env.query<{ id: string; email: string }>(
      `SELECT id, email FROM case_management.cases WHERE id <> $1 AND email IS NOT NULL AND anonymised_at IS NULL ORDER BY id LIMIT 50`,
      [caseId],
    )
  ).find((r) => personOfRecord(env.truth, `case_management/${r.id}`) !== personId)!;
  await env.query(
    `UPDATE case_management.cases c SET membership_number = o.membership_number, given_name = o.given_name, family_name = o.family_name,
            date_of_birth = o.date_of_birth, email = o.email, phone = o.phone, street = o.street, city = o.city, postcode = o.postcode
       FROM case_management.cases o WHERE c.id = $1 AND o.id = $2`,
    [caseId, other.id],
  );
  return other;
}
