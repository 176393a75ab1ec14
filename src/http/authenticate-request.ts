import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { AuthError, type Principal } from '../auth/index.js';
import type { Services } from '../app/services.js';
import { authenticateClient, clientAddress } from './route-access.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

/**
 * Who is calling. No Authorization header: null (every field then refuses with
 * UNAUTHENTICATED), counted against the client address like a failed credential. A bad
 * or revoked credential, a key over its rate, or an address over its limit of calls that
 * do not authenticate stops the whole request with a coded error and the matching HTTP status.
 */
export async function authenticateRequest(services: Services, req: Request, res: Response): Promise<Principal | null> {
  const authorization = req.headers.authorization;
  try {
    const principal = await authenticateClient(services, clientAddress(req), authorization || null);
    if (!principal) return null;
    res.setHeader('RateLimit-Limit', String(principal.decision.limit));
    res.setHeader('RateLimit-Remaining', String(principal.decision.remaining));
    return principal.principal;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const headers = new Map<string, string>();
    if (error.retryAfterSeconds) headers.set('retry-after', String(error.retryAfterSeconds));
    throw new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
        http: { status: STATUS[error.code] ?? 400, headers },
      },
    });
  }
}
