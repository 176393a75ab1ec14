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

  /** The archive, AES-256-GCM sealed (base64 envelope). */
  @Column({ type: 'text', name: 'archive_sealed' })
  archiveSealed!: string;

  @Column({ type: 'jsonb' })
  manifest!: Record<string, unknown>;

  @Column({ type: 'text', name: 'token_hash' })
  tokenHash!: string;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', name: 'downloaded_at', nullable: true })
  downloadedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
