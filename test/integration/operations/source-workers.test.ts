import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { TaskRunner } from '../../../src/execution/task-runner.js';
import { SourceWorkerPool } from '../../../jobs/execution/source-workers.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';

for (const queue of ['redis', 'postgres'] as const) {
  describe(`source workers start when a source is registered (${queue} queue)`, () => {
    let gw: TestGateway;
    let pool: SourceWorkerPool;

    beforeAll(async () => {
      // The periodic re-scan is an hour away: only the registration can start the new worker.
      gw = await startTestGateway({ queue, worker: false, env: { SOURCE_RESCAN_MS: '3600000', SCHEDULERS: 'false' } });
      await seedReferenceSources({ url: gw.databaseUrl, people: 10, seed: 3, systems: ['case_management'] });
      const services = gw.runtime.services;
      pool = new SourceWorkerPool(services, new TaskRunner({ ...services, settings: services.execution.settings }), () => undefined).start();
      await pool.rescan(); // the start-up scan is over, and found no source
      expect(pool.size).toBe(0);
    }, 120_000);
    afterAll(async () => {
      await pool?.close();
      await gw?.stop();
    });

    it('a task on a source registered after the workers started runs without waiting for the re-scan', async () => {
      const s = gw.runtime.services;
      await s.sources.register(caseSource('late_source', gw.databaseUrl), 'test');
      const [{ id: recordId }] = await s.dataSource.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 1`);
      const requestId = await insertApprovedRequest(s, {
        identifiers: [{ type: T.EMAIL, value: 'late@example.org' }],
        decisions: [{ sourceId: 'late_source', recordId, recordType: 'case', action: RecordAction.ERASE }],
      });
      await s.execution.execute(requestId, 'handler');
      const tasks = await eventually(
        () => tasksOf(s, requestId),
        (t) => t[0]?.status === 'SUCCEEDED',
      );
      expect(tasks.map((t) => [t.source_id, t.status, t.applied_count])).toEqual([['late_source', 'SUCCEEDED', 1]]);
      expect(pool.size).toBe(1);
      // Registering the same source again (an update) starts no second worker.
      await s.sources.register(caseSource('late_source', gw.databaseUrl), 'test');
      await pool.rescan();
      expect(pool.size).toBe(1);
    }, 60_000);
  });
}
