import type { Services } from '../src/app/services.js';

/** What every resolver receives: who is asking, and the services to ask. */
export interface GraphQLContext {
  /** Correlates log lines of one HTTP request; never personal data. */
  requestId: string;
  services: Services;
}
