// The request report in the public API: see src/governance/request-report.ts.
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars.js';

@ObjectType({ description: 'Requests of one type, channel and jurisdiction.' })
export class RequestVolumeView {
  @Field(() => String) type!: string;
  @Field(() => String, { description: 'UNKNOWN when the request named none.' }) channel!: string;
  @Field(() => String) jurisdiction!: string;
  @Field(() => Int, { description: 'Received in the period.' }) received!: number;
  @Field(() => Int, { description: 'Answered (first closed) in the period, whenever received.' }) closed!: number;
  @Field(() => Int, { description: 'Not closed now, whenever received.' }) openNow!: number;
}

@ObjectType({ description: 'Acknowledgements (R3), answers (R4), extensions (R5) and overdue requests.' })
export class TimelinessView {
  @Field(() => Int, { description: 'Requests received in the period whose acknowledgement was made or is past due.' }) acknowledgementsDue!: number;
  @Field(() => Int) acknowledgedOnTime!: number;
  @Field(() => Float, { nullable: true, description: 'acknowledgedOnTime / acknowledgementsDue; null when none was due.' }) acknowledgedOnTimeShare!:
    number | null;
  @Field(() => Int, { description: 'Requests answered in the period.' }) answered!: number;
  @Field(() => Int, { description: 'Answered by the (extended) due date; a request never verified is timed against 30 days from receipt.' })
  answeredOnTime!: number;
  @Field(() => Float, { nullable: true }) answeredOnTimeShare!: number | null;
  @Field(() => Float, { nullable: true, description: 'Median days from receipt to answer, one decimal.' }) medianDaysToAnswer!: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of days from receipt to answer.' }) p90DaysToAnswer!: number | null;
  @Field(() => Int, { description: 'Requests received in the period whose deadline was extended.' }) extended!: number;
  @Field(() => Int, { description: 'Open requests past their (extended) due date now.' }) overdueNow!: number;
}

@ObjectType()
export class RetainedRecordsView {
  @Field(() => String, { description: 'The legal basis recorded for keeping them (R8).' }) basis!: string;
  @Field(() => Int) records!: number;
}

@ObjectType({ description: 'How the erasures answered in the period ended in one source.' })
export class SourceErasureOutcomeView {
  @Field(() => String) sourceId!: string;
  @Field(() => Int, { description: 'Tasks that succeeded.' }) applied!: number;
  @Field(() => Int, { description: 'Tasks that failed.' }) failed!: number;
  @Field(() => Int, { description: 'Tasks not finished yet.' }) open!: number;
  @Field(() => [RetainedRecordsView], { description: 'Records kept instead, by basis.' }) retained!: RetainedRecordsView[];
}

@ObjectType({ description: 'Requests received in the period whose discovery could not search this source.' })
export class SourceDiscoveryFailuresView {
  @Field(() => String) sourceId!: string;
  @Field(() => Int) failed!: number;
  @Field(() => Int) timedOut!: number;
}

@ObjectType({ description: 'How requests were handled over a period. Also at GET /v1/reports/requests.csv?from=&to=.' })
export class RequestReportView {
  @Field(() => DateTimeScalar) from!: Date;
  @Field(() => DateTimeScalar, { description: 'Exclusive.' }) to!: Date;
  @Field(() => DateTimeScalar) generatedAt!: Date;
  @Field(() => [RequestVolumeView]) volumes!: RequestVolumeView[];
  @Field(() => TimelinessView) timeliness!: TimelinessView;
  @Field(() => [SourceErasureOutcomeView]) erasureOutcomes!: SourceErasureOutcomeView[];
  @Field(() => [SourceDiscoveryFailuresView]) discoveryFailures!: SourceDiscoveryFailuresView[];
}
