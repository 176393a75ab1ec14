import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../admin/enums.js';

@ObjectType({ description: 'Who is calling: what a client (the console) needs to show and hide. Never personal data.' })
export class Viewer {
  @Field(() => ID, { description: 'API key id or OIDC subject (the actor in the audit log).' })
  id!: string;

  @Field(() => String, { description: 'api-key or oidc.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'The key name (OIDC: none, no personal data is copied).' })
  name!: string | null;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { description: 'Controllers the caller is bound to; empty when it sees every controller or none (see everyController).' })
  controllerIds!: string[];

  @Field(() => Boolean, { description: 'True when the caller sees every controller; false when only controllerIds (none if empty).' })
  everyController!: boolean;

  @Field(() => [String], { description: 'Permissions the roles grant (see docs/security.md), e.g. request:write.' })
  permissions!: string[];
}
