// Headers every response of the gateway carries. The queue board is a page a browser keeps
// HTTP Basic credentials for: framed by another site, its buttons (retry, clean, pause a
// queue) could be clicked by someone who meant to click something else, and Fetch Metadata
// would call those clicks same-origin. So no page of the gateway may be framed, no
// response is sniffed as another type, and no address leaves in a Referer. The console
// replaces the policy with its full one (console-route.ts), which forbids framing too.
import type { RequestHandler } from 'express';

export const BASELINE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(BASELINE_HEADERS)) res.setHeader(name, value);
    next();
  };
}
