// A small HTTP service standing in for an external learning platform: the training store's
// connector behind the signed remote protocol, mounted at /connector.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnectorRouter } from '../remote/router.js';
import type { NonceStore } from '../remote/signing.js';
import { TrainingConnector } from './connector.js';

export interface TrainingServiceOptions {
  /** Database URL holding the training schema. */
  url: string;
  schema?: string;
  /** Shared secret the gateway signs with (the gateway reads it from the env var it names). */
  secret: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Accepted nonces; instances of the service behind one address must share one (RedisNonceStore). */
  nonces?: NonceStore;
}

export interface TrainingService {
  /** The base URL the remote connector is configured with, e.g. http://127.0.0.1:4101/connector */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startTrainingService(options: TrainingServiceOptions): Promise<TrainingService> {
  const connector = new TrainingConnector({ url: options.url, schema: options.schema ?? 'training' });
  // Keys of an older scheme are rebuilt now rather than inside the first discovery call
  // (which has a deadline over the wire); a failure here is retried by that call.
  void connector.ensureKeyScheme().catch(() => undefined);
  const app = express();
  app.disable('x-powered-by');
  app.use('/connector', createConnectorRouter(connector, { secret: options.secret, nonces: options.nonces }));
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/connector`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.close();
    },
  };
}
