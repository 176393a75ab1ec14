// The data map (Art. 30 record of processing) in the public API: see src/governance/data-map.ts.
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DataCategory } from '../../src/domain/vocabulary.js';
import { DataMapGapCode } from '../../src/governance/data-map.js';
import { DateTimeScalar } from '../scalars.js';

registerEnumType(DataMapGapCode, { name: 'DataMapGapCode', description: 'What a source leaves the record of processing without.' });

@ObjectType({ description: 'One processing activity: a record type in a source, in the columns of the UK ICO record-of-processing template.' })
export class ProcessingActivityView {
  @Field(() => String) sourceId!: string;
  @Field(() => String) sourceName!: string;
  @Field(() => String) sourceKind!: string;
  @Field(() => String) recordType!: string;
  @Field(() => [String], { description: 'Purposes of the processing (Art. 30(1)(b)).' }) purposes!: string[];
  @Field(() => [String], { description: 'Categories of individuals (Art. 30(1)(c)).' }) dataSubjects!: string[];
  @Field(() => String, { nullable: true, description: 'Article 6 lawful basis.' }) lawfulBasis!: string | null;
  @Field(() => String, { nullable: true, description: 'Article 9 condition for the special-category data.' }) specialCategoryCondition!: string | null;
  @Field(() => [DataCategory], { description: 'Categories of personal data other than special ones.' }) personalDataCategories!: DataCategory[];
  @Field(() => [DataCategory], { description: 'Special categories (R12).' }) specialCategories!: DataCategory[];
  @Field(() => [String]) fields!: string[];
  @Field(() => [String], { description: 'Categories of recipients (Art. 30(1)(d)).' }) recipients!: string[];
  @Field(() => String, { nullable: true, description: 'Transfers to third countries and their safeguards (Art. 30(1)(e)).' }) transfers!: string | null;
  @Field(() => String, { description: 'Retention schedule as the source states it (Art. 30(1)(f)).' }) retentionSummary!: string;
  @Field(() => String, { nullable: true }) activePeriod!: string | null;
  @Field(() => String, { nullable: true }) archivePeriod!: string | null;
  @Field(() => String, { nullable: true }) maxAge!: string | null;
  @Field(() => Boolean, { description: 'Retention required by law (R8): erasure becomes a legal hold inside it.' }) statutoryRetention!: boolean;
  @Field(() => String, { nullable: true }) retentionBasis!: string | null;
  @Field(() => String, { description: 'What erasure does here: DELETE, ANONYMISE, LEGAL_HOLD, MINIMISE or PURGE_SEGMENTS.' }) erasure!: string;
  @Field(() => String, { description: 'CONTROLLER or PROCESSOR (for the controllers listed).' }) controllerRole!: string;
  @Field(() => [String]) controllers!: string[];
  @Field(() => Boolean, { description: 'Whether discovery can search it for a person.' }) searchable!: boolean;
  @Field(() => Boolean) canErase!: boolean;
  @Field(() => Boolean) canCorrect!: boolean;
  @Field(() => Boolean) canRestrict!: boolean;
}

@ObjectType({ description: 'A gap in the record of processing the privacy office must close.' })
export class DataMapGapView {
  @Field(() => String) sourceId!: string;
  @Field(() => DataMapGapCode) code!: DataMapGapCode;
  @Field(() => String) message!: string;
}

@ObjectType({
  description:
    'The record of processing (GDPR Art. 30) generated from what the registered sources describe. Also at GET /v1/data-map.json and /v1/data-map.csv.',
})
export class DataMapView {
  @Field(() => DateTimeScalar) generatedAt!: Date;
  @Field(() => [ProcessingActivityView]) activities!: ProcessingActivityView[];
  @Field(() => [DataMapGapView]) gaps!: DataMapGapView[];
}
