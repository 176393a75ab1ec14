// Who may use the HTTP routes outside GraphQL that serve operators (the queue board,
// metrics): a key as Bearer, or HTTP Basic with the key as password (browsers and
// Prometheus' basic_auth both send that). Works on plain node responses and express ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../app/services.js';
import { AuthError, can, enforceRateLimit, type Permission, type Principal } from '../auth/index.js';

/** Bearer as sent; Basic (any user name, the API key as password) as a Bearer credential. */
export function bearerOf(authorization: string | undefined): string {
  const [scheme, value] = (authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !value) return authorization ?? '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : `Bearer ${decoded.slice(colon + 1)}`;
}

function refuse(res: ServerResponse, status: number, code: string, message: string): null {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: { code, message } }));
  return null;
}

/**
 * The caller's principal if it holds `permission`; otherwise the refusal is sent (401
 * with a Basic challenge for `realm`, 403, or 429) and the answer is null.
 */
export async function principalWith(
  services: Pick<Services, 'authenticator' | 'rateLimiter'>,
  req: IncomingMessage,
  res: ServerResponse,
  permission: Permission,
  realm: string,
): Promise<Principal | null> {
  let principal: Principal;
  try {
    principal = await services.authenticator.authenticate(bearerOf(req.headers.authorization));
    await enforceRateLimit(services.rateLimiter, `${principal.kind}:${principal.id}`);
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
  return principal;
}
