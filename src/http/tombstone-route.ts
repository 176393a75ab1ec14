// POST /v1/tombstones/check: the recreation guard for source feeds. A Bearer API key with
// tombstone:check; the same rate limit as GraphQL, a call costing one token per
// TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN identifiers begun; up to 1,000 identifiers per call.
// Body: { people: [{ ref?, identifiers: [{type, value, country?}] }] } or { identifiers: [...] } (one person).
// A phone number without a +prefix is read in its `country`, else the bound sources' (and each they were read in before; each, and the default, when they differ), else the default.
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Services } from '../app/services.js';
import { AuthError, can } from '../auth/index.js';
import { authenticateClient, clientAddress } from './route-access.js';
import { AuditAction } from '../audit/index.js';
import { DomainError } from '../domain/errors.js';
import { checkBudgetOf, checkPeople, checkReadingOf, tombstoneViewerOf } from '../tombstones/tombstone-check.js';

const identifier = z.object({ type: z.string().max(64), value: z.string().max(2048), country: z.string().max(8).optional() });
const body = z.union([
  z.object({ people: z.array(z.object({ ref: z.string().max(200).optional(), identifiers: z.array(identifier) })) }).strict(),
  z.object({ identifiers: z.array(identifier) }).strict(),
]);

const fail = (res: express.Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  res.status(status).json({ error: { code, message, ...extra } });

export function tombstoneRoute(services: Services): Router {
  const router = express.Router();
  router.post('/v1/tombstones/check', express.json({ limit: services.config.HTTP_BODY_LIMIT }), async (req, res) => {
    // Whether people were erased, and by which request: an answer no cache may keep.
    res.setHeader('cache-control', 'no-store');
    try {
      const { principal } = (await authenticateClient(services, clientAddress(req), req.headers.authorization ?? ''))!;
      if (!can(principal, 'tombstone:check')) return fail(res, 403, 'FORBIDDEN', 'This key may not check tombstones');
      const parsed = body.safeParse(req.body);
      if (!parsed.success)
        return fail(res, 400, 'BAD_REQUEST', 'Expected { people: [{ ref?, identifiers: [{ type, value, country? }] }] } or { identifiers: [...] }');
      const people = 'people' in parsed.data ? parsed.data.people : [{ identifiers: parsed.data.identifiers }];
      const reading = await checkReadingOf(principal, services.sources);
      const result = await checkPeople(services.tombstones, people as Parameters<typeof checkPeople>[1], tombstoneViewerOf(principal), {
        reading,
        budget: checkBudgetOf(services, principal),
      });
      await services.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action: AuditAction.TOMBSTONE_CHECK,
        target: { type: 'tombstone' },
        params: { people: people.length, hits: result.people.filter((p) => p.tombstoned).length },
        outcome: 'SUCCESS',
      });
      return res.json('people' in parsed.data ? result : { anyTombstoned: result.anyTombstoned, results: result.people[0]!.results });
    } catch (error) {
      if (error instanceof AuthError) {
        if (error.retryAfterSeconds) res.setHeader('retry-after', String(error.retryAfterSeconds));
        return fail(res, error.code === 'RATE_LIMITED' ? 429 : error.code === 'FORBIDDEN' ? 403 : 401, error.code, error.message);
      }
      if (error instanceof DomainError && error.code === 'TOO_MANY_IDENTIFIERS') return fail(res, 413, error.code, error.message, { max: error.details.max });
      services.logger.error({ err: (error as Error).message }, 'tombstone check failed');
      return fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal error');
    }
  });
  return router;
}
