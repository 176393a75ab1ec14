// Prometheus metrics of retention runs (R9): how runs ended, counted where they close.
// What is past retention per source and the oldest start are read at scrape time from
// the latest previews (src/http/metrics-route.ts).
import { Counter } from 'prom-client';
import { metricsRegistry } from '../execution/execution-metrics.js';

export const retentionRunOutcomes = new Counter({
  name: 'dsr_retention_runs_total',
  help: 'Retention runs closed, by outcome (COMPLETED, PARTIALLY_COMPLETED) and whether the scheduler executed them without approval',
  labelNames: ['outcome', 'automatic'] as const,
  registers: [metricsRegistry],
});
