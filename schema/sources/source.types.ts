// The `Source` object of the public API and the parts of its description. Fields that
// need the live connector (health, capabilities, description) are resolved lazily by
// SourceFieldsResolver, so listing sources costs nothing a client did not ask for.
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Capability, DataCategory, IdentifierType, SourceKind } from '../../src/domain/vocabulary.js';
import { DateTimeScalar } from '../scalars.js';
import { SourceStatus } from '../../src/sources/source.entity.js';

@ObjectType({ description: 'One field a source holds, with its data categories (R12: special marks special-category data).' })
export class SourceField {
  @Field(() => String)
  recordType!: string;

  @Field(() => String)
  field!: string;

  @Field(() => [DataCategory])
  categories!: DataCategory[];

  @Field(() => Boolean, { description: 'True when any category is special (health, ethnicity, beliefs, ...).' })
  special!: boolean;

  @Field(() => Boolean, { description: 'True when a correction may change it; clinic fields are annotated instead (R14).' })
  correctable!: boolean;

  @Field(() => IdentifierType, { nullable: true, description: 'The identifier type the source can be searched by through this field.' })
  identifierType?: IdentifierType | null;
}

@ObjectType({ description: 'How long the source keeps data and what erasure does there (R8, R9).' })
export class RetentionPolicyView {
  @Field(() => String, { description: 'As the privacy notices state it, e.g. "2 years active, then 1 year archive".' })
  summary!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601 duration counted from the last activity.' })
  activePeriod?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601 duration of the archive after the active period.' })
  archivePeriod?: string | null;

  @Field(() => String, { nullable: true, description: 'Hard maximum age (CCTV: P90D).' })
  maxAge?: string | null;

  @Field(() => [String], { description: 'The periods in order (active, archive, maximum age) as ISO 8601 durations.' })
  periods!: string[];

  @Field(() => Boolean, { description: 'Retention required by law: erasure inside the period becomes a legal hold.' })
  statutory!: boolean;

  @Field(() => String, { nullable: true, description: 'The legal basis named to the person when data is retained.' })
  basis?: string | null;

  @Field(() => String, { description: 'DELETE, ANONYMISE, LEGAL_HOLD, MINIMISE or PURGE_SEGMENTS.' })
  erasure!: string;
}

@ObjectType({ description: 'Who decides about the data in the source (R6).' })
export class ControllerPolicyView {
  @Field(() => String, { description: 'CONTROLLER: the group decides; PROCESSOR: a client controls some or all records.' })
  role!: string;

  @Field(() => String, { nullable: true })
  defaultControllerId?: string | null;

  @Field(() => String, { nullable: true })
  note?: string | null;
}

@ObjectType({ description: 'The outcome of the latest health check of a source.' })
export class SourceHealthView {
  @Field(() => Boolean)
  healthy!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it is unhealthy (or what the check saw).' })
  detail?: string | null;

  @Field(() => Float, { nullable: true })
  latencyMs?: number | null;

  @Field(() => DateTimeScalar)
  checkedAt!: Date;
}

@ObjectType({ description: 'One difference between what a source is held to and the change waiting for approval.' })
export class SourceChange {
  @Field(() => String, {
    description:
      'What changes: identifierTypes, capabilities, fields, kind, retention, controller, rules, processing (its description); name, controllerIds, phoneCountry, connection (its registration).',
  })
  aspect!: string;

  @Field(() => String, { description: 'ADDED, REMOVED or CHANGED.' })
  change!: string;

  @Field(() => String, { nullable: true, description: 'As approved (null when added; for connection, never shown).' })
  before?: string | null;

  @Field(() => String, { nullable: true, description: 'As it would be once approved (null when removed; for connection, never shown).' })
  after?: string | null;
}

@ObjectType({ description: 'A registered source: a configured connector instance for one backend system.' })
export class Source {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => SourceKind)
  kind!: SourceKind;

  @Field(() => String, { description: 'Connector type: builtin, sql or remote.' })
  type!: string;

  @Field(() => [String], { description: 'Client organisations (employers, insurers) controlling data in this source.' })
  controllerIds!: string[];

  @Field(() => String, { nullable: true, description: 'The principal (key id) that registered it.' })
  registeredBy?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'ISO 3166 alpha-2 country its phone numbers written without a +prefix are read in (GB for sources registered before it could be named); null for a source no longer registered.',
  })
  phoneCountry?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "Each country its phone numbers written without a +prefix were read in before phoneCountry, oldest first (a registration that named another country adds the one it leaves; registered back to one, that one leaves the list): tombstones written from its records may hold any of these readings, so its bound keys' tombstone checks and the recreation sweep read its national numbers in each of them too; discovery reads in phoneCountry only. Empty for a source whose country never changed; null for a source no longer registered.",
  })
  phoneCountriesBefore?: string[] | null;

  @Field(() => DateTimeScalar)
  registeredAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field(() => SourceStatus, { description: 'Only an ACTIVE source is searched, health-checked and sent tasks.' })
  status!: SourceStatus;

  @Field(() => String, { nullable: true, description: 'Who last approved, disabled, enabled or removed it.' })
  reviewedBy?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  reviewedAt?: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When an administrator last approved what it is held to (approveSource, or an ADMIN’s registration). Null while never approved: enabling it then sends it to PENDING_APPROVAL, not ACTIVE.',
  })
  approvedAt?: Date | null;

  @Field(() => [SourceChange], {
    description:
      'What approving it would change against what it is held to now (its description and registration as approved): each identifier type, capability and field added or removed, kind, retention, controller, rules changed; connection settings named, never shown. For a source never approved, everything it declares (ADDED). Empty when nothing waits. The fields above (identifierTypes, fields, retention, ...) show what it is held to until the change is approved.',
  })
  pendingChanges!: SourceChange[];

  @Field(() => String, {
    nullable: true,
    description:
      'While it waits for approval: a digest of its registration and what it declares, for approveSource(approvalToken:) to approve only what was shown. Null when nothing waits.',
  })
  approvalToken?: string | null;

  // Resolved by SourceFieldsResolver: healthy, health, checkedAt, capabilities,
  // identifierTypes, dataCategories, fields, retention, controller.
}

export { Capability };
