import { Field, ID, ObjectType } from 'type-graphql';
import { IdentifierType } from '../../src/domain/vocabulary.js';

@ObjectType({ description: 'Whether one identifier belongs to an erased person (R10), and which erasure request says so.' })
export class TombstoneHit {
  @Field(() => IdentifierType)
  type!: IdentifierType;

  @Field(() => Boolean)
  tombstoned!: boolean;

  @Field(() => ID, { nullable: true, description: "The erasure request; null when not tombstoned, or when the request is outside the caller's controllers." })
  requestId!: string | null;
}

@ObjectType({ description: 'The recreation guard: answer per identifier, in the order asked.' })
export class TombstoneCheck {
  @Field(() => Boolean)
  anyTombstoned!: boolean;

  @Field(() => [TombstoneHit])
  results!: TombstoneHit[];
}
