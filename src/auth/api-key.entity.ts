import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An API key. The secret itself is never stored, only its SHA-256 (see api-key-format.ts). */
@Entity({ name: 'api_keys' })
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
  @Column({ type: 'text', array: true, name: 'controller_ids' })
  controllerIds!: string[];

  /** Sources a CONNECTOR key owns (added when it registers one). */
  @Column({ type: 'text', array: true, name: 'source_ids' })
  sourceIds!: string[];

  @Column({ type: 'timestamptz', name: 'created_at' })
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
