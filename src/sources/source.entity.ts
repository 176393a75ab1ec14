import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A registered source: a configured connector instance. The configuration holds
 * connection settings, mapping, controller and retention; secrets appear in it only
 * as the names of environment variables, never as values.
 */
@Entity({ name: 'source' })
@Check('source_id_check', `id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'`)
export class SourceEntity {
  /** A readable slug chosen at registration ('clinic', 'hr-emea'): it names the source's queue too. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text' })
  kind!: string;

  /** Connector implementation: a built-in system, `sql` or `remote`. */
  @Column({ type: 'text', name: 'connector_type' })
  connectorType!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  /** Client organisations (employers, insurers) controlling data in this source. */
  @Column({ type: 'text', array: true, name: 'controller_ids', default: () => "'{}'" })
  controllerIds!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'text', name: 'registered_by', nullable: true })
  registeredBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
