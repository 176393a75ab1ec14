// A reference gateway beside a foreign PostgreSQL CRM the gateway has never seen, with an
// ADMIN and a HANDLER key: the set-up of the tests that register that CRM as a source.
import { bearer } from '../../support/runtime.js';
import { createForeignCrmDatabase, type ForeignDatabase } from '../connectors/foreign-crm.js';
import { startReferenceGateway, type ReferenceGateway } from '../discovery/reference-gateway.js';

export interface CrmGateway {
  ref: ReferenceGateway;
  crm: ForeignDatabase;
  admin: Record<string, string>;
  handler: Record<string, string>;
  stop(): Promise<void>;
}

export async function startCrmGateway(options: { people: number; seed: number }): Promise<CrmGateway> {
  // The CRM's registration names its password variable; locally the database needs none.
  const ref = await startReferenceGateway({ ...options, env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
  const crm = await createForeignCrmDatabase();
  return {
    ref,
    crm,
    admin: await bearer(ref.gw, ['ADMIN']),
    handler: await bearer(ref.gw, ['HANDLER']),
    async stop() {
      await ref.stop();
      await crm.drop();
    },
  };
}
