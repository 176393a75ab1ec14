// Benchmark parts that are not the gateway run on their own threads: the HTTP clients
// (a load generator would not share the server's event loop) and the training system
// (a remote source is another system). Each thread has its own event loop and core.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  query: string;
  /** One variables object per request, used round-robin. */
  variables: Record<string, unknown>[];
  /** `concurrency` clients, each sending its next request as soon as one returns, for `seconds`. */
  concurrency: number;
  seconds: number;
}

export interface LoadResult {
  done: number;
  seconds: number;
}

type Job = { kind: 'http-clients'; plan: LoadPlan } | { kind: 'training'; url: string; secret: string };

function start<T>(job: Job): { worker: Worker; first: Promise<T> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  const first = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, first };
}

/** Runs the plan's HTTP clients on a thread of their own. */
export async function runHttpClients(plan: LoadPlan): Promise<LoadResult> {
  const { worker, first } = start<LoadResult | { error: string }>({ kind: 'http-clients', plan });
  const result = await first;
  await worker.terminate();
  if ('error' in result) throw new Error(result.error);
  return result;
}

/** The training system's connector service on a thread of its own. */
export async function startTrainingThread(url: string, secret: string): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const { worker, first } = start<{ baseUrl: string }>({ kind: 'training', url, secret });
  const { baseUrl } = await first;
  return {
    baseUrl,
    async close() {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

async function clients(plan: LoadPlan): Promise<LoadResult> {
  let next = 0;
  const ask = async (): Promise<void> => {
    const variables = plan.variables[next++ % plan.variables.length];
    const res = await fetch(`${plan.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...plan.headers },
      body: JSON.stringify({ query: plan.query, variables }),
    });
    const reply = (await res.json()) as { data?: unknown; errors?: unknown[] };
    if (reply.errors?.length || !reply.data) throw new Error(`request failed: ${JSON.stringify(reply.errors ?? reply)}`);
  };
  const started = performance.now();
  let done = 0;
  const until = started + plan.seconds * 1000;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (performance.now() < until) {
        await ask();
        done++;
      }
    }),
  );
  return { done, seconds: (performance.now() - started) / 1000 };
}

if (!isMainThread && (workerData as Job | undefined)?.kind) {
  const job = workerData as Job;
  if (job.kind === 'http-clients') {
    clients(job.plan).then(
      (result) => parentPort!.postMessage(result),
      (error: Error) => parentPort!.postMessage({ error: error.message }),
    );
  } else {
    const { startTrainingService } = await import('../../../connectors/training/service.js');
    const service = await startTrainingService({ url: job.url, secret: job.secret });
    parentPort!.postMessage({ baseUrl: service.baseUrl });
    parentPort!.once('message', () => void service.close().then(() => process.exit(0)));
  }
}
