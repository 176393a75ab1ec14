import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { assertAuthenticated, controllerScope, isUnscoped, permissionsOf } from '../../src/auth/index.js';
import type { GraphQLContext } from '../context.js';
import { Viewer } from './viewer.types.js';

@Resolver()
export class ViewerResolver {
  // Any credentials: every caller may know its own roles (the API still enforces them).
  @Authorized()
  @Query(() => Viewer, { description: 'The caller: id, roles, controller binding and the permissions they grant.' })
  me(@Ctx() ctx: GraphQLContext): Viewer {
    const principal = ctx.principal;
    assertAuthenticated(principal);
    return {
      id: principal.id,
      kind: principal.kind,
      name: principal.name ?? null,
      roles: [...principal.roles],
      controllerIds: [...(controllerScope(principal) ?? [])],
      everyController: isUnscoped(principal),
      permissions: permissionsOf(principal),
    };
  }
}
