import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars.js';
import { Role } from './enums.js';

@ObjectType({ description: 'An API key as administrators see it: never the secret or its hash.' })
export class ApiKeyInfo {
  @Field(() => ID, { description: 'Public key id, also the prefix of the clear key (dsr_<id>_...).' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { description: 'Controllers the key is bound to; empty means every controller.' })
  controllerIds!: string[];

  @Field(() => [String], { description: 'Sources a CONNECTOR key owns.' })
  sourceIds!: string[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'Key id (or cli/bootstrap) that created it.' })
  createdBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last use, to the minute.' })
  lastUsedAt!: Date | null;
}

@ObjectType({ description: 'A new key. The clear key is shown here once and never again.' })
export class CreatedApiKey {
  @Field(() => ApiKeyInfo)
  key!: ApiKeyInfo;

  @Field(() => String, { description: 'dsr_<id>_<secret>: send as Authorization: Bearer <clearKey>.' })
  clearKey!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: '1-200 printable characters, e.g. who holds the key.' })
  name!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { nullable: true, description: 'Bind to these controllers; absent or empty = every controller.' })
  controllerIds?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Sources a CONNECTOR key owns from the start.' })
  sourceIds?: string[] | null;
}
