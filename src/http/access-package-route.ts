// Access-package downloads. The link a handler sends is `/v1/access-packages/open#<token>`:
// a GET opens a page (access-package-page.ts) that consumes nothing and never sees the
// token, so a mail scanner or link preview that fetches it, or a proxy that logs it, leaves
// the link usable and learns nothing. The download is
//   POST /v1/access-packages/download   {"token": "<token>"}   (application/json)
// and serves the package once. A used or expired link, or a destroyed package, answers 410,
// a link not cleared for the special categories the package holds 403, an unknown one 404,
// with a coded JSON error. Served without credentials: the token is the proof, as in the
// letter. Links issued with the token in the path (GET /v1/access-packages/<token>) open
// the same page, which posts that token: a GET never downloads.
import express from 'express';
import { isDomainError } from '../domain/errors.js';
import type { Services } from '../app/services.js';
import { DOWNLOAD_PATH, LINK_PAGE_PATH } from '../requests/services/access-package.service.js';
import { clientAddress } from './route-access.js';
import { PAGE_CONTENT_SECURITY_POLICY, PAGE_HTML, PAGE_SCRIPT, PAGE_SCRIPT_NAME } from './access-package-page.js';

const STATUS: Record<string, number> = {
  PACKAGE_NOT_FOUND: 404,
  PACKAGE_LINK_USED: 410,
  PACKAGE_LINK_EXPIRED: 410,
  PACKAGE_DESTROYED: 410,
  SPECIAL_CATEGORY_REQUIRED: 403,
};

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export function accessPackageRouter(services: Services): express.Router {
  const router = express.Router();

  const sendPage: express.RequestHandler = (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-security-policy', PAGE_CONTENT_SECURITY_POLICY);
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('x-robots-tag', 'noindex, nofollow');
    res.status(200).type('html').send(PAGE_HTML);
  };
  router.get(`${DOWNLOAD_PATH}/${PAGE_SCRIPT_NAME}`, (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.status(200).type('text/javascript').send(PAGE_SCRIPT);
  });
  router.get(LINK_PAGE_PATH, sendPage);
  // A link issued with the token in the path: the same page, and nothing looked up, so a
  // fetch of it neither uses the link nor tells whether the token exists.
  router.get(`${DOWNLOAD_PATH}/:token`, (req, res, next) => (TOKEN.test(req.params.token ?? '') ? sendPage(req, res, next) : next()));

  const readJson = express.json({ limit: '1kb' });
  const badRequest = (res: express.Response) =>
    res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'Send the link\'s token as JSON: {"token": "…"}' } });
  router.post(`${DOWNLOAD_PATH}/download`, (req, res, next) => readJson(req, res, (err?: unknown) => (err ? badRequest(res) : next())));
  router.post(`${DOWNLOAD_PATH}/download`, async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const body: unknown = req.body;
    if (!req.is('application/json') || typeof body !== 'object' || body === null || typeof (body as { token?: unknown }).token !== 'string') {
      badRequest(res);
      return;
    }
    const token = (body as { token: string }).token;
    // The token is the credential: guesses from one address count as failed authentications.
    const gate = `address:${clientAddress(req)}`;
    try {
      const open = await services.addressLimiter.peek(gate);
      if (!open.allowed) {
        res.setHeader('retry-after', String(open.retryAfterSeconds));
        res.status(429).json({ error: { code: 'RATE_LIMITED', message: `rate limit exceeded; retry after ${open.retryAfterSeconds} s` } });
        return;
      }
      if (!TOKEN.test(token)) {
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
