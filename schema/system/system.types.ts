import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Reachability of what the gateway depends on.' })
export class HealthStatus {
  @Field(() => Boolean)
  ready!: boolean;

  @Field(() => Boolean)
  database!: boolean;

  @Field(() => Boolean)
  queue!: boolean;

  @Field(() => String, { description: 'Queue backend in use: redis or postgres.' })
  queueBackend!: string;
}

@ObjectType({ description: 'A ping job that went through the queue and was answered by a worker.' })
export class WorkerPing {
  @Field(() => String)
  correlationId!: string;

  @Field(() => Int, { description: 'Process id of the worker that ran the job.' })
  handledBy!: number;

  @Field(() => Float)
  roundTripMs!: number;
}
