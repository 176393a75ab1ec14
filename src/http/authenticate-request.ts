import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { AuthError, enforceRateLimit, type Principal } from '../auth/index.js';
import type { Services } from '../app/services.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

/**
 * Who is calling. No Authorization header: null (every field then refuses with
 * UNAUTHENTICATED). A bad or revoked credential, or a key over its rate, stops the
 * whole request with a coded error and the matching HTTP status.
 */
export async function authenticateRequest(
  services: Services,
  authorization: string | undefined,
  res: Response,
): Promise<Principal | null> {
  if (!authorization) return null;
  try {
    const principal = await services.authenticator.authenticate(authorization);
    const decision = await enforceRateLimit(services.rateLimiter, `${principal.kind}:${principal.id}`);
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    return principal;
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
