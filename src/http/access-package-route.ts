// GET /v1/access-packages/:token: the access package, once. The token is single-purpose
// and short-lived; a used or expired link, or a destroyed package, answers 410, a link not
// cleared for the special categories the package holds 403, an unknown one 404, with a coded
// JSON error. Served without credentials: the link itself is the proof, as in the letter.
// HEAD is refused (405) and leaves the link as it was.
import express from 'express';
import { isDomainError } from '../domain/errors.js';
import type { Services } from '../app/services.js';
import { DOWNLOAD_PATH } from '../requests/services/access-package.service.js';
import { clientAddress } from './route-access.js';

const STATUS: Record<string, number> = {
  PACKAGE_NOT_FOUND: 404,
  PACKAGE_LINK_USED: 410,
  PACKAGE_LINK_EXPIRED: 410,
  PACKAGE_DESTROYED: 410,
  SPECIAL_CATEGORY_REQUIRED: 403,
};

export function accessPackageRouter(services: Services): express.Router {
  const router = express.Router();
  // Express answers HEAD with the GET handler, which would use the link up: mail systems and
  // link previews check a link with HEAD before the person clicks it.
  router.head(`${DOWNLOAD_PATH}/:token`, (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('allow', 'GET');
    res.status(405).end();
  });
  router.get(`${DOWNLOAD_PATH}/:token`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    const token = req.params.token ?? '';
    // The link is the credential: guesses from one address count as failed authentications.
    const gate = `address:${clientAddress(req)}`;
    try {
      const open = await services.addressLimiter.peek(gate);
      if (!open.allowed) {
        res.setHeader('retry-after', String(open.retryAfterSeconds));
        res.status(429).json({ error: { code: 'RATE_LIMITED', message: `rate limit exceeded; retry after ${open.retryAfterSeconds} s` } });
        return;
      }
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
        await services.addressLimiter.consume(gate);
        res.status(404).json({ error: { code: 'PACKAGE_NOT_FOUND', message: 'No access package for this link' } });
        return;
      }
      const pkg = await services.requests.packages.download(token);
      res.status(200);
      res.setHeader('content-type', 'application/zip');
      res.setHeader('content-disposition', `attachment; filename="${pkg.fileName}"`);
      res.setHeader('x-content-sha256', pkg.sha256);
      res.end(pkg.bytes);
    } catch (error) {
      if (isDomainError(error) && STATUS[error.code]) {
        if (error.code === 'PACKAGE_NOT_FOUND') await services.addressLimiter.consume(gate);
        res.status(STATUS[error.code]!).json({ error: { code: error.code, message: error.message } });
        return;
      }
      services.logger.error({ err: (error as Error).message }, 'access package download failed');
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' } });
    }
  });
  return router;
}
