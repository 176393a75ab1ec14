// The remote protocol's security: signed requests only; tampering, stale timestamps and
// replays are rejected; a wrong secret or a dead endpoint are reported, not hidden.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteConnector } from '../../../connectors/remote/client.js';
import { MAX_ANSWER_BYTES } from '../../../connectors/remote/transport.js';
import { signedHeaders, HEADER_SIGNATURE, HEADER_TIMESTAMP } from '../../../connectors/remote/signing.js';
import { RedisNonceStore } from '../../../connectors/remote/redis-nonce-store.js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { Capability, SourceKind } from '../../../src/domain/vocabulary.js';
import { recordIds, seededStores, type SeededStores } from './fixtures.js';

const SECRET = 'remote-test-secret-0123456789';
let stores: SeededStores;
let service: TrainingService;

beforeAll(async () => {
  stores = await seededStores(30, 5);
  service = await startTrainingService({ url: stores.url, secret: SECRET });
});
afterAll(async () => {
  await service?.close();
  await stores?.drop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (r: Response): Promise<any> => r.json();

async function post(operation: string, body: string, headers: Record<string, string>) {
  return fetch(`${service.baseUrl}/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('remote connector protocol', () => {
  const path = () => new URL(`${service.baseUrl}/health`).pathname;

  it('accepts a correctly signed request', async () => {
    const body = '{}';
    const response = await post('health', body, signedHeaders('POST', path(), body, SECRET));
    expect(response.status).toBe(200);
    expect((await json(response)).health.healthy).toBe(true);
  });

  it('rejects a tampered body (signature no longer matches)', async () => {
    const headers = signedHeaders('POST', new URL(`${service.baseUrl}/discover`).pathname, '{"queries":[]}', SECRET);
    const response = await post('discover', '{"queries":[{"identifiers":[],"blockingKeys":["x"]}]}', headers);
    expect(response.status).toBe(401);
    expect((await json(response)).error.reason).toBe('BAD_SIGNATURE');
  });

  it('rejects a tampered signature', async () => {
    const body = '{}';
    const headers = signedHeaders('POST', path(), body, SECRET);
    const sig = headers[HEADER_SIGNATURE]!;
    headers[HEADER_SIGNATURE] = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const response = await post('health', body, headers);
    expect(response.status).toBe(401);
  });

  it('rejects a replayed request (same nonce twice)', async () => {
    const body = '{}';
    const headers = signedHeaders('POST', path(), body, SECRET);
    expect((await post('health', body, headers)).status).toBe(200);
    const replay = await post('health', body, headers);
    expect(replay.status).toBe(401);
    expect((await json(replay)).error.reason).toBe('REPLAYED_NONCE');
  });

  it('rejects a timestamp outside the window', async () => {
    const body = '{}';
    const headers = signedHeaders('POST', path(), body, SECRET, Date.now() - 10 * 60_000);
    const response = await post('health', body, headers);
    expect(response.status).toBe(401);
    expect((await json(response)).error.reason).toBe('STALE_TIMESTAMP');
    expect(headers[HEADER_TIMESTAMP]).toBeDefined();
  });

  it('reports a wrong secret as a configuration error and an unhealthy source', async () => {
    const wrong = new RemoteConnector({ baseUrl: service.baseUrl, secret: 'not-the-right-secret-at-all', kind: SourceKind.TRAINING, name: 'Training' });
    await expect(wrong.discover([])).rejects.toMatchObject({ code: 'CONFIGURATION' });
    expect((await wrong.health()).healthy).toBe(false);
  });

  it('reports an unreachable endpoint as UNAVAILABLE and keeps a placeholder description', async () => {
    const dead = new RemoteConnector({ baseUrl: 'http://127.0.0.1:1/connector', secret: SECRET, kind: SourceKind.TRAINING, name: 'Training', timeoutMs: 500 });
    await expect(dead.discover([])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(dead.describe()).toMatchObject({ kind: SourceKind.TRAINING, name: 'Training' });
    expect((await dead.health()).healthy).toBe(false);
  });

  it('gives up on a source that accepts the call but never answers, as UNAVAILABLE within the time limit', async () => {
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hung.address() as AddressInfo;
      const client = new RemoteConnector({
        baseUrl: `http://127.0.0.1:${port}/connector`,
        secret: SECRET,
        kind: SourceKind.TRAINING,
        name: 'Training',
        timeoutMs: 300,
      });
      const started = Date.now();
      await expect(client.discover([])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  /** A local service answering every call through `answer`; the client's call must end within `boundMs`. */
  async function againstService(
    answer: (res: ServerResponse) => void,
    run: (client: RemoteConnector) => Promise<unknown>,
    boundMs: number,
    timeoutMs = 300,
    fetchImpl?: typeof fetch,
  ) {
    const server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new RemoteConnector({
        baseUrl: `http://127.0.0.1:${port}/connector`,
        secret: SECRET,
        kind: SourceKind.TRAINING,
        name: 'Training',
        timeoutMs,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
      const started = Date.now();
      const outcome = await Promise.race([
        run(client).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
        new Promise((resolve) => setTimeout(() => resolve({ still: 'running' }), boundMs)),
      ]);
      return { outcome, ms: Date.now() - started };
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('gives up on a source that answers a byte at a time and never finishes, as UNAVAILABLE within the time limit', async () => {
    const timers: NodeJS.Timeout[] = [];
    const { outcome, ms } = await againstService(
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"records": 1');
        timers.push(setInterval(() => res.write(' '), 50));
      },
      (client) => client.recordCount(),
      5000,
    );
    timers.forEach(clearInterval);
    expect(outcome).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(ms).toBeLessThan(2000);
  });

  it('refuses an answer larger than MAX_ANSWER_BYTES as UNAVAILABLE, reading no further', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const { outcome } = await againstService(
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"records": 1');
        // Whitespace without end, as fast as the socket takes it.
        const pump = () => {
          while (!res.destroyed && sent < 4 * MAX_ANSWER_BYTES && res.write(chunk)) sent += chunk.length;
          if (!res.destroyed && sent < 4 * MAX_ANSWER_BYTES) res.once('drain', pump);
          else res.end('}');
        };
        pump();
      },
      (client) => client.recordCount(),
      20_000,
      // Long enough that only the size can end the call.
      60_000,
    );
    expect(outcome).toMatchObject({ error: { code: 'UNAVAILABLE', message: 'remote source unreachable (record-count)' } });
    expect(sent).toBeLessThan(2 * MAX_ANSWER_BYTES);
  });

  it("follows no redirect, through node:http or a caller's fetch: the place it points to (unchecked by the destination policy) gets no request", async () => {
    let reached = 0;
    const elsewhere = createServer((_req, res) => {
      reached++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"records": 1}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/connector/record-count`;
    try {
      for (const fetchImpl of [undefined, globalThis.fetch]) {
        const { outcome } = await againstService(
          (res) => res.writeHead(307, { location: target }).end(),
          (client) => client.recordCount(),
          5000,
          300,
          fetchImpl,
        );
        expect(outcome).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      }
      expect(reached).toBe(0);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('erases and restricts in batches over the wire, one answer per item', async () => {
    const client = new RemoteConnector({ baseUrl: service.baseUrl, secret: SECRET, kind: SourceKind.TRAINING, name: 'Training' });
    const ids = await recordIds(stores.url, 'training', 'LRN-', 3);
    const ref = (recordId: string) => ({ sourceId: 'training', recordId });
    expect(await client.restrictMany([ref(ids[0]!), ref('LRN-none')], true)).toEqual([{ outcome: 'APPLIED' }, { outcome: 'NOT_FOUND' }]);
    const plan = { action: 'ERASE' as const, requestId: 'r1', taskId: 't1' };
    expect(
      await client.eraseMany([
        { ref: ref(ids[1]!), plan },
        { ref: ref(ids[2]!), plan },
      ]),
    ).toEqual([{ outcome: 'APPLIED' }, { outcome: 'APPLIED' }]);
    expect(await client.eraseMany([{ ref: ref(ids[1]!), plan }])).toEqual([{ outcome: 'NOT_FOUND' }]);
  });

  it("keeps to the registration's capabilities when it narrows what the source offers", async () => {
    const narrowed = new RemoteConnector({
      baseUrl: service.baseUrl,
      secret: SECRET,
      kind: SourceKind.TRAINING,
      name: 'Training',
      capabilities: [Capability.DISCOVER, Capability.EXPORT],
    });
    await narrowed.connect();
    expect([...narrowed.capabilities].sort()).toEqual([Capability.DISCOVER, Capability.EXPORT]);
    const full = new RemoteConnector({ baseUrl: service.baseUrl, secret: SECRET, kind: SourceKind.TRAINING, name: 'Training' });
    await full.connect();
    expect(full.capabilities).toContain(Capability.ERASE);
  });

  it('carries coded connector errors across the wire', async () => {
    const client = new RemoteConnector({ baseUrl: service.baseUrl, secret: SECRET, kind: SourceKind.TRAINING, name: 'Training' });
    await client.connect();
    expect(client.describe().name).toBe('Training');
    await expect(client.discover([{ identifiers: [{ type: 'NOPE' as never, value: 'x' }], blockingKeys: [] }])).rejects.toMatchObject({
      code: 'INVALID_IDENTIFIER',
    });
  });
});

// A service run as several instances behind one address: a request replayed to another
// instance must be refused too, so the instances share their nonces in Redis.
describe('replay protection across instances', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let redis: Redis;
  const instances: TrainingService[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const nonces = new RedisNonceStore(redis, `test-nonce-${randomBytes(4).toString('hex')}:`);
    for (let i = 0; i < 2; i++) instances.push(await startTrainingService({ url: stores.url, secret: SECRET, nonces }));
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await redis?.quit();
  });

  const send = (instance: TrainingService, body: string, headers: Record<string, string>) =>
    fetch(`${instance.baseUrl}/health`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses at one instance a request another instance has accepted', async () => {
    const [a, b] = instances as [TrainingService, TrainingService];
    const body = '{}';
    // Both instances are mounted at the same path, as behind one load balancer.
    const headers = signedHeaders('POST', new URL(`${a.baseUrl}/health`).pathname, body, SECRET);
    expect((await send(a, body, headers)).status).toBe(200);
    const replay = await send(b, body, headers);
    expect(replay.status).toBe(401);
    expect((await json(replay)).error.reason).toBe('REPLAYED_NONCE');
    // A new request (new nonce) is accepted by either.
    expect((await send(b, body, signedHeaders('POST', new URL(`${b.baseUrl}/health`).pathname, body, SECRET))).status).toBe(200);
  });

  it('refuses every request while the nonce store cannot be reached (503), rather than risk a replay', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined); // the refused connection is the point of this test
    const service2 = await startTrainingService({ url: stores.url, secret: SECRET, nonces: new RedisNonceStore(down) });
    try {
      const body = '{}';
      const response = await send(service2, body, signedHeaders('POST', new URL(`${service2.baseUrl}/health`).pathname, body, SECRET));
      expect(response.status).toBe(503);
      expect((await json(response)).error.code).toBe('UNAVAILABLE');
    } finally {
      await service2.close();
      down.disconnect();
    }
  });
});
