// GET /v1/reports/requests.csv|json?from=…&to=…: the request report as a download, for
// keys with governance:read. Dates only in the URL: a report holds no personal data.
import express, { type Router } from 'express';
import type { Services } from '../app/services.js';
import { AuthError } from '../auth/index.js';
import { DomainError } from '../domain/errors.js';
import { requestReport } from '../governance/request-report.service.js';
import { requestReportCsv } from '../governance/request-report-csv.js';
import { principalWith } from './route-access.js';
import { sendDownload, type DownloadFormat } from './download.js';

const dateOf = (v: unknown): Date | null => {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

export function reportRoute(services: Services): Router {
  const router = express.Router();
  router.get(/^\/v1\/reports\/requests\.(json|csv)$/, async (req, res) => {
    try {
      const principal = await principalWith(services, req, res, 'governance:read', 'DSR Gateway reports');
      if (!principal) return;
      const from = dateOf(req.query.from);
      const to = dateOf(req.query.to);
      if (!from || !to)
        return res.status(400).json({ error: { code: 'INVALID_REPORT_PERIOD', message: 'from and to are required, as ISO 8601 dates (to is exclusive)' } });
      const report = await requestReport(services.stores, principal, { from, to });
      const name = `request-report-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}`;
      return sendDownload(res, { name, format: req.params[0] as DownloadFormat, csv: () => requestReportCsv(report), json: () => report });
    } catch (error) {
      if (error instanceof AuthError) return res.status(403).json({ error: { code: error.code, message: error.message } });
      if (error instanceof DomainError) return res.status(400).json({ error: { code: error.code, message: error.message } });
      services.logger.error({ err: (error as Error).message }, 'request report failed');
      return res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' } });
    }
  });
  return router;
}
