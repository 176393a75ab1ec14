// Inputs of the request API (names as DESIGN.md gives them).
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { ControllerDecision, RecordAction, RequestStatus, RequestType } from '../../src/domain/vocabulary.js';
import { IdentifierInput } from '../discovery/identifier.input.js';
import { DateTimeScalar } from '../scalars.js';

@InputType({ description: 'A correction the person asks for (RECTIFICATION), with their reason.' })
export class CorrectionInput {
  @Field(() => String)
  field!: string;

  @Field(() => String)
  value!: string;

  @Field(() => String)
  reason!: string;
}

@InputType({ description: 'A requested correction the handler found NOT warranted: the data was accurate there.' })
export class RejectedCorrectionInput {
  @Field(() => String, { description: 'The field as named in the request’s corrections.' })
  field!: string;

  @Field(() => String)
  reason!: string;
}

@InputType({ description: 'R14: the handler’s finding on the accuracy of the data of a RECTIFICATION request (stored without values).' })
export class InaccuracyFindingInput {
  @Field(() => Boolean, {
    description: 'True: the data was found inaccurate and the accepted corrections are made. False: found accurate, nothing is corrected.',
  })
  inaccurate!: boolean;

  @Field(() => String, { description: 'Why: the evidence seen (e.g. "utility bill dated 2025-05 shows the new address").' })
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Where the evidence is kept (a reference, not the document).' })
  evidenceRef?: string | null;

  @Field(() => [RejectedCorrectionInput], {
    nullable: true,
    description: 'Requested corrections found not warranted, each with a reason; every other requested correction is accepted.',
  })
  rejectedCorrections?: RejectedCorrectionInput[] | null;
}

@InputType({
  description:
    'Where and when the person says they were, for footage that holds no identifier of them (a visitor without their badge id): at most 24 hours. Everyone found there is offered for REVIEW; the handler confirms which is the person.',
})
export class PresenceInput {
  @Field(() => String, { description: 'The site, as the footage source names it.' })
  site!: string;

  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;
}

@InputType()
export class SubmitRequestInput {
  @Field(() => RequestType)
  type!: RequestType;

  @Field(() => [IdentifierInput], { description: 'What the person gave to identify themselves; stored only encrypted.' })
  identifiers!: IdentifierInput[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the request arrived (default: now).' })
  receivedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Holiday calendar for the deadlines, e.g. GB, FR, DE (default from DSR_DEFAULT_JURISDICTION).' })
  jurisdiction?: string | null;

  @Field(() => String, { nullable: true, description: 'email, post, web form, phone, ...' })
  channel?: string | null;

  @Field(() => String, { nullable: true, description: 'What the person asks about, in their words (stored encrypted).' })
  scope?: string | null;

  @Field(() => [CorrectionInput], { nullable: true, description: 'RECTIFICATION only.' })
  corrections?: CorrectionInput[] | null;

  @Field(() => PresenceInput, { nullable: true, description: 'A site and a time window to look for the person in footage (stored encrypted).' })
  presence?: PresenceInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'R9: the person agrees (true) or not (false) that their certificate numbers stay verifiable after an erasure; null: not asked (taken as no).',
  })
  certificatesVerifiable?: boolean | null;
}

@InputType()
export class IdentityVerificationInput {
  @Field(() => String, { description: 'How the identity was checked, e.g. "passport seen on video call".' })
  method!: string;

  @Field(() => String, { nullable: true, description: 'Where the evidence is kept (a reference, not the document).' })
  evidenceRef?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was verified, if before now (default: now).' })
  verifiedAt?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'R16: the date of birth given with the request was checked against the proof of identity; online services without one of their own take the person’s age from it.',
  })
  dateOfBirthVerified?: boolean | null;
}

@InputType()
export class ControllerInstructionInput {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The controller giving the instruction; it binds only that controller’s records in the source. May be left out when the source holds records of one controller only for this request (CONTROLLER_REQUIRED otherwise).',
  })
  controllerId?: string | null;

  @Field(() => ControllerDecision)
  decision!: ControllerDecision;

  @Field(() => String, { nullable: true, description: 'The controller’s reference (letter, ticket).' })
  reference?: string | null;
}

@InputType()
export class RecordRefInput {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;
}

@InputType({ description: 'A handler’s override of one decision: always with a reason (audited).' })
export class OverrideDecisionInput {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => RecordAction)
  action!: RecordAction;

  @Field(() => String)
  reason!: string;
}

export enum RequestOrder {
  NEWEST = 'NEWEST',
  DAYS_LEFT = 'DAYS_LEFT',
}
registerEnumType(RequestOrder, {
  name: 'RequestOrder',
  description:
    'NEWEST: latest received into the gateway first. DAYS_LEFT: most urgent first, by the binding due date (extended if granted), requests without one (answer clock not started) last.',
});

@InputType()
export class RequestFilter {
  @Field(() => [RequestStatus], { nullable: true })
  status?: RequestStatus[] | null;

  @Field(() => [RequestType], { nullable: true })
  type?: RequestType[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Requests received through any of these channels, as recorded at submission (exact match, e.g. "email", "post").',
  })
  channel?: string[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Binding due date (extended if granted) before this instant.' })
  dueBefore?: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'Open requests past their answer or acknowledgement deadline.' })
  overdue?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Open requests not overdue whose deadline falls within DSR_DUE_SOON_DAYS (acknowledgement: one day).' })
  dueSoon?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true: requests with at least one FAILED task (to retry or look into); false: none.' })
  failedTasks?: boolean | null;

  @Field(() => IdentifierInput, {
    nullable: true,
    description:
      'Requests of the person with this identifier, found through the keyed blind index (normalised as at submission; never a scan of clear data). Audited (request.search). INVALID_IDENTIFIER when it cannot be read.',
  })
  identifier?: IdentifierInput | null;
}
