import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { demoSourceConfigs } from '../../../connectors/demo-sources.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/index.js';
import type { Identifier } from '../../../connectors/contract.js';
import { decideByDiscovery, insertApprovedRequest, requestStatus, tasksOf, waitForClosed, type FixtureDecision } from '../../support/requests-fixture.js';

const REMOVING = new Set<string>([RecordAction.ERASE, RecordAction.ANONYMISE, RecordAction.MINIMISE, RecordAction.PURGE]);

function identifiersOf(i: number): Identifier[] {
  const p = personAt(42, i);
  return [
    { type: T.GIVEN_NAME, value: p.givenName },
    { type: T.FAMILY_NAME, value: p.familyName },
    { type: T.DATE_OF_BIRTH, value: p.dateOfBirth },
    { type: T.EMAIL, value: p.email },
    { type: T.PHONE, value: p.phone },
    { type: T.MEMBERSHIP_NUMBER, value: p.membershipNumber },
  ];
}

for (const queue of ['redis', 'postgres'] as const) {
  describe(`erasure across the six reference sources (${queue} queue)`, () => {
    let gw: TestGateway;
    let training: TrainingService;
    let footageDir: string;
    const secret = randomBytes(24).toString('base64url');

    beforeAll(async () => {
      gw = await startTestGateway({
        queue,
        env: { DSR_SOURCE_SECRET_TRAINING: secret, WORKER_STALLED_INTERVAL_MS: '1000', SOURCE_RESCAN_MS: '300', TASK_BACKOFF_MS: '50' },
      });
      footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-footage-'));
      await seedReferenceSources({ url: gw.databaseUrl, people: 150, seed: 42, footageDir });
      training = await startTrainingService({ url: gw.databaseUrl, secret });
      for (const config of demoSourceConfigs({ databaseUrl: gw.databaseUrl, footageDir, trainingBaseUrl: training.baseUrl })) {
        await gw.runtime.services.sources.register(config, 'test');
      }
    }, 120_000);
    afterAll(async () => {
      await gw?.stop();
      await training?.close();
      if (footageDir) await rm(footageDir, { recursive: true, force: true });
    });

    it('R10 R11 R8: erases what the decisions say, retains clinic records under hold (restricted), verifies, tombstones', async () => {
      const services = gw.runtime.services;
      // People chosen until their requests touch all six sources (few synthetic people are in all six).
      const chosen: { ids: Identifier[]; decisions: FixtureDecision[] }[] = [];
      const covered = new Set<string>();
      for (let i = 0; i < 150 && covered.size < 6; i++) {
        const ids = identifiersOf(i);
        const { decisions } = await decideByDiscovery(services, ids);
        const adds = decisions.some((d) => !covered.has(d.sourceId));
        const clash = chosen.some((c) => c.decisions.some((d) => decisions.some((e) => e.sourceId === d.sourceId && e.recordId === d.recordId)));
        if (adds && !clash && (chosen.length > 0 || decisions.some((d) => d.sourceId === 'clinic'))) {
          chosen.push({ ids, decisions });
          for (const d of decisions) covered.add(d.sourceId);
        }
      }
      // CCTV visitors are known by badge and name: take a visitor as the person of one more request.
      const visits: { id: string }[] = await services.dataSource.query(`SELECT id FROM cctv.visits ORDER BY id LIMIT 30`);
      const cctv = await services.sources.connector('cctv');
      for (const v of visits) {
        if (covered.has('cctv')) break;
        const [visit] = await cctv.export([{ sourceId: 'cctv', recordId: v.id }]);
        if (!visit) continue;
        const { decisions } = await decideByDiscovery(services, visit.identifiers);
        const clash = chosen.some((c) => c.decisions.some((d) => decisions.some((e) => e.sourceId === d.sourceId && e.recordId === d.recordId)));
        if (!clash && decisions.some((d) => d.sourceId === 'cctv')) {
          chosen.push({ ids: visit.identifiers, decisions });
          covered.add('cctv');
        }
      }
      expect([...covered].sort()).toEqual(['case_management', 'cctv', 'clinic', 'concierge', 'recruitment', 'training']);
      const requestIds = await Promise.all(chosen.map((c) => insertApprovedRequest(services, { identifiers: c.ids, decisions: c.decisions })));
      await Promise.all(requestIds.map((id) => services.execution.execute(id, 'test-handler')));

      for (const [k, requestId] of requestIds.entries()) {
        const { ids, decisions } = chosen[k]!;
        // Tombstones were written in the planning transaction, before the fan-out.
        const [hits] = await services.tombstones.check([normaliseQueryIdentifiers(ids)]);
        const strong = hits!.filter((h) => [T.EMAIL, T.PHONE, T.MEMBERSHIP_NUMBER, T.BADGE_ID].includes(h.type));
        expect(strong.length).toBeGreaterThan(0);
        expect(strong.every((h) => h.tombstoned && h.requestId === requestId)).toBe(true);

        expect(await waitForClosed(services, requestId)).toBe('COMPLETED');
        const tasks = await tasksOf(services, requestId);
        expect(tasks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
        expect(tasks.length).toBe(
          decisions.filter((d) => d.action !== RecordAction.RETAIN && d.action !== RecordAction.RELEASE).length +
            decisions.filter((d) => d.followUpAction === RecordAction.RESTRICT).length,
        );

        // What should be gone is gone; what is held stays (restricted when the decision says so).
        for (const d of decisions) {
          const connector = await services.sources.connector(d.sourceId);
          const [record] = await connector.export([{ sourceId: d.sourceId, recordId: d.recordId }]);
          if (REMOVING.has(d.action)) {
            if (record) expect(d.action === RecordAction.ANONYMISE).toBe(true);
          } else {
            expect(record).toBeDefined();
            if (d.followUpAction === RecordAction.RESTRICT) expect(record!.restricted).toBe(true);
          }
        }
        // Verification passed: re-discovery finds no removed record.
        const again = await services.discovery.discover({ identifiers: normaliseQueryIdentifiers(ids) });
        const removed = new Set(
          decisions.filter((d) => REMOVING.has(d.action) && d.action !== RecordAction.ANONYMISE).map((d) => `${d.sourceId}/${d.recordId}`),
        );
        expect(again.records.filter((r) => removed.has(`${r.sourceId}/${r.recordId}`))).toEqual([]);
        const { response } = await requestStatus(services, requestId);
        expect(response).toMatchObject({ requestId, complete: true });
        const transitions = await services.dataSource.query(`SELECT from_status, to_status, actor FROM request_transition WHERE request_id = $1 ORDER BY id`, [
          requestId,
        ]);
        expect(transitions.slice(-2)).toEqual([
          { from_status: 'APPROVED', to_status: 'EXECUTING', actor: 'test-handler' },
          { from_status: 'EXECUTING', to_status: 'COMPLETED', actor: 'system:worker' },
        ]);
        const payloads = JSON.stringify(await services.dataSource.query(`SELECT * FROM tombstone WHERE request_id = $1`, [requestId])).toLowerCase();
        for (const i of ids.filter((x) => x.type === T.EMAIL || x.type === T.BADGE_ID)) expect(payloads).not.toContain(i.value.toLowerCase());
      }
      const clinic = chosen.flatMap((c) => c.decisions).filter((d) => d.sourceId === 'clinic' && d.relationship === 'SUBJECT');
      expect(clinic.length).toBeGreaterThan(0);
      expect(clinic.every((d) => d.action === RecordAction.RETAIN)).toBe(true);
    }, 180_000);
  });
}
