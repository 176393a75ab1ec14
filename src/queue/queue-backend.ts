// The one module that knows which queue backend runs. Everything else asks it for
// queues, workers and flow producers and never cares whether Redis or PostgreSQL
// holds the jobs. Redis (through ioredis) is the production backend; BullMQ's
// PostgreSQL backend gives the zero-setup default (`npm start`) a queue with no Redis.
import {
  FlowProducer,
  Queue,
  QueueEvents,
  Worker,
  createPostgresBackend,
  runMigrations,
  withBackend,
  type IQueueBackend,
  type Processor,
  type QueueOptions,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

/* eslint-disable @typescript-eslint/no-explicit-any -- job data types are chosen per queue by callers */
export type AnyQueue = Queue<any, any, string, any, any, any, IQueueBackend, any>;
export type AnyWorker = Worker<any, any, string, IQueueBackend, any, any>;
export type AnyFlowProducer = FlowProducer<IQueueBackend, any>;
export type AnyQueueEvents = QueueEvents<any, IQueueBackend, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export type QueueBackendSettings = { kind: 'redis'; url: string; prefix: string } | { kind: 'postgres'; url: string; schema: string };

export type QueueDefaults = Omit<QueueOptions, 'connection' | 'prefix'>;
export type WorkerDefaults = Omit<WorkerOptions, 'connection' | 'prefix'>;

export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue(name: string, options?: QueueDefaults): AnyQueue;
  worker<D, R>(name: string, processor: Processor<D, R>, options?: WorkerDefaults): AnyWorker;
  flowProducer(): AnyFlowProducer;
  queueEvents(name: string): AnyQueueEvents;
  /** Throws when the backend's datastore cannot be reached (readiness probe). */
  ping(): Promise<void>;
  /** Closes every queue, worker and connection this backend handed out. */
  close(): Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

export function createQueueBackend(settings: QueueBackendSettings): QueueBackend {
  return settings.kind === 'redis' ? redisBackend(settings) : postgresBackend(settings);
}

function tracker() {
  const open = new Set<Closable>();
  return {
    track<T extends Closable>(item: T): T {
      open.add(item);
      return item;
    },
    async closeAll(): Promise<void> {
      // Workers first so active jobs finish before their queues go away.
      const items = [...open].sort((a, b) => Number(b instanceof Worker) - Number(a instanceof Worker));
      for (const item of items) await item.close().catch(() => undefined);
      open.clear();
    },
  };
}

function redisBackend(settings: { url: string; prefix: string }): QueueBackend {
  const open = tracker();
  // One shared connection for producers; BullMQ duplicates it for blocking worker calls.
  // maxRetriesPerRequest: null is what BullMQ requires for workers.
  const connection = new Redis(settings.url, { maxRetriesPerRequest: null, lazyConnect: false });
  const base = { connection, prefix: settings.prefix };
  return {
    kind: 'redis',
    queue: (name, options) => open.track(new Queue(name, { ...options, ...base })),
    worker: (name, processor, options) => open.track(new Worker(name, processor, { ...options, ...base })),
    flowProducer: () => open.track(new FlowProducer(base)),
    queueEvents: (name) => open.track(new QueueEvents(name, { connection: connection.duplicate(), prefix: settings.prefix })),
    async ping() {
      const probe = new Redis(settings.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
      try {
        await probe.connect();
        await probe.ping();
      } finally {
        probe.disconnect();
      }
    },
    async close() {
      await open.closeAll();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

function postgresBackend(settings: { url: string; schema: string }): QueueBackend {
  const open = tracker();
  const classes = withBackend(createPostgresBackend);
  // Each BullMQ object owns a small pool; the schema namespaces the gateway's queues.
  const connection = () => ({ connectionString: settings.url, schema: settings.schema, max: 3 });
  return {
    kind: 'postgres',
    queue: (name, options) => open.track(new classes.Queue(name, { ...options, connection: connection() })),
    worker: (name, processor, options) => open.track(new classes.Worker(name, processor, { ...options, connection: connection() })),
    flowProducer: () => open.track(new classes.FlowProducer({ connection: connection() })),
    queueEvents: (name) => open.track(new classes.QueueEvents(name, { connection: connection() })),
    async ping() {
      const client = new pg.Client({ connectionString: settings.url, connectionTimeoutMillis: 2000 });
      await client.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        await client.end();
      }
    },
    close: () => open.closeAll(),
  };
}

/**
 * Brings BullMQ's PostgreSQL schema up to date. Run with the gateway's own migrations
 * (src/database/migrate.ts) so queues never migrate lazily at first use.
 */
export async function migratePostgresQueueSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await runMigrations(client, schema);
  } finally {
    await client.end();
  }
}
