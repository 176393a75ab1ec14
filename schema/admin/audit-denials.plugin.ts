// Records every refused operation (FORBIDDEN) in the audit log with outcome DENIED: who
// tried, which root field (action `graphql.<field>`), never the arguments. One entry per
// refused root field per request, so a query failing on many nested fields is one entry.
// Anonymous refusals (UNAUTHENTICATED) are not recorded: there is no actor, and anyone
// could flood the log with them.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { AuditOutcome, REFUSED_OPERATION_PREFIX } from '../../src/audit/index.js';
import { isDomainError } from '../../src/domain/errors.js';
import { soleControllerOf } from '../../src/auth/index.js';
import type { GraphQLContext } from '../context.js';

export const DENIED_ACTION_PREFIX = REFUSED_OPERATION_PREFIX;

function codeOf(error: GraphQLError): unknown {
  const original = error.originalError;
  if (isDomainError(original)) return original.code;
  return error.extensions?.code;
}

/** Root fields refused with FORBIDDEN in one response (by the first path segment). */
export function forbiddenRootFields(errors: readonly GraphQLError[]): string[] {
  const fields = new Set<string>();
  for (const error of errors) {
    const root = error.path?.[0];
    if (codeOf(error) === 'FORBIDDEN' && typeof root === 'string') fields.add(root);
  }
  return [...fields];
}

export function auditDenialsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operation }) {
          const principal = contextValue.principal;
          if (!principal) return;
          const fields = forbiddenRootFields(errors);
          if (fields.length === 0) return;
          const kind = operation?.operation ?? 'query';
          for (const field of fields) {
            try {
              await contextValue.services.audit.record({
                actor: { id: principal.id, kind: principal.kind },
                action: `${DENIED_ACTION_PREFIX}${field}`,
                target: { type: `graphql-${kind}`, id: field },
                outcome: AuditOutcome.DENIED,
                controllerId: soleControllerOf(principal),
              });
            } catch (error) {
              // The refusal stands whatever happens here; the failure to record it is logged.
              contextValue.services.logger.error({ err: error, field }, 'could not record a refused operation');
            }
          }
        },
      };
    },
  };
}
