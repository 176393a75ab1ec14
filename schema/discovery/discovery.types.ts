// The answer of `subject`: every matched record with its score, band, relationship,
// explanation and retention status, and the outcome of every source asked, so a partial
// answer is never mistaken for a complete one.
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MatchBand, Relationship } from '../../src/domain/vocabulary.js';
import { DateTimeScalar, JSONScalar } from '../scalars.js';
import { Source } from '../sources/source.types.js';
import { IdentifierInput } from './identifier.input.js';

@InputType({ description: 'What the handler knows about the person, and where to look.' })
export class SubjectQueryInput {
  @Field(() => [IdentifierInput])
  identifiers!: IdentifierInput[];

  @Field(() => [ID], { nullable: true, description: 'Only these sources; every registered one when absent.' })
  sourceIds?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Also return the person's appearances in other people's records (dependant, contact, referee). Default true.",
  })
  includeRelated?: boolean | null;
}

@ObjectType({ description: "One bar of the score's waterfall: how one field compared." })
export class FieldComparison {
  @Field(() => String, { description: 'givenName, familyName, dateOfBirth, email, phone, nationalId, reference, street, postcode, city.' })
  field!: string;

  @Field(() => String, { description: 'The independent identifier it is evidence for: NAME, DOB, EMAIL, PHONE, NATIONAL_ID, REFERENCE, ADDRESS.' })
  group!: string;

  @Field(() => String, { description: 'Comparison level, e.g. exact, nickname, "jaro-winkler >= 0.92", else; null when a side lacks the field.' })
  level!: string;

  @Field(() => String, { description: 'agree, partial, disagree or null.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'The query-side value compared (normalised); "[redacted]" when withheld.' })
  queryValue!: string | null;

  @Field(() => String, { nullable: true, description: 'The record-side value compared (normalised); "[redacted]" when withheld.' })
  recordValue!: string | null;

  @Field(() => Boolean, { description: 'True when the compared values were withheld (R12).' })
  withheld!: boolean;

  @Field(() => Float, { description: 'Match weight in bits: log2(m/u) plus tfAdjustment.' })
  weight!: number;

  @Field(() => Float, { nullable: true })
  m!: number | null;

  @Field(() => Float, { nullable: true })
  u!: number | null;

  @Field(() => Float, { description: 'Term-frequency part of the weight (rare names count more), in bits.' })
  tfAdjustment!: number;
}

@ObjectType({ description: 'The totals of the waterfall.' })
export class MatchWeight {
  @Field(() => Float, { description: 'The starting bar: log2(λ/(1-λ)).' })
  priorWeight!: number;

  @Field(() => Float, { description: 'priorWeight plus every field weight.' })
  totalWeight!: number;

  @Field(() => Float, { description: '2^w / (1 + 2^w).' })
  probability!: number;

  @Field(() => [String], { description: 'Independent identifiers that agree; MATCH needs two.' })
  agreeingIdentifiers!: string[];

  @Field(() => String)
  parametersVersion!: string;

  @Field(() => String, {
    description:
      "QUERY, or sourceId/recordId of the record it was scored against (transitive expansion): a MATCH record, or a near-certain REVIEW record (then the band is REVIEW at most and score is that record's probability times this pair's).",
  })
  matchedAgainst!: string;

  @Field(() => Int, { description: 'The round the record was found in (1 = found by the query itself).' })
  round!: number;
}

@ObjectType({ description: "Where the record stands in its source's retention (R8, R9)." })
export class RetentionStatus {
  @Field(() => DateTimeScalar, { nullable: true, description: "End of retention from the record's dates and the source's policy; null when unknown." })
  retainUntil!: Date | null;

  @Field(() => Boolean, { description: 'Retention is statutory (medical records): erasure before retainUntil becomes a legal hold.' })
  statutory!: boolean;

  @Field(() => Boolean, { description: 'True when statutory and retainUntil is still ahead (or unknown): the record is under legal hold.' })
  legalHold!: boolean;

  @Field(() => Boolean, { description: 'True when retainUntil has passed: the data is due for destruction (R9).' })
  expired!: boolean;

  @Field(() => String, { nullable: true })
  basis!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;
}

@ObjectType({ description: 'One record in one source that is, or may be, about the person.' })
export class RecordMatch {
  @Field(() => Source)
  source!: Source;

  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => String)
  recordType!: string;

  @Field(() => MatchBand, { description: 'MATCH: high probability and two agreeing identifiers; REVIEW: a handler should look.' })
  band!: MatchBand;

  @Field(() => Float, { description: 'Match probability in [0, 1].' })
  score!: number;

  @Field(() => Relationship, { description: "SUBJECT, or how the person appears in someone else's record." })
  relationship!: Relationship;

  @Field(() => ID, { nullable: true, description: "For appearances in someone else's record: the record it is in." })
  parentRecordId!: string | null;

  @Field(() => String, { nullable: true })
  controllerId!: string | null;

  @Field(() => Boolean)
  restricted!: boolean;

  @Field(() => [String], { description: 'Data categories of the fields the record carries.' })
  categories!: string[];

  @Field(() => [FieldComparison], { description: 'Field-by-field comparison behind the score.' })
  explanation!: FieldComparison[];

  @Field(() => MatchWeight)
  matchWeight!: MatchWeight;

  @Field(() => Float, { description: 'Same as matchWeight.totalWeight.' })
  totalWeight!: number;

  @Field(() => Float, { description: 'Same as score.' })
  probability!: number;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The record as an access copy may show it; special-category values withheld without special-category:read.',
  })
  data!: unknown;

  @Field(() => [String], { description: 'Fields of data (and nested rows) withheld as special-category (R12).' })
  withheldFields!: string[];

  @Field(() => RetentionStatus)
  retention!: RetentionStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastActivityAt!: Date | null;
}

@ObjectType({ description: 'What one source answered.' })
export class SourceOutcome {
  @Field(() => Source)
  source!: Source;

  @Field(() => ID)
  sourceId!: string;

  @Field(() => String, { description: 'ANSWERED, FAILED or TIMED_OUT.' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'Why it failed or timed out.' })
  error!: string | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => Int, { description: 'Records of this source in the answer (visible to the caller).' })
  records!: number;

  @Field(() => Int)
  rounds!: number;

  @Field(() => Float)
  latencyMs!: number;
}

@ObjectType({ description: 'One person across the sources asked.' })
export class SubjectResolution {
  @Field(() => Boolean, { description: 'False when any source failed or timed out: the answer is partial.' })
  complete!: boolean;

  @Field(() => Int, { description: 'Rounds of transitive expansion run.' })
  rounds!: number;

  @Field(() => Boolean, { description: 'True when expansion stopped at the round limit with identifiers still to ask about.' })
  roundLimitReached!: boolean;

  @Field(() => [SourceOutcome])
  sources!: SourceOutcome[];

  @Field(() => [RecordMatch], { description: 'MATCH then REVIEW, best score first.' })
  records!: RecordMatch[];
}
