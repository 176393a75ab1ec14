import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity.js';

/** What will happen to one record, as computed from the rules, and any handler override. */
@Entity({ name: 'record_decision' })
@Index('record_decision_key', ['requestId', 'sourceId', 'recordId'], { unique: true })
export class RecordDecisionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'record_decision_request_fk' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text', name: 'record_id' })
  recordId!: string;

  @Column({ type: 'text' })
  action!: string;

  /** The action the rules computed, kept when a handler overrides it. */
  @Column({ type: 'text', name: 'computed_action' })
  computedAction!: string;

  @Column({ type: 'text', nullable: true })
  basis!: string | null;

  @Column({ type: 'timestamptz', name: 'retain_until', nullable: true })
  retainUntil!: Date | null;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'boolean', name: 'needs_controller', default: false })
  needsController!: boolean;

  /** The action once the controller instructs (set while waiting for one). */
  @Column({ type: 'text', name: 'proposed_action', nullable: true })
  proposedAction!: string | null;

  /** A second action that goes with this one (RESTRICT during a legal hold, ERASE of a child's data). */
  @Column({ type: 'text', name: 'follow_up_action', nullable: true })
  followUpAction!: string | null;

  /** R6: the controller the record is exported to before its erasure (its instruction at the end of its contract). */
  @Column({ type: 'text', name: 'return_to_controller', nullable: true })
  returnToController!: string | null;

  /** The rules could not settle it (e.g. a record under statutory retention with no dates): a handler must look. */
  @Column({ type: 'boolean', name: 'needs_review', default: false })
  needsReview!: boolean;

  /** Ids of the rules that produced the decision (R8, R9, ...). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  rules!: string[];

  /**
   * RECTIFICATION: the requested fields this record's source can take (names only). Null for
   * other request types; empty when none applies (the decision then says why).
   */
  @Column({ type: 'text', array: true, name: 'correction_fields', nullable: true })
  correctionFields!: string[] | null;

  @Column({ type: 'text', name: 'override_reason', nullable: true })
  overrideReason!: string | null;

  @Column({ type: 'text', name: 'overridden_by', nullable: true })
  overriddenBy!: string | null;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
