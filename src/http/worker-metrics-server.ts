// A worker process (`npm run worker`) serves no GraphQL, yet it is where task outcomes and
// durations are counted. With WORKER_METRICS_PORT it serves them, with its process
// metrics, at GET /metrics: Prometheus scrapes each worker process as a target of its
// own. Queue depths and task totals come from the gateway's /metrics (read at scrape time).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from '../execution/execution-metrics.js';
import type { Logger } from '../logging/logger.js';

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startWorkerMetricsServer(host: string, port: number, logger: Logger): Promise<WorkerMetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (error: Error) => {
        logger.error({ err: error.message }, 'worker metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('# metrics unavailable\n');
      },
    );
  });
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
