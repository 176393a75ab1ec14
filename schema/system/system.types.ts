import { Field, ObjectType } from 'type-graphql';

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
