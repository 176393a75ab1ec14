import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SourceDescription } from '../../connectors/contract.js';
import type { Capability, IdentifierType } from '../domain/vocabulary.js';

/** Where a source is in its life cycle; only ACTIVE sources are searched, checked or sent tasks. */
export enum SourceStatus {
  PENDING_APPROVAL = 'PENDING_APPROVAL',
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
  REMOVED = 'REMOVED',
}

/** A registration's settings as stored in the source's columns (what it is built from and scoped by). */
export interface RegistrationColumns {
  name: string;
  kind: string;
  connectorType: string;
  config: Record<string, unknown>;
  controllerIds: string[];
  /** The phone country it names; null: keeps the one it has. */
  phoneCountry: string | null;
}

/**
 * A change waiting for approval: what the source would declare, and, for a changed
 * registration (rather than a remote's changed description), the registration itself.
 */
export interface ProposedChange extends Omit<DeclaredSource, 'proposed' | 'approvedBefore'> {
  registration?: RegistrationColumns;
}

export interface DeclaredSource {
  identifierTypes: IdentifierType[];
  capabilities: Capability[];
  description: SourceDescription;
  /**
   * A change since approval waiting for an administrator (the source is PENDING_APPROVAL, or
   * DISABLED and asked for approval when enabled): what a remote now describes itself as, or a
   * source team's changed registration. The source is held to the approved one until the
   * change is approved, which makes it exactly what the source is held to.
   */
  proposed?: ProposedChange;
  /**
   * R1: set while a source that was ACTIVE waits for approval again (a changed registration or
   * description): it holds records discovery read before, so a search without it is not complete.
   */
  approvedBefore?: true;
}

/**
 * A registered source: a configured connector instance. The configuration holds
 * connection settings, mapping, controller and retention; secrets appear in it only
 * as the names of environment variables, never as values.
 */
@Entity({ name: 'source' })
@Check('source_id_check', `id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'`)
export class SourceEntity {
  /** A readable slug chosen at registration ('hr-emea', 'crm-eu'): it names the source's queue too. */
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

  /** PENDING_APPROVAL until an administrator approves a CONNECTOR's registration; only ACTIVE sources get traffic. */
  @Column({ type: 'text', default: 'ACTIVE' })
  status!: SourceStatus;

  /**
   * ISO 3166 alpha-2 country its phone numbers written without a +prefix are read in (records,
   * keys, tombstones, its bound keys' checks). GB for sources registered before it existed.
   */
  @Column({ type: 'text', name: 'phone_country', default: 'GB' })
  phoneCountry!: string;

  /**
   * The phone countries it was read in before `phoneCountry`, oldest first (a registration that
   * named another one): tombstones written from its records may hold any of these readings, so
   * its bound keys' checks and the recreation sweep read a national number in each of them too.
   */
  @Column({ type: 'text', array: true, name: 'phone_countries_before', default: () => "'{}'" })
  phoneCountriesBefore!: string[];

  /**
   * What the source declared when registered (and was approved with): what the approval view
   * shows, discovery may send, and a remote source is described as and checked against.
   */
  @Column({ type: 'jsonb', nullable: true })
  declared!: DeclaredSource | null;

  /**
   * When an administrator last approved what it is held to (approveSource, or an ADMIN's or the
   * sources file's registration); null while never approved: enabling it then asks for approval.
   */
  @Column({ type: 'timestamptz', name: 'approved_at', nullable: true })
  approvedAt!: Date | null;

  /** Who last approved, disabled, enabled or removed it, and when. */
  @Column({ type: 'text', name: 'reviewed_by', nullable: true })
  reviewedBy!: string | null;

  @Column({ type: 'timestamptz', name: 'reviewed_at', nullable: true })
  reviewedAt!: Date | null;

  @Column({ type: 'text', name: 'registered_by', nullable: true })
  registeredBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
