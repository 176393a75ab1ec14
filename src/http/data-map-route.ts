// GET /v1/data-map.json and /v1/data-map.csv: the record of processing (Art. 30) as a
// download, for keys with governance:read. The same map as the `dataMap` query.
import express, { type Router } from 'express';
import type { Services } from '../app/services.js';
import { currentDataMap } from '../governance/data-map.service.js';
import { dataMapCsv } from '../governance/data-map-csv.js';
import { principalWith } from './route-access.js';
import { sendDownload, type DownloadFormat } from './download.js';

export function dataMapRoute(services: Services): Router {
  const router = express.Router();
  router.get(/^\/v1\/data-map\.(json|csv)$/, async (req, res) => {
    try {
      const principal = await principalWith(services, req, res, 'governance:read', 'DSR Gateway data map');
      if (!principal) return;
      const map = await currentDataMap(services.sources, principal);
      const name = `data-map-${map.generatedAt.toISOString().slice(0, 10)}`;
      return sendDownload(res, { name, format: req.params[0] as DownloadFormat, csv: () => dataMapCsv(map), json: () => map });
    } catch (error) {
      services.logger.error({ err: (error as Error).message }, 'data map failed');
      return res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' } });
    }
  });
  return router;
}
