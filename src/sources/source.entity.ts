import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A registered source: a configured connector instance. The configuration holds
 * connection settings, mapping, controller and retention; secrets appear in it only
 * as the names of environment variables, never as values.
 */
@Entity({ name: 'source' })
export class SourceEntity {
  @PrimaryGeneratedColumn('uuid')
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
