// Object types of the request API (DESIGN.md: DataSubjectRequest, RecordDecision, Task,
// AccessPackage, ResponseSummary, RequestConnection) and the extra views a handler needs.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MatchBand, RecordAction, Relationship, RequestStatus, RequestType, ReviewState, ActionOutcome, TaskStatus } from '../../src/domain/vocabulary.js';
import type { DataSubjectRequestEntity } from '../../src/requests/store/data-subject-request.entity.js';
import type { IssuedLink } from '../../src/requests/services/access-package.service.js';
import { DateTimeScalar, JSONScalar } from '../scalars.js';

export enum DeadlineStanding {
  NOT_STARTED = 'NOT_STARTED',
  ON_TIME = 'ON_TIME',
  DUE_SOON = 'DUE_SOON',
  OVERDUE = 'OVERDUE',
  CLOSED = 'CLOSED',
  DONE = 'DONE',
}
registerEnumType(DeadlineStanding, {
  name: 'DeadlineStanding',
  description: 'Where a request stands against a deadline. NOT_STARTED: the answer clock starts at verification; DONE: acknowledged.',
});

@ObjectType({ description: 'A data-subject request: the person, the deadlines, the found records and what happens to each.' })
export class DataSubjectRequest {
  /** The stored row; fields below are resolved from it. */
  entity!: DataSubjectRequestEntity;
  /** Set only by the mutation that created or renewed the access package link. */
  issuedLink?: IssuedLink | null;
  /** R6: set only by executeRequest, per controller taking its records back. */
  returnedLinks?: Map<string, IssuedLink | null>;

  @Field(() => ID)
  id!: string;

  @Field(() => RequestType)
  type!: RequestType;

  @Field(() => RequestStatus)
  status!: RequestStatus;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'R2: nothing is released, corrected or erased before it.' })
  verifiedAt!: Date | null;

  @Field(() => DateTimeScalar, { description: 'R3: end of the 5th working day after receipt (public holidays of the jurisdiction skipped).' })
  acknowledgeBy!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  acknowledgedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'R4: 30 calendar days from the later of receipt and verification.' })
  dueAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'R5: the extended due date, when an extension was granted.' })
  extendedDueAt!: Date | null;

  @Field(() => String, { nullable: true })
  extensionReason!: string | null;

  @Field(() => String, { description: 'Jurisdiction whose holiday calendar counts the working days.' })
  jurisdiction!: string;

  @Field(() => String, { nullable: true })
  channel!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the request is on hold.' })
  holdReason!: string | null;

  @Field(() => String, { nullable: true })
  verificationMethod!: string | null;

  @Field(() => String, { nullable: true })
  verificationEvidenceRef!: string | null;

  @Field(() => Boolean, { description: 'R16: the date of birth given with the request was checked against the proof of identity.' })
  dateOfBirthVerified!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'R9: the person’s answer on keeping certificate numbers verifiable (null: not given).' })
  certificatesVerifiable!: boolean | null;

  /** Every controller of the request; the `controllerIds` field (RequestResolver) shows those within the caller's scope. */
  controllerIds!: string[];

  @Field(() => Int, { description: 'Optimistic-lock version: grows with every change.' })
  version!: number;

  @Field(() => String, { description: 'Who submitted it (key id or OIDC subject).' })
  createdBy!: string;
}

/** A field and a reason: what a requested and a rejected correction both show. */
@ObjectType()
abstract class FieldWithReason {
  @Field(() => String)
  field!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'A correction the person asked for: the field and their reason (the value stays encrypted).' })
export class RequestedCorrection extends FieldWithReason {}

@ObjectType()
export class RejectedCorrection extends FieldWithReason {}

@ObjectType({ description: 'R14: the handler’s finding that the data was (or was not) inaccurate. Field names and reasons only.' })
export class InaccuracyFinding {
  @Field(() => Boolean)
  inaccurate!: boolean;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  evidenceRef!: string | null;

  @Field(() => String, { description: 'The handler who made the finding.' })
  actor!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => [String], { description: 'Requested fields found inaccurate: corrected, or annotated in medical records.' })
  accepted!: string[];

  @Field(() => [RejectedCorrection], { description: 'Requested fields found accurate: left as they are.' })
  rejected!: RejectedCorrection[];
}

@ObjectType({ description: 'How one source answered the discovery run at verification.' })
export class SnapshotSourceOutcome {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => String, { description: 'ANSWERED, FAILED or TIMED_OUT.' })
  status!: string;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => Int)
  records!: number;
}

@ObjectType({ description: 'R5: the notice telling the person the answer was extended, and whether it was recorded as sent.' })
export class ExtensionNotice {
  @Field(() => DateTimeScalar, { description: 'The new due date.' })
  extendedDueAt!: Date;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { description: 'The letter to send: the first and the new date as calendar days in the request’s jurisdiction, and the reason.' })
  letter!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was recorded as sent (recordExtensionNoticeSent); null: still to send.' })
  sentAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who recorded it as sent.' })
  sentBy!: string | null;
}

@ObjectType({ description: 'R1: the handler’s audited decision to execute without the sources that could not be searched.' })
export class SourcesNotSearched {
  @Field(() => [ID], { description: 'The sources gone without (still unsearched).' })
  sourceIds!: string[];

  @Field(() => String)
  reason!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => DateTimeScalar)
  at!: Date;
}

@ObjectType({ description: 'A source the answer cannot speak for.' })
export class SourceGap {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => String)
  sourceName!: string;

  @Field(() => String, { description: 'NOT_SEARCHED: it could not be searched (R1). NOT_VERIFIED: the erasure there could not be checked.' })
  kind!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'A record of the discovery snapshot saved at verification (no record data).' })
export class RequestRecord {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => String)
  recordType!: string;

  @Field(() => Relationship)
  relationship!: Relationship;

  @Field(() => ID, { nullable: true })
  parentRecordId!: string | null;

  @Field(() => MatchBand)
  band!: MatchBand;

  @Field(() => Float)
  score!: number;

  @Field(() => ReviewState)
  reviewState!: ReviewState;

  @Field(() => Boolean, { description: 'MATCH and CONFIRMED records are acted on; PENDING and REJECTED ones are not.' })
  actedOn!: boolean;

  @Field(() => String, { nullable: true })
  controllerId!: string | null;

  @Field(() => [String])
  categories!: string[];

  @Field(() => JSONScalar, { description: 'Dates that drive retention (createdAt, lastActivityAt).' })
  dates!: Record<string, string>;

  @Field(() => JSONScalar, { description: 'Per-field comparison levels and weights of the score (values not kept).' })
  explanation!: unknown[];
}

@ObjectType({ description: 'What will happen to one record, and why.' })
export class RecordDecision {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => RecordAction)
  action!: RecordAction;

  @Field(() => String, { nullable: true, description: 'R8: the legal basis named when data is kept or processing stopped.' })
  basis!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'R8: for RETAIN under legal hold, the date until which.' })
  retainUntil!: Date | null;

  @Field(() => String)
  reason!: string;

  @Field(() => Boolean, { description: 'R6: waits for the controller’s instruction.' })
  needsController!: boolean;

  @Field(() => RecordAction, { nullable: true, description: 'While waiting for the controller: what happens on PROCEED.' })
  proposedAction!: RecordAction | null;

  @Field(() => RecordAction, { nullable: true, description: 'A second step: RESTRICT during a legal hold, ERASE after releasing a child’s data.' })
  followUpAction!: RecordAction | null;

  @Field(() => String, {
    nullable: true,
    description: 'R6: the controller the record is exported to before it is erased (its instruction at the end of its contract).',
  })
  returnToController!: string | null;

  @Field(() => Boolean, { description: 'The rules could not settle it (e.g. missing dates): a handler should look.' })
  needsReview!: boolean;

  @Field(() => [String], { description: 'DOMAIN.md rules applied (R6, R8, ...).' })
  rules!: string[];

  @Field(() => Boolean)
  overridden!: boolean;

  @Field(() => RecordAction, { description: 'What the rules computed (differs from action after an override).' })
  computedAction!: RecordAction;

  @Field(() => String, { nullable: true })
  overrideReason!: string | null;

  @Field(() => String, { nullable: true })
  overriddenBy!: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'RECTIFICATION: the requested fields this record’s source can take (R14); empty when none applies, null for other types.',
  })
  correctionFields!: string[] | null;
}

@ObjectType({ description: 'One queued action on one record (from the task table).' })
export class Task {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID)
  recordId!: string;

  @Field(() => RecordAction)
  action!: RecordAction;

  @Field(() => TaskStatus)
  status!: TaskStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the task failed or is retrying; it names no other request.' })
  lastError!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The open request whose hold stopped the task (OPEN_REQUEST, CONTROLLER_REFUSED): null when none did, or when that request is outside your scope.',
  })
  heldByRequestId!: string | null;

  @Field(() => ActionOutcome, { nullable: true })
  outcome!: ActionOutcome | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType({ description: 'Every status change, with who, when and why.' })
export class RequestTransition {
  @Field(() => RequestStatus, { nullable: true })
  from!: RequestStatus | null;

  @Field(() => RequestStatus)
  to!: RequestStatus;

  @Field(() => String)
  event!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType({ description: 'A controller’s instruction for its records in one source (R6, R7).' })
export class ControllerInstructionView {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => ID, { description: 'The controller that gave it: it binds only its records in the source.' })
  controllerId!: string;

  @Field(() => String, { description: 'PROCEED, REFUSE, CONTROLLER_GONE or RETURN_AND_ERASE.' })
  decision!: string;

  @Field(() => String, { nullable: true })
  reference!: string | null;

  @Field(() => String)
  actor!: string;

  @Field(() => DateTimeScalar)
  at!: Date;
}

@ObjectType({ description: 'R6: the package of records returned to one controller at the end of its contract; each controller gets its own.' })
export class ReturnedPackage {
  @Field(() => ID)
  controllerId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The one-time download link (`/v1/access-packages/open#<token>`, as the person's): shown only in the answer of executeRequest, and of renewAccessPackageLink with this controllerId.",
  })
  downloadUrl!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the link stops working.' })
  expiresAt!: Date;

  @Field(() => String, { description: 'SHA-256 of the whole archive.' })
  sha256!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the current link was used.' })
  downloadedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the archive was destroyed (its record stays).' })
  destroyedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'RETENTION_ENDED, ERASURE_COMPLETED, REQUEST_REJECTED, REQUEST_CANCELLED or REVOKED.' })
  destroyedReason!: string | null;

  @Field(() => String, { nullable: true, description: "The handler's reason when it was revoked (revokeAccessPackage)." })
  revocationReason!: string | null;
}

@ObjectType()
export class ManifestFile {
  @Field(() => String)
  path!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => Int)
  bytes!: number;
}

@ObjectType({ description: 'Record types in an access package from one source, released and withheld.' })
export class PackageRecordTypeCount {
  @Field(() => String)
  recordType!: string;

  @Field(() => Int)
  released!: number;

  @Field(() => Int)
  withheld!: number;
}

@ObjectType({ description: 'What one source contributed to an access package, without the data (R12: what a principal who may not open it sees).' })
export class PackageSourceContents {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => String)
  sourceName!: string;

  @Field(() => String)
  sourceKind!: string;

  @Field(() => [PackageRecordTypeCount])
  recordTypes!: PackageRecordTypeCount[];

  @Field(() => [String], { description: 'Data categories of the released fields.' })
  categories!: string[];

  @Field(() => [String], { description: 'The special categories among them (R12).' })
  specialCategories!: string[];
}

@ObjectType({ description: 'The access package of an ACCESS request: a zip with one JSON and one CSV file per source, a manifest and a summary.' })
export class AccessPackage {
  @Field(() => String, {
    nullable: true,
    description:
      'The one-time download link, `/v1/access-packages/open#<token>`: opening it uses nothing (the token is in the fragment); its page downloads once when the person presses its button. Shown only in the answer of the mutation that created it (executeRequest, renewAccessPackageLink).',
  })
  downloadUrl!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the current link stops working.' })
  expiresAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the current link was used.' })
  downloadedAt!: Date | null;

  @Field(() => String, { description: 'SHA-256 of the whole archive.' })
  sha256!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => [ManifestFile], { description: 'Every file of the archive with its SHA-256 (as manifest.json lists them).' })
  files!: ManifestFile[];

  @Field(() => [PackageSourceContents], { description: 'Per source: record types and data categories it holds (no values).' })
  contents!: PackageSourceContents[];

  @Field(() => [String], {
    nullable: true,
    description:
      'R12: the special categories the archive holds in clear (null: unknown, a package built before they were recorded). Only a principal allowed to see them may obtain or use a link.',
  })
  specialCategories!: string[] | null;

  @Field(() => Boolean, {
    description:
      'Whether you may obtain a download link now (renewAccessPackageLink): the package still exists and you may see every special category it holds.',
  })
  downloadAllowed!: boolean;

  @Field(() => DateTimeScalar, {
    description: 'R10, R11: the archive is destroyed then (ACCESS_PACKAGE_RETENTION_DAYS after it was built), or earlier when the person’s erasure closes.',
  })
  retainUntil!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the archive was destroyed (its record stays).' })
  destroyedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'RETENTION_ENDED, ERASURE_COMPLETED, REQUEST_REJECTED, REQUEST_CANCELLED or REVOKED.' })
  destroyedReason!: string | null;

  @Field(() => String, { nullable: true, description: "The handler's reason when it was revoked (revokeAccessPackage)." })
  revocationReason!: string | null;
}

@ObjectType()
export class ResponseItem {
  @Field(() => ID)
  recordId!: string;

  @Field(() => String, { nullable: true })
  recordType!: string | null;

  @Field(() => RecordAction)
  action!: RecordAction;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  basis!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  retainUntil!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  completedAt!: Date | null;

  @Field(() => String, { description: 'DONE, FAILED or PENDING.' })
  state!: string;
}

@ObjectType({ description: 'Per source: what was released, corrected, erased, restricted or retained.' })
export class SourceResponse {
  @Field(() => ID)
  sourceId!: string;

  @Field(() => String)
  sourceName!: string;

  @Field(() => String)
  sourceKind!: string;

  @Field(() => [ResponseItem])
  released!: ResponseItem[];

  @Field(() => [ResponseItem])
  corrected!: ResponseItem[];

  @Field(() => [ResponseItem])
  erased!: ResponseItem[];

  @Field(() => [ResponseItem])
  restricted!: ResponseItem[];

  @Field(() => [ResponseItem])
  retained!: ResponseItem[];

  @Field(() => [ResponseItem], {
    description:
      'Corrections and restrictions of records the source no longer held (it answered NOT_FOUND): nothing was corrected or restricted there, and the letter says so.',
  })
  notHeld!: ResponseItem[];

  @Field(() => [ResponseItem])
  notDone!: ResponseItem[];
}

@ObjectType({ description: 'The answer to the person: per source what was done and why, and the letter a handler can send.' })
export class ResponseSummary {
  @Field(() => Boolean)
  complete!: boolean;

  @Field(() => Boolean, { description: 'Answered after the binding due date.' })
  late!: boolean;

  @Field(() => DateTimeScalar)
  respondedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  dueAt!: Date | null;

  @Field(() => JSONScalar, { description: 'Counts per outcome: RELEASED, CORRECTED, ERASED, RESTRICTED, RETAINED, NOT_HELD, NOT_DONE.' })
  totals!: Record<string, number>;

  @Field(() => [SourceResponse])
  sources!: SourceResponse[];

  @Field(() => [SourceGap], { description: 'R1: sources that could not be searched; the answer is not complete while any is listed.' })
  notSearched!: SourceGap[];

  @Field(() => [SourceGap], { description: 'Sources where the erasure could not be checked (retryFailedTasks checks again); not complete either.' })
  notVerified!: SourceGap[];

  @Field(() => String, { description: 'Plain-text letter to the person.' })
  letter!: string;
}

@ObjectType()
export class RequestEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => DataSubjectRequest)
  node!: DataSubjectRequest;
}

@ObjectType()
export class RequestPageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType({ description: 'Requests, newest first.' })
export class RequestConnection {
  @Field(() => [RequestEdge])
  edges!: RequestEdge[];

  @Field(() => [DataSubjectRequest])
  nodes!: DataSubjectRequest[];

  @Field(() => RequestPageInfo)
  pageInfo!: RequestPageInfo;

  @Field(() => Int)
  totalCount!: number;
}
