// The connector contract: what every source system adapter implements.
// A connector is like a storage driver: it states what it can do and does it in batches.
// The gateway owns normalisation, matching and decisions; a connector only finds
// candidate records, exports them and applies writes, each write idempotent.
import type { Capability, DataCategory, IdentifierType, Relationship, SourceKind } from '../src/domain/vocabulary.js';

/** One identifier as the gateway sends it: already normalised (see src/identity/normalise). */
export interface Identifier {
  type: IdentifierType;
  value: string;
  /**
   * Optional, PHONE only: the ISO 3166 alpha-2 country (e.g. "FR") a number written without a
   * +prefix was written in. A source returns it on a record whose numbers are of another
   * country than the source's registered `phoneCountry`; without it the gateway reads the
   * number in that phoneCountry. The gateway never sends it (it sends E.164 numbers).
   */
  country?: string;
}

/**
 * One person to look for. `identifiers` are normalised values; `blockingKeys` are the
 * opaque, indexed keys (src/identity/blocking.ts) a record must share at least one of
 * to be a candidate. A connector returns candidates; the gateway scores them.
 */
export interface DiscoveryQuery {
  identifiers: Identifier[];
  blockingKeys: string[];
}

/**
 * Where and when a person says they were, for a source that holds no identifier of them
 * (footage): a site and a time window (ISO 8601 instants, `from` before `to`).
 */
export interface PresenceQuery {
  site: string;
  from: string;
  to: string;
}

/** A pointer to one record in one source. */
export interface RecordRef {
  sourceId: string;
  recordId: string;
}

/**
 * One appearance of a person in a source. A person named as someone else's dependant,
 * emergency contact or referee is its own SourceRecord with that relationship, the
 * identifiers of that appearance, and `parentRecordId` pointing at the record it is in.
 */
export interface SourceRecord {
  recordId: string;
  /** The kind of record in the source's own terms: 'case', 'patient', 'visit', ... */
  recordType: string;
  relationship: Relationship;
  parentRecordId?: string;
  /** Identifiers as the source holds them (raw); the gateway normalises before scoring. */
  identifiers: Identifier[];
  /** The record's data as an access copy may show it (payment cards already masked). */
  data: Record<string, unknown>;
  /** Dates that drive retention decisions. */
  dates: RecordDates;
  /** The client organisation (employer, insurer) that controls this record, if any. */
  controllerId?: string;
  /** True once restriction of processing is on for this record. */
  restricted?: boolean;
  /** Source-specific facts decisions need (e.g. `hired: false` for a candidate). */
  facts?: Record<string, string | number | boolean | null>;
}

export interface RecordDates {
  createdAt?: string;
  /** Last activity: the case closed, the last encounter, the footage recorded. */
  lastActivityAt?: string;
}

/** One field a source holds, described for the privacy office. */
export interface FieldDescription {
  recordType: string;
  field: string;
  categories: DataCategory[];
  /** True when any category is special (health, ethnicity, beliefs, ...): R12. */
  special: boolean;
  /** True when `correct` can change it; a source whose rules annotate corrections is annotated instead (R14). */
  correctable: boolean;
  identifierType?: IdentifierType;
}

/**
 * What erasure does in a source (R9, R8): delete or anonymise; retain under legal hold
 * during statutory retention; minimise to a record that the activity took place; purge footage.
 */
export type ErasureStrategy = 'DELETE' | 'ANONYMISE' | 'LEGAL_HOLD' | 'MINIMISE' | 'PURGE_SEGMENTS';

export interface RetentionPolicy {
  /** Human summary as the privacy notices state it, e.g. "2 years active, then 1 year archive". */
  summary: string;
  /** ISO 8601 durations counted from the record's last activity. */
  activePeriod?: string;
  archivePeriod?: string;
  /** Hard maximum age (footage: P90D) past which data is purged. */
  maxAge?: string;
  /** Retention required by law: erasure inside the period becomes a legal hold. */
  statutory: boolean;
  /** The legal basis named to the person when data is retained (R8). */
  basis?: string;
  erasure: ErasureStrategy;
  /**
   * R9: the daily retention run destroys what is past retention in this source without a
   * handler's approval (footage after 90 days); otherwise a handler approves each run.
   */
  autoExecute?: boolean;
}

export interface ControllerPolicy {
  /** CONTROLLER: the group decides; PROCESSOR: a client controls some or all records (R6). */
  role: 'CONTROLLER' | 'PROCESSOR';
  /** Set when every record is held for one client. */
  defaultControllerId?: string;
  note?: string;
}

/**
 * Why and on what basis the source processes personal data: the columns of a record of
 * processing (GDPR Art. 30(1); the UK ICO's template) that fields and retention do not give.
 */
export interface ProcessingDescription {
  /** Purposes of the processing, e.g. "medical and security assistance to members". */
  purposes: string[];
  /** Categories of individuals, e.g. "members", "patients", "job applicants". */
  dataSubjects: string[];
  /** The Article 6 lawful basis, e.g. "contract (Art. 6(1)(b))". */
  lawfulBasis: string;
  /** The Article 9 condition for special-category data; required when a field is special. */
  specialCategoryCondition?: string;
  /** Categories of recipients, e.g. "the member's employer or insurer (as controller)". */
  recipients: string[];
  /** Transfers to third countries or international organisations, and their safeguards. */
  transfers?: string;
}

/**
 * Rules the gateway applies because of what the source's data is, beyond its fields and
 * retention. A source says them in describe(); a source that says none is taken to follow
 * its kind's (KIND_RULES in src/domain/vocabulary.ts), and what it says wins over those.
 */
export interface SourceRules {
  /** R14: the person's own records are never overwritten: a correction is an annotation beside the original (medical records). */
  annotatesCorrections?: boolean;
  /**
   * R8: every record is under retention required by law, whatever the policy states;
   * `periods` (ISO 8601 durations from the record's last activity) count when the policy names none.
   */
  statutoryRetention?: { periods: string[] };
  /**
   * R9, R16: the records are footage: never held by statute, purged past their maximum
   * age, erased segment by segment; data it does not describe is video, withheld while
   * other people are in the frames.
   */
  footage?: boolean;
  /** R16: an online service: a child's data found there is deleted at once. */
  onlineService?: boolean;
  /** R16: only these record types are online services (sign-ups, accounts); the whole source when absent. */
  onlineRecordTypes?: string[];
  /**
   * R16: where a person's date of birth comes from: a fact of the record (`{ fact }`), or
   * 'REQUEST', the date of birth verified with the person's identity. When absent: the
   * record's age or date of birth facts, else the request's.
   */
  dateOfBirth?: { fact: string } | 'REQUEST';
  /**
   * R9: certificate numbers stay verifiable only if the person agrees: an erasure then
   * anonymises (the number stays, the holder goes); without agreement it deletes them.
   */
  verifiableCertificates?: boolean;
  /**
   * R8: a record whose `hired` fact is true is an employee's personnel file (a hired
   * candidate's application), kept whatever lists it for erasure.
   */
  personnelFiles?: boolean;
  /** Why the data is held, as an access copy tells the person (R1). */
  purpose?: string;
}

export interface SourceDescription {
  kind: SourceKind;
  name: string;
  fields: FieldDescription[];
  retention: RetentionPolicy;
  controller: ControllerPolicy;
  /** Purposes, lawful basis and recipients for the data map; a source without it is flagged there. */
  processing?: ProcessingDescription;
  /** What the gateway must do differently for this source's data (see SourceRules). */
  rules?: SourceRules;
}

export interface FieldChange {
  field: string;
  value: string;
  reason: string;
}

/** Erasure instructions: which action, and the ids that make repeats recognisable. */
export interface ErasurePlan {
  action: 'ERASE' | 'ANONYMISE' | 'MINIMISE' | 'PURGE';
  /** The request the erasure belongs to, or the retention run when retention ran out (R9). */
  requestId: string;
  taskId: string;
}

/** One record of a batched erasure. */
export interface ErasureItem {
  ref: RecordRef;
  plan: ErasurePlan;
}

export type ActionOutcome =
  | 'APPLIED' // the change was made now
  | 'ALREADY_APPLIED' // a repeat: the record was already in the wanted state
  | 'NOT_FOUND' // no such record (for an erasure this is success in effect)
  | 'REFUSED'; // the source will not do it (legal hold, unsupported field)

export interface ActionResult {
  outcome: ActionOutcome;
  detail?: string;
}

/** How many records hold one name value. */
export interface NameCount {
  value: string;
  records: number;
}

/** Connector.nameFrequencies: counts of the given and family names a source holds. */
export interface NameFrequencies {
  givenNames: NameCount[];
  familyNames: NameCount[];
  /**
   * How many values of each field the source holds in all, those held once and those beyond
   * the limit included: the frequencies' denominator (without it every listed name would
   * look common).
   */
  totals: { givenNames: number; familyNames: number };
}

export interface Health {
  healthy: boolean;
  latencyMs?: number;
  detail?: string;
}

export interface Connector {
  readonly kind: SourceKind;
  readonly capabilities: readonly Capability[];
  /** Identifier types this source can be searched by. */
  readonly identifierTypes: readonly IdentifierType[];
  describe(): SourceDescription;
  /** Batched lookup: one answer per query, in the same order. */
  discover(queries: DiscoveryQuery[]): Promise<SourceRecord[][]>;
  /**
   * Optional: about how many records discover() can return from (every record type,
   * appearances included). An estimate is fine (e.g. the database's statistics); it is
   * asked every few minutes, never per query. The gateway scales a large source's match
   * prior down with it; without it the source is scored as if it were small.
   */
  recordCount?(): Promise<number>;
  /**
   * Optional: how many records hold each given and each family name, for the gateway's
   * term-frequency tables (a common name agreeing counts for less than a rare one). Raw
   * values as held, most frequent first, at most `limit` per field; a value held by fewer
   * than 2 records is left out (held once, it identifies a person and adds nothing to a
   * frequency). Asked about once an hour, in the background, never per query.
   */
  nameFrequencies?(limit: number): Promise<NameFrequencies>;
  /** Full records for an access copy; unknown ids are left out. */
  export(refs: RecordRef[]): Promise<SourceRecord[]>;
  /**
   * Optional (footage sources): the records of anyone present at a site during a time
   * window (visits, each with its footage segments). Nothing in them identifies the person
   * asking: the gateway offers every one for a handler to confirm or reject (REVIEW).
   */
  findPresent?(query: PresenceQuery): Promise<SourceRecord[]>;
  correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult>;
  erase(ref: RecordRef, plan: ErasurePlan): Promise<ActionResult>;
  restrict(ref: RecordRef, on: boolean): Promise<ActionResult>;
  /**
   * Optional batched forms of erase and restrict: one answer per item, in order, each
   * as idempotent as the single call. The gateway's workers group the tasks that are
   * running at once for a source into one call, so a batch costs one transaction, not
   * one per record. A thrown error fails the whole call; the gateway then retries its
   * items one by one, so one bad record cannot hold back its neighbours.
   */
  eraseMany?(items: ErasureItem[]): Promise<ActionResult[]>;
  restrictMany?(refs: RecordRef[], on: boolean): Promise<ActionResult[]>;
  /**
   * Optional: for each record (same order), the ids of the other records of this source
   * whose data erasing it destroys too (footage: the visits recorded in the same segments).
   * Before an erasure the gateway looks for a hold on any of them (R8): a record another
   * open request keeps must not lose its data through someone else's erasure.
   */
  sharedWith?(refs: RecordRef[]): Promise<string[][]>;
  /**
   * Optional: the records created or active since a time (undated ones too), in record-id
   * order, `limit` at a time after the id `after`. The recreation sweep lists them (R10);
   * a source without it is skipped by the sweep and relies on the tombstone guard.
   */
  changedSince?(since: Date, limit: number, after?: string): Promise<SourceRecord[]>;
  /**
   * Optional: removes items past the source's maximum age that no record points to (R9;
   * footage of no visit), answering counts of what went by kind of item; `filesNotRemoved`
   * counts files its store left on disk. Records past retention go through retention runs
   * (listExpired); the daily retention schedule calls this in every source that has it.
   */
  purgeExpired?(now: Date): Promise<PurgeReport>;
  /**
   * Optional: the records whose retention has ended as of `asOf` by the source's own
   * policy (R9), in record-id order (byte order), at most `limit` after the cursor `after`; `next` is the
   * cursor of the following page (null: none). A page may hold fewer than `limit` records
   * and still have a next one. Records already in their erased state (anonymised) and
   * records without dates are left out. The gateway plans each one again by the policy
   * and the holds it knows (src/retention); a source without it is reported in every
   * retention run as one that cannot list its expired records.
   */
  listExpired?(asOf: Date, limit: number, after?: string): Promise<ExpiredPage>;
  /** Optional: rebuilds a blocking-key index the gateway keeps for the source (generic SQL). */
  refreshIndex?(): Promise<{ records: number; keys: number; durationMs: number }>;
  /** Optional: reaches the system to learn what it declares; called before the first discovery while it has declared no identifier types (remote sources). */
  connect?(): Promise<void>;
  health(): Promise<Health>;
  /** Releases pools and sockets. */
  close(): Promise<void>;
}

/** One page of records past retention (listExpired). */
export interface ExpiredPage {
  records: SourceRecord[];
  next: string | null;
}

/** What an expiry purge removed, by kind of item (e.g. `{ segments: 4, visits: 3, filesNotRemoved: 0 }`). */
export type PurgeReport = Record<string, number> & { filesNotRemoved?: number };

/** Failures a connector reports in a way the gateway can act on. */
export type ConnectorErrorCode =
  | 'UNAVAILABLE' // cannot reach the system: retry later
  | 'RATE_LIMITED' // too many requests: retry after `retryAfterMs`
  | 'INVALID_IDENTIFIER' // a query the source cannot use
  | 'NOT_SUPPORTED' // capability not offered
  | 'CONFIGURATION'; // the registration is wrong

export class ConnectorError extends Error {
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
