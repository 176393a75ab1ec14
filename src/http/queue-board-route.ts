// Bull Board at /admin/queues, for ADMIN keys bound to no controller (permission queue:board;
// the board shows and acts on every controller's jobs): Bearer, or
// HTTP Basic with the key as password (a browser then sends it with every request the
// board's page makes). Writes must be JSON from the board's own origin
// (src/http/cross-site.ts), so another site cannot use those remembered credentials. The
// board lists the gateway's queues: requests, schedules, system and one task queue per source.
import express, { type Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Services } from '../app/services.js';
import { principalWith } from './route-access.js';
import { crossSiteWriteRefusal } from './cross-site.js';
import { allQueueNames } from '../../jobs/queue-names.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export function queueBoardRoute(services: Services): Router {
  const router = express.Router();
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- @bull-board/express and /api ship separate type copies
  const bullBoard = createBullBoard({ queues: [], serverAdapter: serverAdapter as any });
  const shown = new Set<string>();
  const refresh = async () => {
    const names = allQueueNames((await services.sources.list()).map((s) => s.id));
    for (const name of names) {
      if (shown.has(name)) continue;
      shown.add(name);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the adapter accepts either backend's Queue
      bullBoard.addQueue(new BullMQAdapter(services.execution.queue(name) as any));
    }
  };
  const board = serverAdapter.getRouter() as express.Express;
  board.disable('x-powered-by'); // the board is an express app of its own
  router.use(QUEUE_BOARD_PATH, async (req, res, next) => {
    // Browsers resend Basic credentials by themselves: refuse writes another site could make.
    const crossSite = crossSiteWriteRefusal(req.method, req.headers);
    if (crossSite) return void res.status(403).json({ error: { code: 'CROSS_SITE_REFUSED', message: crossSite } });
    try {
      if (!(await principalWith(services, req, res, 'queue:board', 'DSR Gateway queues', { everyController: true }))) return;
      await refresh();
    } catch (error) {
      return next(error);
    }
    return next();
  });
  router.use(QUEUE_BOARD_PATH, board);
  return router;
}
