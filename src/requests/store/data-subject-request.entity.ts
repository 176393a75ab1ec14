import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export interface DiscoveryOutcome {
  complete: boolean;
  sources: { sourceId: string; status: string; errorCode: string | null; records: number }[];
  /** R1: the handler's audited decision to execute without these unsearched sources. */
  notSearched?: SourcesNotSearched;
}

export interface SourcesNotSearched {
  sourceIds: string[];
  reason: string;
  actor: string;
  /** ISO 8601 instant. */
  at: string;
}

/**
 * R14: the handler's finding on the accuracy of the data of a RECTIFICATION request. Field
 * names and reasons only: the corrected values stay in the encrypted corrections.
 */
export interface InaccuracyFindingRecord {
  /** True when the data was found inaccurate (the accepted corrections may be made). */
  inaccurate: boolean;
  reason: string;
  evidenceRef: string | null;
  actor: string;
  /** ISO 8601 instant. */
  at: string;
  /** Requested fields found inaccurate: corrected (or annotated). */
  accepted: string[];
  /** Requested fields found accurate: left as they are, each with why. */
  rejected: { field: string; reason: string }[];
}

/**
 * A data-subject request. The subject's identifiers and the corrections asked for are
 * personal data: they are stored only as AES-256-GCM envelopes, with a keyed blind index
 * (HMAC of each normalised identifier) to find possible duplicates without decrypting.
 */
@Entity({ name: 'data_subject_request' })
@Index('dsr_blind_index_idx', ['blindIndex'], { type: 'gin' })
@Index('dsr_status_due_idx', ['status', 'dueAt'])
@Index('dsr_received_at_idx', ['receivedAt'])
export class DataSubjectRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  status!: string;

  /** Status to return to when an ON_HOLD request resumes. */
  @Column({ type: 'text', name: 'held_from', nullable: true })
  heldFrom!: string | null;

  @Column({ type: 'text', name: 'hold_reason', nullable: true })
  holdReason!: string | null;

  @Column({ type: 'timestamptz', name: 'received_at' })
  receivedAt!: Date;

  @Column({ type: 'timestamptz', name: 'verified_at', nullable: true })
  verifiedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'acknowledge_by' })
  acknowledgeBy!: Date;

  @Column({ type: 'timestamptz', name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'due_at', nullable: true })
  dueAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'extended_due_at', nullable: true })
  extendedDueAt!: Date | null;

  @Column({ type: 'text', name: 'extension_reason', nullable: true })
  extensionReason!: string | null;

  /** R5: when the handler recorded the extension notice as sent to the person (null: still to send). */
  @Column({ type: 'timestamptz', name: 'extension_notice_sent_at', nullable: true })
  extensionNoticeSentAt!: Date | null;

  /** Who recorded it (a principal id). */
  @Column({ type: 'text', name: 'extension_notice_sent_by', nullable: true })
  extensionNoticeSentBy!: string | null;

  @Column({ type: 'text' })
  jurisdiction!: string;

  @Column({ type: 'text', nullable: true })
  channel!: string | null;

  /** Encrypted: what the person asks about, in their words. */
  @Column({ type: 'text', name: 'scope_sealed', nullable: true })
  scopeSealed!: string | null;

  /** Encrypted JSON array of the subject's identifiers ({type, value}); null once a completed erasure destroyed them (R11). */
  @Column({ type: 'text', name: 'identifiers_sealed', nullable: true })
  identifiersSealed!: string | null;

  /** When a completed erasure destroyed the sealed identifiers (R11: the minimal record stays). */
  @Column({ type: 'timestamptz', name: 'identifiers_destroyed_at', nullable: true })
  identifiersDestroyedAt!: Date | null;

  /** Encrypted JSON {site, from, to}: where and when the person says they were (footage look-up); null once destroyed with the identifiers (R11). */
  @Column({ type: 'text', name: 'presence_sealed', nullable: true })
  presenceSealed!: string | null;

  /** Keyed hashes of the normalised identifiers: duplicate detection without clear data. */
  @Column({ type: 'text', array: true, name: 'blind_index' })
  blindIndex!: string[];

  /** Encrypted JSON array of requested corrections ({field, value, reason}). */
  @Column({ type: 'text', name: 'corrections_sealed', nullable: true })
  correctionsSealed!: string | null;

  @Column({ type: 'text', name: 'verification_method', nullable: true })
  verificationMethod!: string | null;

  @Column({ type: 'text', name: 'verification_evidence_ref', nullable: true })
  verificationEvidenceRef!: string | null;

  /** R16: the handler checked the date of birth given with the request against the proof of identity. */
  @Column({ type: 'boolean', name: 'date_of_birth_verified', default: false })
  dateOfBirthVerified!: boolean;

  /** R9: the person's answer on keeping certificate numbers verifiable (null: not given). */
  @Column({ type: 'boolean', name: 'certificates_verifiable', nullable: true })
  certificatesVerifiable!: boolean | null;

  /** Controllers whose records this request touches: scoping of handlers bound to controllers. */
  @Column({ type: 'text', array: true, name: 'controller_ids', default: () => "'{}'" })
  controllerIds!: string[];

  /** Other requests that share a blind-index value: reported, never merged. */
  @Column({ type: 'uuid', array: true, name: 'possible_duplicate_of', default: () => "'{}'" })
  possibleDuplicateOf!: string[];

  /** How each source answered the discovery run at verification (no record data): a partial snapshot is visible. */
  @Column({ type: 'jsonb', name: 'discovery_outcome', nullable: true })
  discoveryOutcome!: DiscoveryOutcome | null;

  /** R14: the handler's finding that the data was inaccurate (RECTIFICATION); execution waits for it. */
  @Column({ type: 'jsonb', name: 'inaccuracy_finding', nullable: true })
  inaccuracyFinding!: InaccuracyFindingRecord | null;

  /** The response summary, written when the request closes. */
  @Column({ type: 'jsonb', nullable: true })
  response!: Record<string, unknown> | null;

  @Column({ type: 'text', name: 'created_by' })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  /** Optimistic lock: two handlers acting at once cannot both win. */
  @VersionColumn({ type: 'integer' })
  version!: number;
}
