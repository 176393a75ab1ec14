import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { HmacKeyring } from '../crypto/hmac-keyring.js';
import { ACTION_PATTERN, AuditOutcome, type AuditActionName } from './audit-actions.js';
import { entryHash, paramsDigest, type ChainedFields } from './chain.js';
import { AuditError } from './errors.js';
import { DomainError } from '../domain/errors.js';
import { rowsOf } from '../database/rows.js';

/** Who acted. A Principal fits; background work uses kind 'system' or 'worker'. */
export interface AuditActor {
  id: string;
  kind: string;
}

export interface AuditRecordInput {
  actor: AuditActor;
  action: AuditActionName;
  target: { type: string; id?: string | null };
  /** The operation's parameters; only their digest is stored. May hold personal data. */
  params?: unknown;
  outcome: AuditOutcome | `${AuditOutcome}`;
  /** The controller whose data was touched, for scoped audit reading. */
  controllerId?: string | null;
}

/** An appended entry: the fields its hash covers, plus the chain links. */
export interface AuditEntryView extends ChainedFields {
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  actorId?: string;
  /** Exact action names (any of). */
  actions?: string[];
  targetType?: string;
  targetId?: string;
  controllerId?: string;
  outcome?: string;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
}

export interface AuditPageOptions {
  /** Page size, 1..MAX_AUDIT_PAGE (default 50). */
  first?: number;
  /** Cursor: the seq of the last entry of the previous page. */
  after?: string | null;
  /** 'desc' (newest first, default) or 'asc'. */
  order?: 'asc' | 'desc';
}

export interface AuditPage {
  entries: AuditEntryView[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Who is reading: a principal bound to controllers sees only their entries (none when bound to none); null is every controller. */
export interface AuditReadScope {
  controllerIds: readonly string[] | null;
}

export interface AuditRecorder {
  record(input: AuditRecordInput, manager?: EntityManager): Promise<AuditEntryView>;
}

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 500;

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

function validate(input: AuditRecordInput): void {
  const bad = (what: string) => new AuditError('INVALID_AUDIT_ENTRY', `audit entry has an invalid ${what}`);
  if (!input.actor || typeof input.actor.id !== 'string' || !input.actor.id || input.actor.id.length > 200) throw bad('actor id');
  if (typeof input.actor.kind !== 'string' || !NAME_PATTERN.test(input.actor.kind)) throw bad('actor kind');
  if (typeof input.action !== 'string' || input.action.length > 100 || !ACTION_PATTERN.test(input.action)) throw bad('action');
  if (!input.target || typeof input.target.type !== 'string' || !NAME_PATTERN.test(input.target.type)) throw bad('target type');
  if (input.target.id != null && (typeof input.target.id !== 'string' || input.target.id.length > 200)) throw bad('target id');
  if (!Object.values(AuditOutcome).includes(input.outcome as AuditOutcome)) throw bad('outcome');
  if (input.controllerId != null && (typeof input.controllerId !== 'string' || input.controllerId.length > 200)) {
    throw bad('controller id');
  }
}

/** A UTF-16 surrogate not paired with its other half (it has no UTF-8 form). */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Ids in an entry may come from a client (the id of a source someone tried to register).
 * The hash must cover exactly what PostgreSQL stores and gives back, and a refusal must
 * still be recorded, so the id is made storable here, before it is hashed, rather than the
 * record (and the refusal) failing: NUL (text cannot hold it) and lone surrogates (the
 * driver's UTF-8 encoding would turn them into U+FFFD, while the hash's JSON escapes them)
 * become U+FFFD, as String.prototype.toWellFormed does, and an over-long id is cut without
 * splitting a surrogate pair.
 */
function storableId<T extends string | null | undefined>(value: T): T {
  if (typeof value !== 'string') return value;
  const clean = value.split('\u0000').join('\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  return (clean.length > 200 ? `${clean.slice(0, 199).replace(LONE_SURROGATE, '\uFFFD')}\u2026` : clean) as T;
}

function storable(input: AuditRecordInput): AuditRecordInput {
  return {
    ...input,
    actor: input.actor && { ...input.actor, id: storableId(input.actor.id) },
    target: input.target && { ...input.target, id: storableId(input.target.id) },
    controllerId: storableId(input.controllerId),
  };
}

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  actor_id: string;
  actor_kind: string;
  action: string;
  target_type: string;
  target_id: string | null;
  params_digest: string;
  outcome: string;
  controller_id: string | null;
  prev_hash: string;
  hash: string;
}

export function rowToView(r: AuditRow): AuditEntryView {
  return {
    seq: String(r.seq),
    id: r.id,
    at: r.at instanceof Date ? r.at : new Date(r.at),
    actorId: r.actor_id,
    actorKind: r.actor_kind,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    paramsDigest: r.params_digest,
    outcome: r.outcome,
    controllerId: r.controller_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditLogOptions {
  /** HMAC keyring for parameter digests (recommended: the tombstone keyring). */
  digestKeyring?: HmacKeyring;
  now?: () => Date;
}

interface PendingEntry {
  input: AuditRecordInput;
  digest: string;
  at: Date;
  resolve: (view: AuditEntryView) => void;
  reject: (error: unknown) => void;
}

type PreparedEntry = { input: AuditRecordInput; digest: string; at: Date };

interface ChainHead {
  seq: string;
  hash: string;
}

/** Links entries after `head`: seq counts on from the head's, each hash covers the one before. */
function chainEntries(head: ChainHead, entries: readonly PreparedEntry[]): AuditEntryView[] {
  let prevHash = head.hash;
  return entries.map(({ input, digest, at }, i) => {
    const fields = {
      seq: String(BigInt(head.seq) + BigInt(i + 1)),
      id: randomUUID(),
      at,
      actorId: input.actor.id,
      actorKind: input.actor.kind,
      action: input.action,
      targetType: input.target.type,
      targetId: input.target.id ?? null,
      paramsDigest: digest,
      outcome: input.outcome,
      controllerId: input.controllerId ?? null,
    };
    const view = { ...fields, prevHash, hash: entryHash(prevHash, fields) };
    prevHash = view.hash;
    return view;
  });
}

function entryColumns(views: readonly AuditEntryView[]): unknown[] {
  const column = <K extends keyof AuditEntryView>(key: K) => views.map((v) => v[key]);
  const last = views[views.length - 1]!;
  return [
    column('seq'),
    column('id'),
    column('at'),
    column('actorId'),
    column('actorKind'),
    column('action'),
    column('targetType'),
    column('targetId'),
    column('paramsDigest'),
    column('outcome'),
    column('controllerId'),
    column('prevHash'),
    column('hash'),
    last.seq,
    last.hash,
  ];
}

/**
 * Moves the head from $16 (the hash the entries chain onto) to the last entry, and inserts
 * the entries. With `WHERE EXISTS (SELECT 1 FROM moved)` appended, nothing is inserted when
 * the head has moved on; the row lock the UPDATE takes orders concurrent appenders.
 */
const INSERT_ENTRIES = `WITH moved AS (
    UPDATE audit_chain_head SET last_seq = $14::bigint, last_hash = $15 WHERE id = 1 AND last_hash = $16 RETURNING 1)
  INSERT INTO audit_log (seq, id, at, actor_id, actor_kind, action, target_type, target_id, params_digest,
                         outcome, controller_id, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])`;

/** Runs `work` in the caller's transaction if it has one (no savepoint), else in a new one. */
function inTransaction<T>(manager: EntityManager, work: (m: EntityManager) => Promise<T>): Promise<T> {
  return manager.queryRunner?.isTransactionActive ? work(manager) : manager.transaction(work);
}

/** Most entries one group commit appends. */
const GROUP_LIMIT = 200;

/** The tamper-evident audit log: append (record) and read (list). */
export class AuditLog implements AuditRecorder {
  private pending: PendingEntry[] = [];
  private flushing = false;
  /** The chain head this process last wrote: a hint, checked by the statement that uses it. */
  private lastHead: ChainHead | null = null;
  private appending = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditLogOptions = {},
  ) {}

  /**
   * Appends one entry. Pass the caller's transaction manager so the entry commits or rolls
   * back with the change it records. Appends are serialised by a row lock on the chain head,
   * held until that transaction ends: keep such transactions short.
   */
  async record(input: AuditRecordInput, manager?: EntityManager): Promise<AuditEntryView> {
    const entry = this.prepare(input);
    if (manager) return (await this.append([entry], manager))[0]!;
    const { digest, at } = entry;
    input = entry.input;
    // Without a caller's transaction, entries that arrive together share one group commit:
    // one lock of the chain head and one insert for many entries, instead of one each.
    return new Promise<AuditEntryView>((resolve, reject) => {
      this.pending.push({ input, digest, at, resolve, reject });
      if (!this.flushing) setImmediate(() => void this.flush());
    });
  }

  /**
   * Appends several entries in the caller's transaction with one lock of the chain head.
   * Call it last in the transaction: the lock is held until the transaction ends, and
   * every other appender waits for it.
   */
  async recordAll(inputs: readonly AuditRecordInput[], manager: EntityManager): Promise<AuditEntryView[]> {
    const entries = inputs.map((input) => this.prepare(input));
    if (entries.length === 0) return [];
    return this.append(entries, manager);
  }

  private prepare(input: AuditRecordInput): PreparedEntry {
    const clean = storable(input);
    validate(clean);
    return { input: clean, digest: paramsDigest(clean.params, this.options.digestKeyring), at: (this.options.now ?? (() => new Date()))() };
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, GROUP_LIMIT);
        try {
          const views = await this.append(group);
          group.forEach((entry, i) => entry.resolve(views[i]!));
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Appends entries in order, in the caller's transaction when given one. The fast path is
   * one statement (on its own it needs no transaction): this process remembers the head it
   * last wrote and chains onto it, and the statement moves the head only if it is still
   * there (another process may have appended since). Otherwise the head is locked and read
   * first, in a transaction. Either way the head row's lock orders appenders, and seq
   * continues from the head's last_seq.
   */
  private async append(entries: readonly PreparedEntry[], manager?: EntityManager): Promise<AuditEntryView[]> {
    // Another append of this process in flight will move the head: the hint would be stale.
    const known = this.appending === 0 ? this.lastHead : null;
    this.appending++;
    try {
      if (known) {
        const views = chainEntries(known, entries);
        const m = manager ?? this.dataSource.manager;
        const inserted = rowsOf(await m.query(`${INSERT_ENTRIES} WHERE EXISTS (SELECT 1 FROM moved) RETURNING seq`, [...entryColumns(views), known.hash]));
        if (inserted.length === views.length) return this.remember(views);
      }
      const locked = async (m: EntityManager) => {
        const [head] = (await m.query(`SELECT last_seq::text AS seq, last_hash AS hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`)) as ChainHead[];
        if (!head) throw new Error('audit_chain_head is missing: run the migrations');
        const views = chainEntries(head, entries);
        await m.query(INSERT_ENTRIES, [...entryColumns(views), head.hash]);
        return views;
      };
      return this.remember(manager ? await inTransaction(manager, locked) : await this.dataSource.transaction(locked));
    } finally {
      this.appending--;
    }
  }

  private remember(views: AuditEntryView[]): AuditEntryView[] {
    const last = views[views.length - 1]!;
    this.lastHead = { seq: last.seq, hash: last.hash };
    return views;
  }

  /** Lists entries with filters and a seq cursor. `scope` restricts to the reader's controllers. */
  async list(filter: AuditFilter = {}, page: AuditPageOptions = {}, scope?: AuditReadScope): Promise<AuditPage> {
    const first = page.first ?? DEFAULT_AUDIT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE) {
      throw new DomainError('BAD_USER_INPUT', `first must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
    }
    const order = page.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new DomainError('BAD_USER_INPUT', 'order must be asc or desc');
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (page.after != null) {
      if (typeof page.after !== 'string' || !/^\d{1,18}$/.test(page.after)) throw new DomainError('BAD_USER_INPUT', 'invalid cursor');
      add(order === 'asc' ? 'audit_log.seq > ?::bigint' : 'audit_log.seq < ?::bigint', page.after);
    }
    if (filter.actorId != null) add('actor_id = ?', filter.actorId);
    if (filter.actions != null && filter.actions.length > 0) add('action = ANY(?::text[])', filter.actions);
    if (filter.targetType != null) add('target_type = ?', filter.targetType);
    if (filter.targetId != null) add('target_id = ?', filter.targetId);
    if (filter.controllerId != null) add('controller_id = ?', filter.controllerId);
    if (filter.outcome != null) add('outcome = ?', filter.outcome);
    for (const [name, value] of [
      ['from', filter.from],
      ['to', filter.to],
    ] as const) {
      if (value != null && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
        throw new DomainError('BAD_USER_INPUT', `${name} must be a valid date`);
      }
    }
    if (filter.from != null) add('at >= ?', filter.from);
    if (filter.to != null) add('at < ?', filter.to);
    if (scope && scope.controllerIds !== null) add('controller_id = ANY(?::text[])', [...scope.controllerIds]);
    params.push(first + 1);
    const rows = (await this.dataSource.query(
      `SELECT seq::text AS seq, id, at, actor_id, actor_kind, action, target_type, target_id, params_digest,
              outcome, controller_id, prev_hash, hash
         FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY audit_log.seq ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
      params,
    )) as AuditRow[];
    const hasNextPage = rows.length > first;
    const entries = rows.slice(0, first).map(rowToView);
    return { entries, pageInfo: { hasNextPage, endCursor: entries.length ? entries[entries.length - 1]!.seq : null } };
  }
}
