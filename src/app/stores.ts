// The stores: the one owner of each table of a request's life (src/requests/request.store.ts,
// src/execution/task.store.ts, and the request report's read-only aggregates). Stateless over the data source, built once per process.
import type { DataSource } from 'typeorm';
import { RequestStore } from '../requests/store/request.store.js';
import { TaskStore } from '../execution/store/task.store.js';
import { RequestReportStore } from '../requests/store/request-report.store.js';
import { RetentionRunStore } from '../retention/store/retention-run.store.js';

export interface Stores {
  requests: RequestStore;
  tasks: TaskStore;
  /** The request report's aggregates over the request tables (read-only). */
  requestReports: RequestReportStore;
  /** Retention runs and their previewed items (R9). */
  retentionRuns: RetentionRunStore;
}

export function createStores(dataSource: DataSource): Stores {
  return {
    requests: new RequestStore(dataSource),
    tasks: new TaskStore(dataSource),
    requestReports: new RequestReportStore(dataSource),
    retentionRuns: new RetentionRunStore(dataSource),
  };
}
