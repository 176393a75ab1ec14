// Requests that finish at the same time are read and closed together: the finaliser's
// reads are one statement per table for every request of a batch, and closing is one
// transaction for the batch (status moves, transitions, verified tasks, audit entries).
// Verification itself stays per request (its discovery lookups batch in SourceBatcher).
import type DataLoader from 'dataloader';
import { flightLimitedLoader } from '../domain/flight-limited-loader.js';
import { RequestStatus } from '../domain/vocabulary.js';
import type { AuditRecordInput } from '../audit/index.js';
import { transition, type RequestEvent } from '../requests/state-machine.js';
import type { ExecutionDeps } from './execution-deps.js';
import { groupBy } from '../domain/group-by.js';
import type { TaskRow } from './store/task.store.js';
import type { DecisionRow, FinalisedRequestRow } from '../requests/store/request.store.js';

export type { DecisionRow, FinalisedRequestRow } from '../requests/store/request.store.js';

/** What the finaliser reads of one request. */
export interface FinaliseReads {
  request: FinalisedRequestRow | undefined;
  tasks: TaskRow[];
  /** `${source}/${record}` -> record type, from the verification snapshot. */
  recordTypes: Map<string, string>;
  decisions: DecisionRow[];
}

/** One request to close: it moves from EXECUTING only if it is still there. */
export interface Closing {
  requestId: string;
  event: RequestEvent;
  actor: string;
  at: Date;
  reason: string | null;
  response: unknown;
  /** Tasks whose records verification found gone. */
  verifiedTaskIds: string[];
  audit: AuditRecordInput;
}

const BATCHES_IN_FLIGHT = 2;
const MAX_BATCH = 100;

export class FinaliseBatches {
  readonly reads: DataLoader<string, FinaliseReads, string>;
  readonly closings: DataLoader<Closing, boolean, Closing>;

  constructor(private readonly deps: ExecutionDeps) {
    const options = { maxBatchSize: MAX_BATCH, maxInFlight: BATCHES_IN_FLIGHT };
    this.reads = flightLimitedLoader((ids) => this.readAll(ids), options);
    this.closings = flightLimitedLoader((items) => this.closeAll(items), options);
  }

  private async readAll(ids: readonly string[]): Promise<FinaliseReads[]> {
    const { requests: store, tasks: taskStore } = this.deps.stores;
    const [requests, tasks, records, decisions] = await Promise.all([
      store.finaliseRowsOf(ids),
      taskStore.rowsOfRequests(ids),
      store.recordTypesOf(ids),
      store.decisionRowsOf(ids),
    ]);
    const requestById = new Map(requests.map((r) => [r.id, r]));
    const byRequest = <T extends { request_id: string }>(rows: T[]) => groupBy(rows, (r) => r.request_id);
    const tasksOf = byRequest(tasks);
    const recordsOf = byRequest(records);
    const decisionsOf = byRequest(decisions);
    return ids.map((id) => ({
      request: requestById.get(id),
      tasks: tasksOf.get(id) ?? [],
      recordTypes: new Map((recordsOf.get(id) ?? []).map((r) => [`${r.source_id}/${r.record_id}`, r.record_type])),
      decisions: decisionsOf.get(id) ?? [],
    }));
  }

  /** Closes a batch in one transaction; answers per item whether it was closed here. */
  private async closeAll(items: readonly Closing[]): Promise<boolean[]> {
    const from = RequestStatus.EXECUTING;
    const moves = items.map((c) => {
      const to = transition({ status: from }, c.event, { actor: c.actor, at: c.at, reason: c.reason }).state.status;
      return {
        requestId: c.requestId,
        from,
        fields: { status: to, response: c.response },
        transitions: [{ requestId: c.requestId, from, to, event: c.event, actor: c.actor, at: c.at, reason: c.reason }],
      };
    });
    return this.deps.dataSource.transaction(async (m) => {
      const moved = await this.deps.stores.requests.applyMoves(m, moves);
      // Another finaliser closed it first: nothing more to record for it.
      const mine = items.filter((c) => moved.has(c.requestId));
      if (mine.length === 0) return items.map(() => false);
      await this.deps.stores.tasks.markVerified(
        mine.flatMap((c) => c.verifiedTaskIds),
        m,
      );
      await this.deps.audit.recordAll(
        mine.map((c) => c.audit),
        m,
      );
      return items.map((c) => moved.has(c.requestId));
    });
  }
}
