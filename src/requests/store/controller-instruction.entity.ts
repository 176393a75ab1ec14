import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity.js';

/**
 * A controller's instruction for the records it controls in one source (R6, R7). A source may
 * hold records of several controllers for one person: each instruction binds only its own.
 */
@Entity({ name: 'controller_instruction' })
@Index('controller_instruction_key', ['requestId', 'sourceId', 'controllerId'], { unique: true })
export class ControllerInstructionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'controller_instruction_request_fk' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'text', name: 'source_id' })
  sourceId!: string;

  @Column({ type: 'text', name: 'controller_id' })
  controllerId!: string;

  @Column({ type: 'text' })
  decision!: string;

  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
