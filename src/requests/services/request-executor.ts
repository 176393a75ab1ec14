// The hand-off from an approved request to the queued execution of its corrections,
// erasures and restrictions (src/execution implements it). The request service only
// decides; the executor plans tasks, runs them, verifies them and closes the request.
import type { EntityManager } from 'typeorm';

export interface RequestExecutor {
  /** How long executeRequest waits for sources and for its planning transaction (EXECUTE_TIMEOUT_MS). */
  readonly timeLimitMs: number;
  /**
   * The source calls execution needs, made before anything changes and bounded in time
   * (EXECUTION_TIMEOUT): a source that hangs leaves the request as it was.
   */
  prepare(requestId: string): Promise<PreparedExecution>;
  /** Starts the work of an APPROVED (or EXECUTING) request, all or nothing (its decisions are final). */
  execute(requestId: string, actor: string, prepared?: PreparedExecution): Promise<void>;
  /** Queues again the tasks of a request that failed; `withhold` stores the withheld decisions first, in the same transaction. */
  retryFailed(requestId: string, actor: string, withhold?: (m: EntityManager) => Promise<void>): Promise<void>;
}

/** What prepare gathered for execute (opaque to the request service). */
export interface PreparedExecution {
  readonly requestId: string;
}
