import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../scalars.js';

export enum TimelineEntryKind {
  TRANSITION = 'TRANSITION',
  AUDIT = 'AUDIT',
}
registerEnumType(TimelineEntryKind, { name: 'TimelineEntryKind', description: 'A status change, or an audit entry about the request.' });

@ObjectType({ description: 'One line of a request’s timeline: a status change or an audit entry. Ids only, never personal data.' })
export class TimelineEntry {
  @Field(() => TimelineEntryKind)
  kind!: TimelineEntryKind;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String, { description: 'Who: API key id, OIDC subject, or system actor.' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'AUDIT: api-key, oidc, system or worker.' })
  actorKind!: string | null;

  @Field(() => String, { description: 'TRANSITION: the event (verifyIdentity, hold, …); AUDIT: the action (request.execute, …).' })
  what!: string;

  @Field(() => String, { nullable: true, description: 'TRANSITION: the status before.' })
  from!: string | null;

  @Field(() => String, { nullable: true, description: 'TRANSITION: the status after.' })
  to!: string | null;

  @Field(() => String, { nullable: true, description: 'TRANSITION: the reason given (hold, extension, cancellation, …).' })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'AUDIT: SUCCESS, DENIED or FAILED.' })
  outcome!: string | null;

  @Field(() => ID, { nullable: true, description: 'AUDIT: the entry’s seq in the hash chain.' })
  auditSeq!: string | null;
}
