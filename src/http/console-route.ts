// The handler console: the single-page app built into dist/console, served at /console/.
// Every console response carries a strict Content-Security-Policy: scripts from this origin
// only (never inline), styles from this origin plus the per-response nonce the component
// library puts on the <style> elements it creates. Hashed assets are cached for a year;
// the page itself is never cached, so a new build is picked up at once.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { projectRoot } from '../version.js';
import { oidcOrigin, type ConsoleOidcSettings } from './console-oidc.js';

export const CONSOLE_PATH = '/console';
const NONCE_PLACEHOLDER = '__CSP_NONCE__';

/** `connectOrigin`: the OIDC provider's origin, when the console signs in with OIDC. */
export function consoleContentSecurityPolicy(nonce: string | null, connectOrigin: string | null = null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${connectOrigin ? ` ${connectOrigin}` : ''}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function secure(res: Response, nonce: string | null, connectOrigin: string | null = null): void {
  res.setHeader('Content-Security-Policy', consoleContentSecurityPolicy(nonce, connectOrigin));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

export function consoleRoute(dir = join(projectRoot, 'dist', 'console'), oidc: ConsoleOidcSettings | null = null): Router {
  const router = express.Router();
  const idp = oidcOrigin(oidc);
  const indexFile = join(dir, 'index.html');
  // Read once: the build does not change under a running gateway.
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;

  const sendPage = (res: Response) => {
    const nonce = randomBytes(16).toString('base64');
    secure(res, nonce, idp);
    res.setHeader('Cache-Control', 'no-store');
    if (!page) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build`.');
      return;
    }
    res.status(200).type('html').send(page.replaceAll(NONCE_PLACEHOLDER, nonce));
  };

  // Where OIDC sign-in starts (404 without it): no secret here, the console is a public client.
  router.get(`${CONSOLE_PATH}/oidc.json`, (_req, res) => {
    secure(res, null);
    res.setHeader('Cache-Control', 'no-store');
    if (!oidc) res.status(404).json({ error: 'OIDC sign-in is not configured' });
    else res.json(oidc);
  });
  router.get(CONSOLE_PATH, (req, res, next) => {
    // Routing is not strict: /console/ reaches here too.
    if (req.originalUrl.split('?')[0] !== CONSOLE_PATH) return next();
    secure(res, null);
    res.redirect(301, `${CONSOLE_PATH}/`);
  });
  router.use(
    `${CONSOLE_PATH}/assets`,
    (_req, res, next) => {
      secure(res, null);
      next();
    },
    express.static(join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: false, // a missing hashed asset is a 404, never the page
    }),
  );
  router.use(CONSOLE_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Files at the top of the build (favicon), then the page for every client route.
    const name = req.path.slice(1);
    if (/^[\w-]+(\.[\w-]+)+$/.test(name) && name !== 'index.html' && existsSync(join(dir, name))) {
      secure(res, null);
      res.setHeader('Cache-Control', 'public, max-age=3600');
      return res.sendFile(join(dir, name));
    }
    sendPage(res);
  });
  return router;
}
