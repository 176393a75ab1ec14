import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity.js';

/**
 * A built access package. The archive is personal data: stored encrypted, served once
 * through a short-lived link whose token is kept only as a hash.
 */
@Entity({ name: 'access_package' })
@Index('access_package_request_idx', ['requestId'])
@Index('access_package_token_key', ['tokenHash'], { unique: true })
export class AccessPackageEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'access_package_request_fk' })
  request?: DataSubjectRequestEntity;

  /** SHA-256 of the archive bytes, as given to the person. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ type: 'integer', name: 'size_bytes' })
  sizeBytes!: number;

  /** The archive, AES-256-GCM sealed (base64 envelope); null once destroyed. */
  @Column({ type: 'text', name: 'archive_sealed', nullable: true })
  archiveSealed!: string | null;

  @Column({ type: 'jsonb' })
  manifest!: Record<string, unknown>;

  @Column({ type: 'text', name: 'token_hash' })
  tokenHash!: string;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', name: 'downloaded_at', nullable: true })
  downloadedAt!: Date | null;

  /** R10, R11: the archive is destroyed then (ACCESS_PACKAGE_RETENTION_DAYS after it was built), if not earlier. */
  @Column({ type: 'timestamptz', name: 'retain_until' })
  retainUntil!: Date;

  @Column({ type: 'timestamptz', name: 'destroyed_at', nullable: true })
  destroyedAt!: Date | null;

  /** PackageDestroyedReason: RETENTION_ENDED, ERASURE_COMPLETED, REQUEST_REJECTED, REQUEST_CANCELLED or REVOKED. */
  @Column({ type: 'text', name: 'destroyed_reason', nullable: true })
  destroyedReason!: string | null;

  /** The handler's reason when the package was revoked (destroyedReason REVOKED); null otherwise. */
  @Column({ type: 'text', name: 'revocation_reason', nullable: true })
  revocationReason!: string | null;

  /** Per source: record types and data categories (no values): what others may see of it. */
  @Column({ type: 'jsonb' })
  contents!: unknown[];

  /** R12: special categories the archive holds in clear; null when unknown (older packages). */
  @Column({ type: 'text', array: true, name: 'special_categories', nullable: true })
  specialCategories!: string[] | null;

  /** R6: the controller whose returned records the package holds; null for a person's access package. */
  @Column({ type: 'text', name: 'controller_id', nullable: true })
  controllerId!: string | null;

  /** Whether the current link was issued to a principal cleared for special categories. */
  @Column({ type: 'boolean', name: 'link_sees_special' })
  linkSeesSpecial!: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
