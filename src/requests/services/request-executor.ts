// The hand-off from an approved request to the queued execution of its corrections,
// erasures and restrictions (src/execution implements it). The request service only
// decides; the executor plans tasks, runs them, verifies them and closes the request.
export interface RequestExecutor {
  /** Starts the work of a request that is EXECUTING (its decisions are final). */
  execute(requestId: string, actor: string): Promise<void>;
  /** Queues again the tasks of a request that failed. */
  retryFailed(requestId: string, actor: string): Promise<void>;
}
