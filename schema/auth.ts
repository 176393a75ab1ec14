// Authorisation for every query, mutation and field. Resolvers and object-type fields
// declare the permission they need with @Authorized('permission'); the checker below
// enforces it with the permission table in src/auth/permissions.ts. Every resolver class
// also runs RequireCredentials (schema/build-schema.ts), so a root field without a
// declared permission still refuses anonymous callers; the role matrix test runs every
// operation with every role and without credentials.
import type { AuthChecker, MiddlewareFn } from 'type-graphql';
import { ALL_PERMISSIONS, assertAuthenticated, assertCan, type Permission } from '../src/auth/index.js';
import type { GraphQLContext } from './context.js';

export const authChecker: AuthChecker<GraphQLContext, Permission> = ({ context }, permissions) => {
  assertAuthenticated(context.principal);
  for (const permission of permissions) {
    if (!ALL_PERMISSIONS.includes(permission)) throw new Error(`unknown permission ${permission} in a resolver`);
    assertCan(context.principal, permission);
  }
  return true;
};

/** Root fields need credentials, whatever their own declaration says. */
export const RequireCredentials: MiddlewareFn<GraphQLContext> = async ({ context, info }, next) => {
  if (info.parentType.name === 'Query' || info.parentType.name === 'Mutation') assertAuthenticated(context.principal);
  return next();
};
