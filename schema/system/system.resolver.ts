import { Ctx, Query, Resolver } from 'type-graphql';
import { version } from '../../src/version.js';
import type { GraphQLContext } from '../context.js';
import { HealthStatus } from './system.types.js';

@Resolver()
export class SystemResolver {
  @Query(() => String, { description: 'The gateway version.' })
  version(): string {
    return version;
  }

  @Query(() => HealthStatus, { description: 'Whether the database and queue backend are reachable.' })
  async health(@Ctx() ctx: GraphQLContext): Promise<HealthStatus> {
    return ctx.services.readiness();
  }
}
