// A remote connector service for the approval tests: it records every call the gateway makes
// to it, and its identifier types and retention can be changed as a source team would.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createConnectorRouter } from '../../../connectors/remote/router.js';
import { ConnectorError, type Connector, type DiscoveryQuery, type SourceDescription } from '../../../connectors/contract.js';
import { Capability, DataCategory, IdentifierType as T, SourceKind } from '../../../src/domain/vocabulary.js';

/** A source searchable by email only, counting what it is sent. */
export class RecordingSource implements Connector {
  readonly kind = SourceKind.OTHER;
  readonly capabilities = [Capability.DISCOVER, Capability.EXPORT, Capability.ERASE];
  identifierTypes: T[] = [T.EMAIL];
  readonly received: DiscoveryQuery[] = [];
  healthChecks = 0;
  /** What it says of its retention (a remote may change it: the change waits for approval). */
  retentionSummary = '1 year after last contact';
  describe(): SourceDescription {
    return {
      kind: this.kind,
      name: 'Team CRM',
      fields: [{ recordType: 'contact', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: false, identifierType: T.EMAIL }],
      retention: { summary: this.retentionSummary, activePeriod: 'P1Y', statutory: false, erasure: 'DELETE' },
      controller: { role: 'CONTROLLER' },
    };
  }
  async discover(queries: DiscoveryQuery[]) {
    this.received.push(...queries);
    return queries.map(() => []);
  }
  async export() {
    return [];
  }
  async correct(): Promise<never> {
    throw new ConnectorError('NOT_SUPPORTED', 'no corrections');
  }
  async erase() {
    return { outcome: 'NOT_FOUND' as const };
  }
  async restrict(): Promise<never> {
    throw new ConnectorError('NOT_SUPPORTED', 'no restriction');
  }
  async health() {
    this.healthChecks++;
    return { healthy: true };
  }
  async close() {}
}

/** Serves the source as a remote connector on a free local port. */
export async function serveRemote(source: Connector, secret: string): Promise<{ server: Server; baseUrl: string }> {
  const app = express();
  app.use('/connector', createConnectorRouter(source, { secret }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/connector` };
}
