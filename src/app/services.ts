import type { DataSource } from 'typeorm';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { QueueBackend } from '../queue/queue-backend.js';

export interface Readiness {
  ready: boolean;
  database: boolean;
  queue: boolean;
  queueBackend: string;
}

/**
 * The gateway's services, built once per process and shared by the HTTP server,
 * the resolvers and the workers. Infrastructure is created in src/app/runtime.ts.
 */
export class Services {
  constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly dataSource: DataSource,
    readonly queues: QueueBackend,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, queue] = await Promise.all([
      this.dataSource
        .query('SELECT 1')
        .then(() => true)
        .catch(() => false),
      this.queues
        .ping()
        .then(() => true)
        .catch(() => false),
    ]);
    return { ready: database && queue, database, queue, queueBackend: this.queues.kind };
  }
}
