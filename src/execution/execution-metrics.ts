// Prometheus metrics of queued execution. Counters and histograms live in the process
// that runs the tasks; /metrics also reads queue depths and task totals at scrape time,
// which are right whichever process serves HTTP.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'dsr_' });

export const taskOutcomes = new Counter({
  name: 'dsr_task_outcomes_total',
  help: 'Task attempts by source, action and outcome (APPLIED, ALREADY_APPLIED, NOT_FOUND, REFUSED, ERROR, RATE_LIMITED, TIMEOUT)',
  labelNames: ['source', 'action', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const taskDuration = new Histogram({
  name: 'dsr_task_duration_seconds',
  help: 'Duration of one task attempt (connector call included)',
  labelNames: ['source', 'action'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});
