import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key. The secret itself is never stored, only its SHA-256 (see api-key-format.ts). */
// Constraints and indexes as the migration creates them, so migration:generate sees no drift.
@Entity({ name: 'api_keys' })
@Check('api_keys_id_check', `id ~ '^[a-z0-9]{16}$'`)
@Check('api_keys_name_check', `length(name) BETWEEN 1 AND 200`)
@Check('api_keys_secret_hash_check', `secret_hash ~ '^[0-9a-f]{64}$'`)
@Check('api_keys_roles_check', `cardinality(roles) > 0`)
@Index('api_keys_active_idx', ['createdAt'], { where: 'revoked_at IS NULL' })
export class ApiKey {
  /** The public key id, also the prefix of the clear key (dsr_<id>_...). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', name: 'secret_hash' })
  secretHash!: string;

  @Column({ type: 'text', array: true })
  roles!: string[];

  /** Controllers the key is bound to; empty means every controller. */
  @Column({ type: 'text', array: true, name: 'controller_ids', default: () => "'{}'" })
  controllerIds!: string[];

  /** Sources a CONNECTOR key owns (added when it registers one). */
  @Column({ type: 'text', array: true, name: 'source_ids', default: () => "'{}'" })
  sourceIds!: string[];

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'text', name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'text', name: 'revoked_by', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'timestamptz', name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}
