// A test-only trap that makes a worker crash land at one exact point: after a batch's
// effects are committed in the source, before the gateway records them. It lives in the
// test database only (a trigger on the task table), never in product code.
//
// The trigger holds the statement that moves the Nth task of the armed request to
// SUCCEEDED (pg_sleep), so that statement's whole batch of outcomes is in flight: the
// connector has committed every effect of the batch, the task table has none of them.
// The test then SIGKILLs the worker and terminates the held backend, whose transaction
// rolls back: those tasks stay RUNNING with their effect already in the source.
//
// The shot counter is a sequence, not a row: nextval is not rolled back with the held
// transaction and takes no row lock, so exactly one statement is ever held, even while
// another batch of the same worker records its outcomes at the same moment.
import type { DataSource } from 'typeorm';

const SCHEMA = 'crash_test';

/** Arms the trap for `requestId` (or a retention run's id): the statement recording its `nth` success is held. */
export async function armOutcomeTrap(db: DataSource, requestId: string, nth: number): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await db.query(`DROP SEQUENCE IF EXISTS ${SCHEMA}.successes`);
  await db.query(`CREATE SEQUENCE ${SCHEMA}.successes`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.armed (request_id uuid PRIMARY KEY, nth int NOT NULL)`);
  await db.query(`TRUNCATE ${SCHEMA}.armed`);
  await db.query(`INSERT INTO ${SCHEMA}.armed (request_id, nth) VALUES ($1, $2)`, [requestId, nth]);
  await db.query(`
    CREATE OR REPLACE FUNCTION ${SCHEMA}.hold_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      wanted int;
    BEGIN
      IF NEW.status = 'SUCCEEDED' AND OLD.status IS DISTINCT FROM 'SUCCEEDED' THEN
        SELECT nth INTO wanted FROM ${SCHEMA}.armed WHERE request_id = COALESCE(NEW.request_id, NEW.retention_run_id);
        IF wanted IS NOT NULL AND nextval('${SCHEMA}.successes') = wanted THEN
          PERFORM pg_sleep(3600);
        END IF;
      END IF;
      RETURN NEW;
    END $$`);
  await db.query(`DROP TRIGGER IF EXISTS crash_test_hold_outcome ON task`);
  await db.query(`CREATE TRIGGER crash_test_hold_outcome BEFORE UPDATE ON task FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.hold_outcome()`);
}

/** Resolves once a backend of this database sits in the trap's sleep. */
export async function waitUntilHeld(db: DataSource, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await heldBackends(db)).length === 0) {
    if (Date.now() > until) throw new Error(`no outcome statement was held within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Ends the held statement (its transaction rolls back: none of its outcomes are recorded)
 * and removes the trap. Call it after the worker that issued the statement is killed.
 */
export async function releaseAndRemoveTrap(db: DataSource): Promise<void> {
  for (const pid of await heldBackends(db)) await db.query(`SELECT pg_terminate_backend($1)`, [pid]);
  for (let i = 0; (await heldBackends(db)).length > 0; i++) {
    if (i > 250) throw new Error('the held backend did not end');
    await new Promise((r) => setTimeout(r, 20));
  }
  await db.query(`DROP TRIGGER IF EXISTS crash_test_hold_outcome ON task`);
  await db.query(`TRUNCATE ${SCHEMA}.armed`);
}

async function heldBackends(db: DataSource): Promise<number[]> {
  const rows: { pid: number }[] = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.pid);
}
