// GET /metrics: Prometheus text, for keys with metrics:read (MONITOR, ADMIN) bound to no
// controller (the figures are every controller's). Queue depth
// per queue and task totals by status are read at scrape time (right in any process);
// attempt outcomes and durations are counted by the processes that run tasks (see
// src/execution/execution-metrics.ts).
import express, { type Router } from 'express';
import { Gauge } from 'prom-client';
import type { Services } from '../app/services.js';
import { metricsRegistry } from '../execution/execution-metrics.js';
import { allQueueNames } from '../../jobs/queue-names.js';
import { principalWith } from './route-access.js';

let gauges: {
  depth: Gauge<'queue' | 'state'>;
  tasks: Gauge<'status'>;
  pastRetention: Gauge<'source'>;
  oldest: Gauge<'source'>;
  runs: Gauge<'status'>;
} | null = null;

export function metricsRoute(services: Services): Router {
  gauges ??= {
    depth: new Gauge({ name: 'dsr_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [metricsRegistry] }),
    tasks: new Gauge({ name: 'dsr_tasks', help: 'Tasks in the task table by status', labelNames: ['status'] as const, registers: [metricsRegistry] }),
    pastRetention: new Gauge({
      name: 'dsr_retention_past_records',
      help: 'R9: records past retention to destroy per source, as the latest retention run of the source found them (-1: the source could not be listed)',
      labelNames: ['source'] as const,
      registers: [metricsRegistry],
    }),
    oldest: new Gauge({
      name: 'dsr_retention_oldest_seconds',
      help: 'R9: the oldest start of retention (Unix time) among those records, per source',
      labelNames: ['source'] as const,
      registers: [metricsRegistry],
    }),
    runs: new Gauge({
      name: 'dsr_retention_runs',
      help: 'R9: retention runs by status (PREVIEWED: waiting for approval, at most one per set of sources; SUPERSEDED: never approved, replaced by a newer preview)',
      labelNames: ['status'] as const,
      registers: [metricsRegistry],
    }),
  };
  const { depth, tasks, pastRetention, oldest, runs } = gauges;
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    try {
      if (!(await principalWith(services, req, res, 'metrics:read', 'DSR Gateway metrics', { everyController: true }))) return;
      const names = allQueueNames((await services.sources.list()).map((s) => s.id));
      depth.reset();
      for (const name of names) {
        const counts = await services.execution
          .queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'waiting-children', 'prioritized');
        for (const [state, n] of Object.entries(counts)) depth.set({ queue: name, state }, n);
      }
      tasks.reset();
      for (const r of await services.stores.tasks.countsByStatus()) tasks.set({ status: r.status }, r.n);
      pastRetention.reset();
      oldest.reset();
      for (const s of await services.stores.retentionRuns.latestSummaries()) {
        pastRetention.set({ source: s.sourceId }, s.listable ? s.toDestroy.reduce((n, t) => n + t.count, 0) : -1);
        if (s.oldest) oldest.set({ source: s.sourceId }, Math.floor(new Date(s.oldest).getTime() / 1000));
      }
      runs.reset();
      for (const r of await services.stores.retentionRuns.countsByStatus()) runs.set({ status: r.status }, r.n);
      res.setHeader('content-type', metricsRegistry.contentType);
      res.send(await metricsRegistry.metrics());
    } catch (error) {
      services.logger.error({ err: (error as Error).message }, 'metrics scrape failed');
      res.status(500).send('# metrics unavailable\n');
    }
  });
  return router;
}
