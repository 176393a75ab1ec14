import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../connectors/contract.js';
import { controllerChangedError } from '../../../src/execution/controller-change.js';
import {
  FINAL_FAILURE_CODES,
  FINAL_FAILURE_TO_PERSON,
  RUN_ONLY_CODES,
  finalFailure,
  finalFailureToPerson,
  type PersonReason,
} from '../../../src/execution/final-failure.js';
import { sharedHoldError } from '../../../src/execution/binding-hold.js';
import { withdrawnReason } from '../../../src/execution/stranded-work.js';
import { HeldByRequest, PermanentTaskError, TaskTimeout, settleAttempt } from '../../../src/execution/task-attempt.js';

const last = { attempt: 3, maxAttempts: 3 };

/** The task's last_error as the worker stores it after a permanent failure with `message`. */
const storedError = (error: Error) => settleAttempt(error, { attempt: 1, maxAttempts: 3 }, false).row.lastError;

describe('what the person reads about a task that failed for good (R1, R6, R8, R14)', () => {
  it('every permanent code a request task can end with has its own wording; only retention-run codes have none', () => {
    for (const code of FINAL_FAILURE_CODES) {
      if (RUN_ONLY_CODES.has(code)) continue;
      const wording = FINAL_FAILURE_TO_PERSON[code as PersonReason];
      expect(wording, code).toMatch(/\w{3}/);
      // Read back from the task's error as the worker stores it.
      expect(finalFailureToPerson(storedError(new PermanentTaskError(finalFailure(code, 'detail for the handler (R0)')))), code).toBe(wording);
    }
  });

  it('every permanent error the worker raises starts with a listed code (a new one without wording fails here)', () => {
    const runner = readFileSync(new URL('../../../src/execution/task-runner.ts', import.meta.url), 'utf8');
    const raised = [...runner.matchAll(/new (?:PermanentTaskError|HeldByRequest)\(\s*([^\s(),]+)/g)].map((m) => m[1]);
    expect(raised.length).toBeGreaterThan(5);
    // Each goes through a builder that starts the text with a listed code.
    expect(new Set(raised)).toEqual(new Set(['finalFailure', 'controllerChangedError', 'sharedHoldError', 'reason']));
    const codes = [...runner.matchAll(/finalFailure\(\s*'([A-Z_]+)'/g)].map((m) => m[1]);
    for (const code of codes) expect(FINAL_FAILURE_CODES as readonly string[]).toContain(code);
    expect(finalFailureToPerson(storedError(new PermanentTaskError(controllerChangedError('ERASE'))))).toBe(FINAL_FAILURE_TO_PERSON.CONTROLLER_CHANGED);
    expect(finalFailureToPerson(storedError(new PermanentTaskError(withdrawnReason('CANCELLED')!)))).toBe(FINAL_FAILURE_TO_PERSON.REQUEST_REJECTED);
    // The stranded-work scan stores it without the worker's ERROR prefix.
    expect(finalFailureToPerson(withdrawnReason('REJECTED'))).toBe(FINAL_FAILURE_TO_PERSON.REQUEST_REJECTED);
  });

  it("R8: a record kept by law, refused by its controller or held for another matter is told so; the other matter's request is never named", () => {
    const held = storedError(new HeldByRequest(finalFailure('OPEN_REQUEST', 'left alone, another open request holds the record'), 'req-other'));
    expect(finalFailureToPerson(held)).toBe('we must keep this record for another matter that is still open, so it stays as it is');
    expect(finalFailureToPerson(storedError(new PermanentTaskError(finalFailure('LEGAL_HOLD', 'ERASE refused (R8)'))))).toMatch(/^the law requires us to keep/);
    expect(finalFailureToPerson(storedError(new PermanentTaskError(finalFailure('CONTROLLER_REFUSED', 'refused (R6)'))))).toMatch(/controller\) refused/);
    for (const wording of Object.values(FINAL_FAILURE_TO_PERSON)) expect(wording).not.toMatch(/req-|request \w+-|R\d/);
  });

  it('R8: a record whose footage another kept record shares is told so, whichever request keeps that record', () => {
    const hold = { reason: 'OPEN_REQUEST', requestId: 'req-1' } as const;
    for (const requestId of ['req-1', 'req-2']) {
      expect(finalFailureToPerson(storedError(new HeldByRequest(sharedHoldError({ requestId }, hold), 'req-1')))).toBe(FINAL_FAILURE_TO_PERSON.SHARED_DATA);
    }
  });

  it("the source's refusal and the connector's permanent errors are told as such; a refusal without detail is read from the outcome", () => {
    expect(finalFailureToPerson(settleAttempt({ outcome: 'REFUSED', detail: 'locked' }, last, true).row.lastError)).toBe(FINAL_FAILURE_TO_PERSON.REFUSED);
    expect(finalFailureToPerson('REFUSED')).toBe(FINAL_FAILURE_TO_PERSON.REFUSED);
    // A source keeping the record by law says so (the clinic's and the remote client's LEGAL_HOLD): told as kept by law.
    const keptByLaw = settleAttempt({ outcome: 'REFUSED', detail: 'LEGAL_HOLD: medical records; retained until 2034-01-01' }, last, true).row.lastError;
    expect(finalFailureToPerson(keptByLaw)).toBe(FINAL_FAILURE_TO_PERSON.LEGAL_HOLD);
    expect(finalFailureToPerson('REFUSED: LEGAL_HOLD')).toBe(FINAL_FAILURE_TO_PERSON.LEGAL_HOLD);
    // Any other code a source leads with is its own word: told as a refusal.
    expect(finalFailureToPerson('REFUSED: CONTROLLER_REFUSED')).toBe(FINAL_FAILURE_TO_PERSON.REFUSED);
    expect(finalFailureToPerson(storedError(new ConnectorError('NOT_SUPPORTED', 'no erase')))).toBe(FINAL_FAILURE_TO_PERSON.NOT_SUPPORTED);
    expect(finalFailureToPerson(storedError(new ConnectorError('CONFIGURATION', 'bad url')))).toBe(FINAL_FAILURE_TO_PERSON.CONFIGURATION);
  });

  it('a failure whose attempts ran out, or not read back, has no final reason: the letter says it is retried or unchecked', () => {
    const settled = (e: Error) => settleAttempt(e, last, false).row.lastError;
    expect(finalFailureToPerson(settled(new ConnectorError('UNAVAILABLE', 'down')))).toBeNull();
    expect(finalFailureToPerson(settled(new TaskTimeout('no answer within 5 ms')))).toBeNull();
    expect(finalFailureToPerson(settled(new Error('socket hang up')))).toBeNull();
    expect(finalFailureToPerson('UNVERIFIED: the source applied the correction, reading the record back failed')).toBeNull();
    expect(finalFailureToPerson(null)).toBeNull();
    // A retention run's code is no person's.
    expect(finalFailureToPerson(storedError(new PermanentTaskError(finalFailure('RETENTION_CHANGED', 'NOT_EXPIRED'))))).toBeNull();
  });
});
