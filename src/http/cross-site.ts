// Cross-site write protection for routes a browser uses with remembered credentials (the
// queue board: HTTP Basic, which the browser resends by itself). A page on another site
// can make the browser send a form or a `text/plain` POST without asking anyone; it
// cannot send a JSON body or another method without a CORS preflight, which these routes
// never grant. So a write must be JSON, and a browser that tells us where the request
// comes from (Fetch Metadata, or Origin) must say it comes from this origin.
import type { IncomingHttpHeaders } from 'node:http';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a write must be refused as possibly cross-site, or null when it may go on. */
export function crossSiteWriteRefusal(method: string, headers: IncomingHttpHeaders): string | null {
  if (READS.has(method.toUpperCase())) return null;
  const site = headerOf(headers, 'sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return 'cross-site writes are refused';
  const origin = headerOf(headers, 'origin');
  if (!site && origin && !sameHost(origin, headerOf(headers, 'host'))) return 'cross-site writes are refused';
  // A form or text/plain body needs no preflight; JSON does. A bodiless POST is a simple request too.
  const type = (headerOf(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const hasBody = method.toUpperCase() === 'POST' || Number(headerOf(headers, 'content-length') ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
  if (hasBody && type !== 'application/json') return 'writes must be sent as application/json';
  return null;
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (origin === 'null' || !host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
