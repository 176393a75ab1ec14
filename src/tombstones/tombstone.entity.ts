import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A tombstone: the keyed hash of one normalised identifier of an erased person, with the
 * erasure request that wrote it. One row per request: two erasures of the same person each
 * hold their own, so one withdrawn (rejected, cancelled) leaves the other's in place. No clear personal data: the minimal record of the
 * erasure (R11) that stops a feed from recreating the person (R10).
 */
@Entity({ name: 'tombstone' })
@Index('tombstone_hash_key', ['hash', 'kid', 'requestId'], { unique: true })
@Index('tombstone_request_idx', ['requestId'])
export class TombstoneEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Id of the tombstone key that made the hash (keys rotate; old ones still match). */
  @Column({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ type: 'uuid', name: 'request_id' })
  requestId!: string;

  /** When the erasure was approved. */
  @Column({ type: 'timestamptz', name: 'erased_at' })
  erasedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
