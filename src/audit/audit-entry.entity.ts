import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One audit record. Append-only (the database refuses UPDATE, DELETE and TRUNCATE) and
 * hash-chained: `hash` = SHA-256 over `prevHash` and the canonical fields (chain.ts).
 * Holds ids and a digest of the parameters, never personal data.
 */
@Entity({ name: 'audit_log' })
export class AuditEntry {
  /** Position in the chain; bigint, so a string in JS. Also the list cursor. */
  @PrimaryColumn({ type: 'bigint' })
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
