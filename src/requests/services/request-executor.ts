// The hand-off from an approved request to the queued execution of its corrections,
// erasures and restrictions (src/execution implements it). The request service only
// decides; the executor plans tasks, runs them, verifies them and closes the request.
import { DomainError } from '../../domain/errors.js';

export interface RequestExecutor {
  /** Starts the work of a request that is EXECUTING (its decisions are final). */
  execute(requestId: string, actor: string): Promise<void>;
  /** Queues again the tasks of a request that failed. */
  retryFailed(requestId: string, actor: string): Promise<void>;
}

/** Stand-in while no executor is wired: refuses with a coded error instead of losing work. */
export const unavailableExecutor: RequestExecutor = {
  async execute() {
    throw new DomainError('EXECUTION_UNAVAILABLE', 'Queued execution is not available in this gateway');
  },
  async retryFailed() {
    throw new DomainError('EXECUTION_UNAVAILABLE', 'Queued execution is not available in this gateway');
  },
};
