import { Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { version } from '../../src/version.js';
import { pingWorkers } from '../../jobs/system/ping-workers.js';
import { codedError } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { HealthStatus, WorkerPing } from './system.types.js';

@Resolver()
export class SystemResolver {
  @Authorized()
  @Query(() => String, { description: 'The gateway version.' })
  version(): string {
    return version;
  }

  @Authorized()
  @Query(() => HealthStatus, { description: 'Whether the database and queue backend are reachable.' })
  async health(@Ctx() ctx: GraphQLContext): Promise<HealthStatus> {
    return ctx.services.readiness();
  }

  @Authorized('queue:operate')
  @Mutation(() => WorkerPing, {
    description: 'Sends a ping job through the queue and waits up to 10 s for a worker to answer.',
  })
  async pingWorkers(@Ctx() ctx: GraphQLContext): Promise<WorkerPing> {
    try {
      return await pingWorkers(ctx.services.queues, 10_000);
    } catch {
      throw codedError('WORKERS_UNAVAILABLE', 'No worker answered the ping within 10 s');
    }
  }
}
