// A source that answers nothing but "too many requests". Each such answer puts the job back
// without using an attempt, so without an end its tasks would wait for ever; after
// SOURCE_RATE_LIMITED_MAX_MS of it the answer counts as an outage (UNAVAILABLE), and the
// last attempt fails the task. Real PostgreSQL and Redis, the workers' own queue and limiter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../connectors/contract.js';
import { startWorkers, type Closable } from '../../../jobs/workers.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, TaskStatus } from '../../../src/domain/vocabulary.js';
import type { Services } from '../../../src/app/services.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';
import { eventually } from '../../support/eventually.js';

describe('a source that always answers "too many requests"', () => {
  let gw: TestGateway;
  let workers: Closable[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      worker: false,
      env: { SOURCE_RATE_LIMITED_MAX_MS: '1000', TASK_ATTEMPTS: '2', TASK_BACKOFF_MS: '20', SOURCE_RESCAN_MS: '200', SCHEDULERS: 'false' },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 5, seed: 3, systems: ['case_management'] });
    await gw.runtime.services.sources.register(
      {
        id: 'busy_cases',
        name: 'busy_cases',
        kind: 'CASE_MANAGEMENT',
        type: 'builtin',
        connection: { system: 'case_management', schema: 'case_management', url: gw.databaseUrl },
      },
      'test',
    );
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await gw?.stop();
  });

  it('after SOURCE_RATE_LIMITED_MAX_MS its task uses its attempts as in an outage and fails UNAVAILABLE; the record stays', async () => {
    const s = gw.runtime.services;
    let asked = 0;
    const sources = Object.create(s.sources) as typeof s.sources;
    sources.connector = async (id: string) => {
      const real = await s.sources.connector(id);
      return new Proxy(real, {
        get(target, prop) {
          if (prop === 'eraseMany') return undefined;
          if (prop === 'erase')
            return async () => {
              asked++;
              throw new ConnectorError('RATE_LIMITED', 'slow down', 50);
            };
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const [record] = await s.dataSource.query<{ id: string }[]>(`SELECT id FROM case_management.cases ORDER BY id LIMIT 1`);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'busy@example.org' }],
      decisions: [{ sourceId: 'busy_cases', recordId: record!.id, recordType: 'case', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    workers = startWorkers({ ...s, sources } as Services);

    const [task] = await eventually(
      () => tasksOf(s, requestId),
      ([t]) => t?.status === TaskStatus.FAILED,
      { timeoutMs: 30_000, everyMs: 200 },
    );
    expect(task!.last_error).toMatch(/^UNAVAILABLE: the source has answered only "too many requests" for \d+ s$/);
    expect(task!.attempts).toBe(2);
    // Many answers, each given back, before the wait counted.
    expect(asked).toBeGreaterThan(2);
    const [still] = await s.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM case_management.cases WHERE id = $1`, [record!.id]);
    expect(still!.n).toBe(1);
  }, 60_000);
});
