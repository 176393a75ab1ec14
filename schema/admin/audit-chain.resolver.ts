// The audit chain's verification state for auditors: the same walk as `npm run
// audit:verify` (without signed checkpoints, which live outside the database).
import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { AuditAction, AuditOutcome, verifyAuditChain } from '../../src/audit/index.js';
import { forbidden, isUnscoped } from '../../src/auth/index.js';
import type { GraphQLContext } from '../context.js';
import { AuditChainVerification } from './audit-chain.types.js';

@Resolver()
export class AuditChainResolver {
  @Authorized('audit:read')
  @Query(() => AuditChainVerification, {
    description:
      'Verifies the whole audit hash chain now (reads every entry: run it on demand, not per page). Checking against signed checkpoints stays with `npm run audit:verify --checkpoint`. Audited (audit.verify). Only for an auditor bound to no controller (FORBIDDEN otherwise): the chain holds every controller’s entries.',
  })
  async auditChainVerification(@Ctx() ctx: GraphQLContext): Promise<AuditChainVerification> {
    const principal = ctx.principal!;
    // The chain is one for every controller: its count and the places it breaks speak of
    // entries a bound auditor may not read, so only an unbound one may verify it (as retention).
    if (!isUnscoped(principal)) throw forbidden('the audit chain covers every controller; this key is bound to some');
    const result = await verifyAuditChain(ctx.services.dataSource);
    await ctx.services.audit.record({
      actor: { id: principal.id, kind: principal.kind },
      action: AuditAction.AUDIT_VERIFY,
      target: { type: 'audit-log' },
      params: { ok: result.ok, checked: result.checked },
      outcome: AuditOutcome.SUCCESS,
    });
    return { ok: result.ok, checked: result.checked, breaks: result.breaks, verifiedAt: new Date() };
  }
}
