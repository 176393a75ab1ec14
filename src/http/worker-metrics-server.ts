// A worker process (`npm run worker`) serves no GraphQL, yet it is where task outcomes and
// durations are counted. With WORKER_METRICS_PORT it serves them, with its process
// metrics, at GET /metrics to keys with metrics:read, as the gateway does: Prometheus
// scrapes each worker process as a target of its own. Queue depths and task totals come
// from the gateway's /metrics (read at scrape time).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from '../execution/execution-metrics.js';
import type { Services } from '../app/services.js';
import { principalWith } from './route-access.js';

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startWorkerMetricsServer(host: string, port: number, services: Services): Promise<WorkerMetricsServer> {
  const scrape = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      if (!(await principalWith(services, req, res, 'metrics:read', 'DSR Gateway worker metrics', { everyController: true }))) return;
      const text = await metricsRegistry.metrics();
      res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text);
    } catch (error) {
      services.logger.error({ err: (error as Error).message }, 'worker metrics scrape failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('# metrics unavailable\n');
    }
  };
  const server: Server = createServer((req, res) => void scrape(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
