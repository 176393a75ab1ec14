import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity.js';

/**
 * One record of the discovery snapshot saved at verification: what was found, where,
 * how well it matched, and how the handler settled it. Holds no record data: the
 * explanation keeps comparison levels and weights, not the values compared.
 */
@Entity({ name: 'request_record' })
@Index('request_record_key', ['requestId', 'sourceId', 'recordId'], { unique: true })
export class RequestRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'request_record_request_fk' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text', name: 'record_id' })
  recordId!: string;

  @Column({ type: 'text', name: 'record_type' })
  recordType!: string;

  @Column({ type: 'text' })
  relationship!: string;

  @Column({ type: 'text', name: 'parent_record_id', nullable: true })
  parentRecordId!: string | null;

  @Column({ type: 'text' })
  band!: string;

  @Column({ type: 'double precision' })
  score!: number;

  /** AUTO (a MATCH), PENDING (a REVIEW awaiting the handler), CONFIRMED or REJECTED. */
  @Column({ type: 'text', name: 'review_state' })
  reviewState!: string;

  @Column({ type: 'text', name: 'controller_id', nullable: true })
  controllerId!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories!: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  dates!: Record<string, string>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  facts!: Record<string, string | number | boolean | null>;

  /** Per-field comparison levels and weights (no values). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  explanation!: unknown[];
}
