import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One audit record. Append-only (the database refuses UPDATE, DELETE and TRUNCATE) and
 * hash-chained: `hash` = SHA-256 over `prevHash` and the canonical fields (chain.ts).
 * Holds ids and a digest of the parameters, never personal data.
 */
// Constraints and indexes as the migration creates them, so migration:generate sees no drift.
@Entity({ name: 'audit_log' })
@Check('audit_log_prev_hash_check', `prev_hash ~ '^[0-9a-f]{64}$'`)
@Check('audit_log_hash_check', `hash ~ '^[0-9a-f]{64}$'`)
@Index('audit_log_at_idx', ['at'])
@Index('audit_log_actor_idx', ['actorId', 'seq'])
@Index('audit_log_action_idx', ['action', 'seq'])
@Index('audit_log_target_idx', ['targetType', 'targetId', 'seq'])
@Index('audit_log_controller_idx', ['controllerId', 'seq'])
export class AuditEntry {
  /** Position in the chain (bigserial); bigint, so a string in JS. Also the list cursor. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq!: string;

  @Column({ type: 'uuid', unique: true })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text', name: 'actor_id' })
  actorId!: string;

  @Column({ type: 'text', name: 'actor_kind' })
  actorKind!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', name: 'target_type' })
  targetType!: string;

  @Column({ type: 'text', name: 'target_id', nullable: true })
  targetId!: string | null;

  @Column({ type: 'text', name: 'params_digest' })
  paramsDigest!: string;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text', name: 'controller_id', nullable: true })
  controllerId!: string | null;

  @Column({ type: 'text', name: 'prev_hash' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
