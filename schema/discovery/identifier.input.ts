import { Field, InputType } from 'type-graphql';
import { IdentifierType } from '../../src/domain/vocabulary.js';

/** One thing known about a person. Shared by `subject`, `submitRequest` and `tombstoneCheck`. */
@InputType({ description: 'One thing known about a person: its type and the value as given (normalised by the gateway).' })
export class IdentifierInput {
  @Field(() => IdentifierType)
  type!: IdentifierType;

  @Field(() => String)
  value!: string;
}
