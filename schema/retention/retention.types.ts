// Retention runs in the public API (R9): see src/retention. Record ids and dates only,
// never a record's data.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { RetentionRunStatus } from '../../src/domain/vocabulary.js';
import { DateTimeScalar } from '../scalars.js';

@ObjectType({ description: 'Records of one type a run destroys with one action.' })
export class RetentionCountView {
  @Field(() => String) recordType!: string;
  @Field(() => String, { description: 'ERASE, ANONYMISE, MINIMISE or PURGE, as the source’s policy says.' }) action!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'Records past their source’s listing that a run keeps, and why.' })
export class RetentionKeptView {
  @Field(() => String, { description: 'LEGAL_HOLD, OPEN_REQUEST, RESTRICTED, CONTROLLER_REFUSED, PERSONNEL_FILE, NOT_EXPIRED or UNDATED.' }) reason!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'What a retention run found in one source.' })
export class RetentionSourceView {
  @Field(() => ID) sourceId!: string;
  @Field(() => Boolean, { description: 'False when the source cannot list its records past retention, or did not answer: named here, never skipped silently.' })
  listable!: boolean;
  @Field(() => String, { nullable: true, description: 'Why the source could not be listed.' }) error!: string | null;
  @Field(() => [RetentionCountView]) toDestroy!: RetentionCountView[];
  @Field(() => [RetentionKeptView]) kept!: RetentionKeptView[];
  @Field(() => DateTimeScalar, { nullable: true, description: 'The oldest start of retention (last activity, else creation) among the records to destroy.' })
  oldest!: Date | null;
  @Field(() => [ID], { description: 'A few ids of records to destroy, to look at before approving.' }) sampleRecordIds!: string[];
}

@ObjectType({ description: 'One record of a run: the action planned, or why it is kept.' })
export class RetentionItemView {
  @Field(() => ID) sourceId!: string;
  @Field(() => ID) recordId!: string;
  @Field(() => String) recordType!: string;
  @Field(() => DateTimeScalar, { nullable: true }) retentionStart!: Date | null;
  @Field(() => String, { nullable: true }) action!: string | null;
  @Field(() => String, { nullable: true }) keptReason!: string | null;
  @Field(() => String, { nullable: true }) keptDetail!: string | null;
}

@ObjectType({ description: 'What execution came to.' })
export class RetentionOutcomeView {
  @Field(() => Int, { description: 'Destructions done and verified.' }) destroyed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int, { description: 'Records an open request or a controller’s refusal came to hold between preview and approval: kept.' })
  heldSincePreview!: number;
  @Field(() => [String], { description: 'Why the run is not complete (failed tasks, records found again, sources that could not be verified).' })
  reasons!: string[];
}

@ObjectType({ description: 'R9: one retention run: previewed, approved, executed through queued tasks, verified.' })
export class RetentionRunView {
  @Field(() => ID) id!: string;
  @Field(() => RetentionRunStatus) status!: RetentionRunStatus;
  @Field(() => DateTimeScalar, { description: 'Retention is judged as of this time.' }) asOf!: Date;
  @Field(() => Boolean, { description: 'Executed by the scheduler without approval (sources whose policy says autoExecute).' }) automatic!: boolean;
  @Field(() => String) preparedBy!: string;
  @Field(() => String, { nullable: true }) approvedBy!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) approvedAt!: Date | null;
  @Field(() => String, { nullable: true }) cancelledBy!: string | null;
  @Field(() => ID, { nullable: true, description: 'SUPERSEDED: the newer preview of the same sources to approve instead.' }) supersededBy!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => [RetentionSourceView]) sources!: RetentionSourceView[];
  @Field(() => RetentionOutcomeView, { nullable: true }) outcome!: RetentionOutcomeView | null;
}
