import { Field, InputType } from 'type-graphql';
import { IdentifierType } from '../../src/domain/vocabulary.js';

/** One thing known about a person. Shared by `subject`, `submitRequest` and `tombstoneCheck`. */
@InputType({ description: 'One thing known about a person: its type and the value as given (normalised by the gateway).' })
export class IdentifierInput {
  @Field(() => IdentifierType)
  type!: IdentifierType;

  @Field(() => String)
  value!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'PHONE only: the ISO 3166 alpha-2 country (e.g. "FR", in any case: "fr" is FR) a number written without a +prefix was written in; not read on other identifiers nor on +prefixed numbers. ' +
      "Absent: for a tombstone check by a key bound to sources, their phone country when they share one, else the deployment's DSR_DEFAULT_PHONE_COUNTRY and each of theirs, and also each country they were read in before their registration changed it; otherwise DSR_DEFAULT_PHONE_COUNTRY, and for a tombstone check or a search of requests also each default the deployment ran with before.",
  })
  country?: string;
}
