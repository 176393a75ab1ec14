// GET /metrics: Prometheus text, for keys with metrics:read (MONITOR, ADMIN). Queue depth
// per queue and task totals by status are read at scrape time (right in any process);
// attempt outcomes and durations are counted by the processes that run tasks (see
// src/execution/execution-metrics.ts).
import express, { type Router } from 'express';
import { Gauge } from 'prom-client';
import type { Services } from '../app/services.js';
import { metricsRegistry } from '../execution/execution-metrics.js';
import { allQueueNames } from '../../jobs/queue-names.js';
import { principalWith } from './route-access.js';

let gauges: { depth: Gauge<'queue' | 'state'>; tasks: Gauge<'status'> } | null = null;

export function metricsRoute(services: Services): Router {
  gauges ??= {
    depth: new Gauge({ name: 'dsr_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [metricsRegistry] }),
    tasks: new Gauge({ name: 'dsr_tasks', help: 'Tasks in the task table by status', labelNames: ['status'] as const, registers: [metricsRegistry] }),
  };
  const { depth, tasks } = gauges;
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    try {
      if (!(await principalWith(services, req, res, 'metrics:read', 'DSR Gateway metrics'))) return;
      const names = allQueueNames((await services.sources.list()).map((s) => s.id));
      depth.reset();
      for (const name of names) {
        const counts = await services.execution.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'waiting-children', 'prioritized');
        for (const [state, n] of Object.entries(counts)) depth.set({ queue: name, state }, n);
      }
      tasks.reset();
      for (const r of await services.stores.tasks.countsByStatus()) tasks.set({ status: r.status }, r.n);
      res.setHeader('content-type', metricsRegistry.contentType);
      res.send(await metricsRegistry.metrics());
    } catch (error) {
      services.logger.error({ err: (error as Error).message }, 'metrics scrape failed');
      res.status(500).send('# metrics unavailable\n');
    }
  });
  return router;
}
