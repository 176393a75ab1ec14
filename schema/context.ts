import type { Principal } from '../src/auth/index.js';
import type { Services } from '../src/app/services.js';

/** What every resolver receives: who is asking, and the services to ask. */
export interface GraphQLContext {
  /** Correlates log lines of one HTTP request; never personal data. */
  requestId: string;
  /** The authenticated caller; null when no credentials were sent (every field then refuses). */
  principal: Principal | null;
  services: Services;
}
