// Who may use the HTTP routes outside GraphQL that serve operators (the queue board,
// metrics): a key as Bearer, or HTTP Basic with the key as password (browsers and
// Prometheus' basic_auth both send that). Works on plain node responses and express ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../app/services.js';
import {
  AuthError,
  authenticateBehindAddressGate,
  can,
  isUnscoped,
  rateLimited,
  type Permission,
  type Principal,
  type RateLimitDecision,
} from '../auth/index.js';

/** Bearer as sent; Basic (any user name, the API key as password) as a Bearer credential. */
export function bearerOf(authorization: string | undefined): string {
  const [scheme, value] = (authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !value) return authorization ?? '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : `Bearer ${decoded.slice(colon + 1)}`;
}

/**
 * The caller's address: the socket's peer, or with TRUST_PROXY the address the trusted
 * proxies report (express computes `req.ip` from X-Forwarded-For only for proxies it trusts).
 */
export function clientAddress(req: IncomingMessage & { ip?: string }): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Authenticates `authorization` from `address` behind the per-address gate (see
 * authenticateBehindAddressGate). `null` authorization: an anonymous call, which counts
 * against the address and answers null (or RATE_LIMITED once the address is over its limit).
 */
export async function authenticateClient(
  services: Pick<Services, 'authenticator' | 'rateLimiter' | 'addressLimiter'>,
  address: string,
  authorization: string | null,
): Promise<{ principal: Principal; decision: RateLimitDecision } | null> {
  if (authorization === null) {
    const spent = await services.addressLimiter.consume(`address:${address}`);
    if (!spent.allowed) throw rateLimited(spent.retryAfterSeconds);
    return null;
  }
  return authenticateBehindAddressGate(services, address, () => services.authenticator.authenticate(authorization));
}

function refuse(res: ServerResponse, status: number, code: string, message: string): null {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: { code, message } }));
  return null;
}

/**
 * The caller's principal if it holds `permission`; otherwise the refusal is sent (401
 * with a Basic challenge for `realm`, 403, or 429) and the answer is null. With
 * `everyController`, a key bound to controllers is refused too (403): the route shows or
 * acts on every controller's data (queue depths, task totals, jobs), as the request report does.
 */
export async function principalWith(
  services: Pick<Services, 'authenticator' | 'rateLimiter' | 'addressLimiter'>,
  req: IncomingMessage,
  res: ServerResponse,
  permission: Permission,
  realm: string,
  options: { everyController?: boolean } = {},
): Promise<Principal | null> {
  let principal: Principal;
  try {
    principal = (await authenticateClient(services, clientAddress(req), bearerOf(req.headers.authorization)))!.principal;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.code === 'RATE_LIMITED') {
      if (error.retryAfterSeconds) res.setHeader('retry-after', String(error.retryAfterSeconds));
      return refuse(res, 429, error.code, error.message);
    }
    res.setHeader('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    return refuse(res, 401, 'UNAUTHENTICATED', 'A key is required (Bearer, or Basic with the key as password)');
  }
  if (!can(principal, permission)) return refuse(res, 403, 'FORBIDDEN', `This key lacks ${permission}`);
  if (options.everyController && !isUnscoped(principal)) return refuse(res, 403, 'FORBIDDEN', 'This route covers every controller; this key is bound to some');
  return principal;
}
