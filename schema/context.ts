import type { Principal } from '../src/auth/index.js';
import type { Services } from '../src/app/services.js';

/** What every resolver receives: who is asking, and the services to ask. */
export interface GraphQLContext {
  /** Correlates log lines of one HTTP request; never personal data. */
  requestId: string;
  /** The authenticated caller; null when no credentials were sent (every field then refuses). */
  principal: Principal | null;
  services: Services;
  /**
   * Set by the first tombstoneCheck of the operation: the operation's own rate-limit token
   * (spent when the caller authenticated) pays for that check only; every further check in
   * the same operation (an alias) pays its whole cost.
   */
  tombstoneCallTokenUsed?: boolean;
}
