// Bull Board at /admin/queues, for ADMIN keys only: Bearer, or HTTP Basic with the key as
// password (a browser then sends it with every request the board's page makes). The board
// lists the gateway's queues: requests, schedules, system and one task queue per source.
import express, { type Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Services } from '../app/services.js';
import { Role } from '../auth/roles.js';
import { AuthError, enforceRateLimit } from '../auth/index.js';
import { QueueNames } from '../../jobs/queue-names.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export function queueBoardRoute(services: Services): Router {
  const router = express.Router();
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- @bull-board/express and /api ship separate type copies
  const board = createBullBoard({ queues: [], serverAdapter: serverAdapter as any });
  const shown = new Set<string>();
  const refresh = async () => {
    const names = [QueueNames.requests, QueueNames.schedules, QueueNames.system, ...(await services.sources.list()).map((s) => QueueNames.sourceTasks(s.id))];
    for (const name of names) {
      if (shown.has(name)) continue;
      shown.add(name);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the adapter accepts either backend's Queue
      board.addQueue(new BullMQAdapter(services.execution.queue(name) as any));
    }
  };
  router.use(QUEUE_BOARD_PATH, async (req, res, next) => {
    let principal;
    try {
      principal = await services.authenticator.authenticate(bearerOf(req.headers.authorization));
      await enforceRateLimit(services.rateLimiter, `${principal.kind}:${principal.id}`);
    } catch (error) {
      if (!(error instanceof AuthError)) return next(error);
      if (error.code === 'RATE_LIMITED') return res.status(429).json({ error: { code: error.code, message: error.message } });
      // A browser asks for the key (as the password) and then sends it with every request the board makes.
      res.setHeader('www-authenticate', 'Basic realm="DSR Gateway queues", charset="UTF-8"');
      return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'A key with the ADMIN role is required (Bearer, or Basic with the key as password)' } });
    }
    if (!principal.roles.includes(Role.ADMIN)) return res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Administrators only' } });
    try {
      await refresh();
    } catch (error) {
      return next(error);
    }
    return next();
  });
  router.use(QUEUE_BOARD_PATH, serverAdapter.getRouter());
  return router;
}

/** Bearer as sent; Basic (any user name, the API key as password) as a Bearer credential. */
export function bearerOf(authorization: string | undefined): string {
  const [scheme, value] = (authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !value) return authorization ?? '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : `Bearer ${decoded.slice(colon + 1)}`;
}
