import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DataSubjectRequestEntity } from '../../requests/store/data-subject-request.entity.js';

/**
 * One unit of queued work: an action on one record in one source for one request or one
 * retention run. The
 * table keeps the history; queue jobs come and go. Its id is the job id, so adding the
 * same task twice adds one job. Its status columns are not indexed, so the updates as it
 * runs stay on the row's page (migration TaskUpdatesInPlace).
 */
@Entity({ name: 'task' })
@Index('task_key', ['requestId', 'sourceId', 'recordId', 'action'], { unique: true })
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The request the task belongs to; null for a retention run's task. */
  @Column({ type: 'uuid', name: 'request_id', nullable: true })
  requestId!: string | null;

  /** The retention run the task belongs to (R9); null for a request's task. Exactly one of the two is set. */
  @Column({ type: 'uuid', name: 'retention_run_id', nullable: true })
  retentionRunId!: string | null;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'task_request_fk' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text', name: 'record_id' })
  recordId!: string;

  @Column({ type: 'text' })
  action!: string;

  /** QUEUED, RUNNING, RETRYING (between attempts), SUCCEEDED, FAILED, REOPENED (queued again after verification found the record). */
  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The queue job that runs it now: the task id first, a fresh id for each re-run. */
  @Column({ type: 'text', name: 'job_id', nullable: true })
  jobId!: string | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  /**
   * The open request whose hold stopped the task (OPEN_REQUEST, CONTROLLER_REFUSED): never
   * in last_error, which whoever reads this task's request sees; shown only to a caller whose
   * scope covers the holding request.
   */
  @Column({ type: 'uuid', name: 'held_by_request_id', nullable: true })
  heldByRequestId!: string | null;

  /** The connector's answer: APPLIED, ALREADY_APPLIED, NOT_FOUND, REFUSED. */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  /** How many times the connector actually changed the record (exactly-once checks). */
  @Column({ type: 'integer', name: 'applied_count', default: 0 })
  appliedCount!: number;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', name: 'duration_ms', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'timestamptz', name: 'verified_at', nullable: true })
  verifiedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
