import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity.js';

/** Every status change of a request, with who, when and why. */
@Entity({ name: 'request_transition' })
@Index('request_transition_request_idx', ['requestId', 'at'])
@Index('request_transition_to_status_at_idx', ['toStatus', 'at'])
export class RequestTransitionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'request_transition_request_fk' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'text', name: 'from_status', nullable: true })
  fromStatus!: string | null;

  @Column({ type: 'text', name: 'to_status' })
  toStatus!: string;

  @Column({ type: 'text' })
  event!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
