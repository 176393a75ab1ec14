// The server side of the remote protocol: an express 5 Router exposing one connector.
// Every call is a signed POST with a JSON body; the signature is checked on the raw bytes
// before anything is parsed. Mount it where the team likes: app.use('/connector', router).
import express, { type Request, type Response, type Router } from 'express';
import { ConnectorError, type Connector, type ErasureItem, type RecordRef } from '../contract.js';
import { HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, NonceCache, verify, type NonceStore } from './signing.js';

export interface ConnectorRouterOptions {
  secret: string;
  /** How far a request's timestamp may be from the server's clock (default 5 minutes). */
  windowMs?: number;
  bodyLimit?: string;
  now?: () => number;
  /** Where accepted nonces are kept (default: this process's memory; one instance only). */
  nonces?: NonceStore;
}

const STORE_UNAVAILABLE = Symbol('nonce store unavailable');

const STATUS: Record<string, number> = {
  INVALID_IDENTIFIER: 400,
  NOT_SUPPORTED: 501,
  CONFIGURATION: 500,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

type Handler = (connector: Connector, body: Record<string, unknown>) => Promise<unknown>;

const OPERATIONS: Record<string, Handler> = {
  describe: async (c) => ({ description: c.describe(), kind: c.kind, capabilities: c.capabilities, identifierTypes: c.identifierTypes }),
  discover: async (c, b) => ({ answers: await c.discover(b.queries as never) }),
  'record-count': async (c) => {
    if (!c.recordCount) throw new ConnectorError('NOT_SUPPORTED', 'this connector does not count its records');
    return { records: await c.recordCount() };
  },
  'name-frequencies': async (c, b) => {
    if (!c.nameFrequencies) throw new ConnectorError('NOT_SUPPORTED', 'this connector does not count its names');
    if (typeof b.limit !== 'number') throw new ConnectorError('INVALID_IDENTIFIER', 'name-frequencies needs a numeric limit');
    return c.nameFrequencies(b.limit);
  },
  // R9: records past retention, cursor-paged; the date travels as ISO 8601.
  'list-expired': async (c, b) => {
    if (!c.listExpired) throw new ConnectorError('NOT_SUPPORTED', 'this connector cannot list its records past retention');
    const asOf = new Date(String(b.asOf));
    if (Number.isNaN(asOf.getTime()) || typeof b.limit !== 'number')
      throw new ConnectorError('INVALID_IDENTIFIER', 'list-expired needs asOf (ISO 8601) and a numeric limit');
    return c.listExpired(asOf, b.limit, typeof b.after === 'string' ? b.after : undefined);
  },
  export: async (c, b) => ({ records: await c.export(asArray(b.refs)) }),
  correct: async (c, b) => ({ result: await c.correct(b.ref as never, asArray(b.changes)) }),
  erase: async (c, b) => ({ result: await c.erase(b.ref as never, b.plan as never) }),
  restrict: async (c, b) => ({ result: await c.restrict(b.ref as never, b.on === true) }),
  // Batches: the connector's own batched form where it has one, otherwise one call per item.
  'erase-many': async (c, b) => {
    const items = asArray<ErasureItem>(b.items);
    return { results: c.eraseMany ? await c.eraseMany(items) : await sequentially(items, (i) => c.erase(i.ref, i.plan)) };
  },
  'restrict-many': async (c, b) => {
    const refs = asArray<RecordRef>(b.refs);
    const on = b.on === true;
    return { results: c.restrictMany ? await c.restrictMany(refs, on) : await sequentially(refs, (r) => c.restrict(r, on)) };
  },
  health: async (c) => ({ health: await c.health() }),
};

async function sequentially<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await run(item));
  return out;
}

function asArray<T>(value: unknown): T[] {
  if (!Array.isArray(value)) throw new ConnectorError('INVALID_IDENTIFIER', 'expected an array');
  return value as T[];
}

export function createConnectorRouter(connector: Connector, options: ConnectorRouterOptions): Router {
  if (!options.secret || options.secret.length < 16) throw new ConnectorError('CONFIGURATION', 'the shared secret must be at least 16 characters');
  const windowMs = options.windowMs ?? 300_000;
  const now = options.now ?? Date.now;
  const nonces = options.nonces ?? new NonceCache();
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: options.bodyLimit ?? '2mb' }));

  router.post('/:operation', async (req: Request, res: Response) => {
    const operation = OPERATIONS[String(req.params.operation)];
    if (!operation) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'unknown operation' } });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signed = {
      method: req.method,
      path: req.originalUrl.split('?')[0]!,
      timestamp: req.get(HEADER_TIMESTAMP),
      nonce: req.get(HEADER_NONCE),
      signature: req.get(HEADER_SIGNATURE),
      body,
    };
    // A nonce store that cannot be reached: refuse rather than risk accepting a replay.
    const failure = await verify(signed, options.secret, nonces, windowMs, now()).catch(() => STORE_UNAVAILABLE);
    if (failure === STORE_UNAVAILABLE) {
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: 'replay protection unavailable' } });
      return;
    }
    if (failure) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', reason: failure } });
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      res.status(400).json({ error: { code: 'INVALID_IDENTIFIER', message: 'body is not JSON' } });
      return;
    }
    try {
      res.json(await operation(connector, parsed));
    } catch (error) {
      if (error instanceof ConnectorError) {
        res.status(STATUS[error.code] ?? 500).json({ error: { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs } });
      } else {
        // Internal details (and any data in them) stay on this side.
        res.status(500).json({ error: { code: 'INTERNAL', message: 'connector failed' } });
      }
    }
  });
  return router;
}
