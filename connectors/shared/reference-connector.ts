// The common machinery of the six reference stores: each is a PostgreSQL schema whose
// records are exposed through one `appearance` view (record_id, record_type, doc) and
// indexed by blocking key in `record_key`. Discovery is one SQL statement per batch.
import type pg from 'pg';
import {
  ConnectorError,
  type ActionResult,
  type Connector,
  type DiscoveryQuery,
  type ErasureItem,
  type ErasurePlan,
  type ExpiredPage,
  type FieldChange,
  type Health,
  type Identifier,
  type NameFrequencies,
  type RecordRef,
  type SourceDescription,
  type SourceRecord,
} from '../contract.js';
import { Capability, IdentifierType, type SourceKind } from '../../src/domain/vocabulary.js';
import { createPool, ident, qualified, withTransaction } from './sql.js';
import { KEY_TABLE, dropKeys, rebuildKeysIfStale, reindexRecord, type KeyRebuild } from './key-table.js';
import type { NormaliseOptions } from '../../src/identity/normalise/index.js';
import type { CountryCode } from 'libphonenumber-js';
import { keyBatch, validateQueries } from './query-validation.js';
import { datesOf } from './record-helpers.js';
import { earliestStartPastRetention, retentionEndOf } from '../../src/requests/decisions.js';
import { recordCountOf, recordCountSql } from './record-count.js';
import { nameFrequenciesOf, type NameColumn } from './name-frequencies.js';

export type Row = Record<string, unknown>;

/**
 * Registers work to run once the erasure's transaction has committed: what lives outside
 * the database (files) is removed only when the rows that point to it are surely gone.
 * The work runs before the batch answers, so it may still amend, in place, the answer
 * objects its eraseRecords returned (a file that stayed on disk is not a success).
 */
export type AfterCommit = (work: () => Promise<void>) => void;

export interface ChildTable {
  /** Name of the list in the exported record's data. */
  name: string;
  table: string;
  foreignKey: string;
  /** Columns left out of the access copy (e.g. an encrypted card number). */
  omit?: string[];
}

export interface RecordTypeSpec {
  recordType: string;
  table: string;
  /** Record ids of this type start with this prefix, e.g. 'CASE-'. */
  prefix: string;
  identifiersOf(row: Row): Identifier[];
  /** What differs per record type: relationship, parent, controller, facts. Data, dates and the restriction flag come from the row. */
  toRecord(row: Row): Omit<SourceRecord, 'recordId' | 'recordType' | 'identifiers' | 'data' | 'dates' | 'restricted'>;
  /** Contract field name -> column that `correct` may change. */
  correctable?: Record<string, string>;
  children?: ChildTable[];
}

export interface ReferenceStoreConfig {
  /** Database URL; the store lives in its own schema inside it. */
  url: string;
  schema: string;
  /** Shared pool, if the caller manages one; otherwise the connector opens its own. */
  pool?: pg.Pool;
  /** The country national-format phone numbers in the store are keyed in (the registration's phoneCountry; default GB). */
  phoneCountry?: CountryCode;
}

/** Columns every reference table carries for the gateway's own bookkeeping. */
export const INTERNAL_COLUMNS = new Set(['restricted', 'anonymised_at']);

export function publicData(row: Row, omit: readonly string[] = []): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (INTERNAL_COLUMNS.has(k) || omit.includes(k)) continue;
    data[k] = v;
  }
  return data;
}

/** The ids of loaded rows. */
export function rowIds(rows: readonly Row[]): string[] {
  return rows.map((r) => String(r.id));
}

/** A typed identifier list without empty values. */
export function ids(pairs: [IdentifierType, unknown][]): Identifier[] {
  const out: Identifier[] = [];
  for (const [type, value] of pairs) {
    if (value === null || value === undefined) continue;
    const text = String(value).trim();
    if (text) out.push({ type, value: text });
  }
  return out;
}

/**
 * The column a correction of `field` changes: fields are named as describe() names them
 * (the column, e.g. given_name) or by their record name (givenName); anything else is
 * not correctable here.
 */
export function correctableColumn(spec: { correctable?: Record<string, string> }, field: string): string | undefined {
  const byName = spec.correctable?.[field];
  if (byName) return byName;
  return Object.values(spec.correctable ?? {}).includes(field) ? field : undefined;
}

export function appearanceViewDdl(schema: string, specs: readonly { recordType: string; table: string }[]): string {
  const parts = specs.map((s) => `SELECT t.id AS record_id, '${s.recordType}'::text AS record_type, to_jsonb(t) AS doc FROM ${qualified(schema, s.table)} t`);
  return `CREATE OR REPLACE VIEW ${qualified(schema, 'appearance')} AS ${parts.join(' UNION ALL ')}`;
}

/**
 * When a record last changed, for the recreation sweep: the later of its creation and
 * last activity, or "infinity" when it has no creation date (a feed that wrote it without
 * one is always looked at). One expression, so one index serves the sweep's query.
 */
const CHANGED_AT = `(CASE WHEN created_at IS NULL THEN 'infinity'::timestamptz ELSE GREATEST(created_at, last_activity_at) END)`;

/** Indexes on each record table's change time (CHANGED_AT), used by changedSince(). */
export function changeIndexDdl(schema: string, specs: readonly { table: string }[]): string[] {
  return specs.map((s) => `CREATE INDEX IF NOT EXISTS ${ident(`${s.table}_changed_idx`)} ON ${qualified(schema, s.table)} (${CHANGED_AT})`);
}

export abstract class ReferenceConnector implements Connector {
  abstract readonly kind: SourceKind;
  readonly capabilities: readonly Capability[] = [Capability.DISCOVER, Capability.EXPORT, Capability.CORRECT, Capability.ERASE, Capability.RESTRICT];
  abstract readonly identifierTypes: readonly IdentifierType[];
  protected abstract readonly recordTypes: readonly RecordTypeSpec[];
  protected readonly pool: pg.Pool;
  protected readonly schema: string;
  private readonly ownsPool: boolean;
  private keysCurrent?: Promise<KeyRebuild>;
  /** How the store's values are read for its keys (its phone country). */
  protected readonly reading: NormaliseOptions;

  constructor(config: ReferenceStoreConfig) {
    ident(config.schema);
    this.schema = config.schema;
    this.reading = config.phoneCountry ? { defaultCountry: config.phoneCountry } : {};
    this.ownsPool = !config.pool;
    this.pool = config.pool ?? createPool(config.url, 4, `dsr-connector-${config.schema}`);
  }

  abstract describe(): SourceDescription;

  /**
   * Source-specific erasure of records of one type with one action, inside a transaction,
   * their rows locked: one answer per row, in order. Written set-based (statements for the
   * whole group, never one per record), so a batch costs what one record costs. What lives
   * outside the database is removed through `afterCommit`.
   */
  protected abstract eraseRecords(
    client: pg.PoolClient,
    spec: RecordTypeSpec,
    rows: readonly Row[],
    action: ErasurePlan['action'],
    afterCommit: AfterCommit,
  ): Promise<ActionResult[]>;

  protected table(name: string): string {
    return qualified(this.schema, name);
  }

  protected specFor(recordId: string): RecordTypeSpec | undefined {
    return this.recordTypes.find((s) => recordId.startsWith(s.prefix));
  }

  protected toSourceRecord(recordId: string, recordType: string, doc: Row): SourceRecord {
    const spec = this.recordTypes.find((s) => s.recordType === recordType);
    if (!spec) throw new ConnectorError('CONFIGURATION', `unknown record type ${recordType}`);
    return {
      recordId,
      recordType,
      identifiers: spec.identifiersOf(doc),
      data: publicData(doc),
      dates: datesOf(doc),
      restricted: Boolean(doc.restricted),
      ...spec.toRecord(doc),
    };
  }

  async discover(queries: DiscoveryQuery[]): Promise<SourceRecord[][]> {
    const valid = validateQueries(queries);
    const answers: SourceRecord[][] = valid.map(() => []);
    const { keys, indexes } = keyBatch(valid);
    if (keys.length === 0) return answers;
    await this.ensureKeyScheme();
    const { rows } = await this.query<{ idx: number; record_id: string; record_type: string; doc: Row }>(
      // A record shares many keys with a query (every deletion variant of its e-mail):
      // distinct record ids first, so each record's document is read once per query. The
      // ANY(...) keeps the record tables to index scans: joined by their ids alone, the
      // planner may read the whole appearance view (it cannot see how few ids there are).
      `WITH m AS (SELECT DISTINCT q.idx, k.record_id
                    FROM unnest($1::text[], $2::int[]) AS q(key, idx)
                    JOIN ${this.table(KEY_TABLE)} k ON k.key = q.key)
       SELECT m.idx, m.record_id, a.record_type, a.doc
         FROM m JOIN ${this.table('appearance')} a ON a.record_id = m.record_id
        WHERE a.record_id = ANY(ARRAY(SELECT record_id FROM m))
        ORDER BY m.idx, m.record_id`,
      [keys, indexes],
      `discover:${this.schema}`,
    );
    for (const row of rows) answers[row.idx]!.push(this.toSourceRecord(row.record_id, row.record_type, row.doc));
    return answers;
  }

  /**
   * Re-keys the store, once per connector, when its keys were built with an older key
   * scheme (rebuildKeysIfStale): discovery never searches keys the query's keys cannot
   * meet. A failed rebuild fails the discovery (and is tried again on the next one).
   */
  ensureKeyScheme(): Promise<KeyRebuild> {
    this.keysCurrent ??= rebuildKeysIfStale(this.pool, this.schema, this.recordTypes, { reading: this.reading }).catch((error: unknown) => {
      this.keysCurrent = undefined;
      throw asConnectorError(error);
    });
    return this.keysCurrent;
  }

  /** About how many records discovery searches: every record table, from its statistics. */
  async recordCount(): Promise<number> {
    const tables = this.recordTypes.map((s) => this.table(s.table));
    const { rows } = await this.query<{ records: number }>(recordCountSql(tables), tables);
    return recordCountOf(rows);
  }

  /**
   * How many records hold each given and family name: the columns the description marks
   * GIVEN_NAME and FAMILY_NAME, in every record type, anonymised rows left out.
   */
  async nameFrequencies(limit: number): Promise<NameFrequencies> {
    const columns = { given: [] as NameColumn[], family: [] as NameColumn[] };
    for (const f of this.describe().fields) {
      const spec = this.recordTypes.find((s) => s.recordType === f.recordType);
      if (!spec) continue;
      const column: NameColumn = { table: this.table(spec.table), column: f.field, where: 't.anonymised_at IS NULL' };
      if (f.identifierType === IdentifierType.GIVEN_NAME) columns.given.push(column);
      if (f.identifierType === IdentifierType.FAMILY_NAME) columns.family.push(column);
    }
    try {
      return await nameFrequenciesOf(this.pool, columns, limit);
    } catch (error) {
      throw asConnectorError(error);
    }
  }

  async export(refs: RecordRef[]): Promise<SourceRecord[]> {
    const wanted = [...new Set(refs.map((r) => r.recordId))].filter((id) => this.specFor(id));
    if (wanted.length === 0) return [];
    const { rows } = await this.query<{ record_id: string; record_type: string; doc: Row }>(
      `SELECT record_id, record_type, doc FROM ${this.table('appearance')} WHERE record_id = ANY($1::text[])`,
      [wanted],
    );
    const records = rows.map((r) => this.toSourceRecord(r.record_id, r.record_type, r.doc));
    for (const spec of this.recordTypes) {
      const mine = records.filter((r) => r.recordType === spec.recordType);
      if (mine.length === 0) continue;
      for (const child of spec.children ?? []) {
        const { rows: childRows } = await this.query<Row>(
          `SELECT * FROM ${this.table(child.table)} WHERE ${ident(child.foreignKey)} = ANY($1::text[]) ORDER BY id`,
          [mine.map((r) => r.recordId)],
        );
        for (const record of mine) {
          record.data[child.name] = childRows
            .filter((c) => c[child.foreignKey] === record.recordId)
            .map((c) => publicData(c, [child.foreignKey, ...(child.omit ?? [])]));
        }
      }
    }
    await this.decorateExport(records);
    // Answer in the order asked.
    return wanted.flatMap((id) => records.filter((r) => r.recordId === id));
  }

  /** Adds source-specific parts of an access copy (annotations, masked cards). */
  protected async decorateExport(_records: SourceRecord[]): Promise<void> {}

  protected async loadRow(client: pg.PoolClient | pg.Pool, spec: RecordTypeSpec, recordId: string, lock = false): Promise<Row | undefined> {
    const { rows } = await client.query<{ doc: Row }>(`SELECT to_jsonb(t) AS doc FROM ${this.table(spec.table)} t WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
      recordId,
    ]);
    return rows[0]?.doc;
  }

  async correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult> {
    const spec = this.specFor(ref.recordId);
    if (!spec) return { outcome: 'NOT_FOUND' };
    const columns = changes.map((c) => correctableColumn(spec, c.field));
    const unknown = changes.filter((_, i) => !columns[i]).map((c) => c.field);
    if (unknown.length > 0) return { outcome: 'REFUSED', detail: `not correctable here: ${unknown.join(', ')}` };
    return this.transaction(async (client) => {
      const before = await this.loadRow(client, spec, ref.recordId, true);
      if (!before) return { outcome: 'NOT_FOUND' };
      let changed = 0;
      for (const [i, change] of changes.entries()) {
        const column = ident(columns[i]!);
        // The value takes the column's own type (a date column gets a date), compared as that type.
        const result = await client.query(`UPDATE ${this.table(spec.table)} SET ${column} = $2 WHERE id = $1 AND ${column} IS DISTINCT FROM $2`, [
          ref.recordId,
          change.value,
        ]);
        changed += result.rowCount ?? 0;
      }
      if (changed === 0) return { outcome: 'ALREADY_APPLIED' };
      const after = await this.loadRow(client, spec, ref.recordId);
      await reindexRecord(client, this.schema, ref.recordId, spec.identifiersOf(after!), this.reading);
      return { outcome: 'APPLIED' };
    });
  }

  async erase(ref: RecordRef, plan: ErasurePlan): Promise<ActionResult> {
    return (await this.eraseMany([{ ref, plan }]))[0]!;
  }

  /**
   * Erases a batch in one transaction: the rows of each record table locked and loaded by
   * one statement (in id order, so concurrent batches cannot deadlock), then each group
   * of one record type and one action erased set-based. A record named twice in a batch
   * is handled in a second pass, which sees what the first did.
   */
  async eraseMany(items: ErasureItem[]): Promise<ActionResult[]> {
    const results: ActionResult[] = items.map(() => ({ outcome: 'NOT_FOUND' }));
    const passes: number[][] = [];
    items.forEach((item, i) => {
      if (!this.specFor(item.ref.recordId)) return;
      const free = passes.find((pass) => !pass.some((j) => items[j]!.ref.recordId === item.ref.recordId));
      if (free) free.push(i);
      else passes.push([i]);
    });
    if (passes.length === 0) return results;
    const after: (() => Promise<void>)[] = [];
    await this.transaction(async (client) => {
      for (const pass of passes) await this.erasePass(client, items, pass, results, (work) => after.push(work));
    });
    await Promise.all(after.map((work) => work()));
    return results;
  }

  private async erasePass(
    client: pg.PoolClient,
    items: readonly ErasureItem[],
    pass: readonly number[],
    results: ActionResult[],
    afterCommit: AfterCommit,
  ): Promise<void> {
    const rows = new Map<string, Row>();
    for (const spec of this.recordTypes) {
      const ids = pass
        .map((i) => items[i]!.ref.recordId)
        .filter((id) => this.specFor(id) === spec)
        .sort();
      if (ids.length === 0) continue;
      const { rows: found } = await client.query<{ doc: Row }>(
        `SELECT to_jsonb(t) AS doc FROM ${this.table(spec.table)} t WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
        [ids],
      );
      for (const r of found) rows.set(String(r.doc.id), r.doc);
    }
    const groups = new Map<string, { spec: RecordTypeSpec; action: ErasurePlan['action']; at: number[] }>();
    for (const i of pass) {
      const { ref, plan } = items[i]!;
      if (!rows.has(ref.recordId)) continue;
      const spec = this.specFor(ref.recordId)!;
      const key = `${spec.recordType}\u0000${plan.action}`;
      const group = groups.get(key) ?? { spec, action: plan.action, at: [] };
      group.at.push(i);
      groups.set(key, group);
    }
    for (const { spec, action, at } of groups.values()) {
      // R8 whatever the gateway asks: a PURGE says retention has run out; a record still inside it is refused.
      const held = new Map(at.map((i) => [i, action === 'PURGE' ? this.retentionRunning(rows.get(items[i]!.ref.recordId)!) : null]));
      for (const [i, refusal] of held) if (refusal) results[i] = refusal;
      const free = at.filter((i) => !held.get(i));
      if (free.length === 0) continue;
      const answers = await this.eraseRecords(
        client,
        spec,
        free.map((i) => rows.get(items[i]!.ref.recordId)!),
        action,
        afterCommit,
      );
      free.forEach((i, k) => (results[i] = answers[k]!));
    }
  }

  /**
   * A refusal when the row is under statutory retention that has not run out (or whose end
   * the row's dates cannot tell); null when a PURGE may go ahead. A maximum age is no
   * hold: footage may go before it.
   */
  protected retentionRunning(row: Row, now = new Date()): ActionResult | null {
    const { retention, rules } = this.describe();
    if (!retention.statutory && retention.erasure !== 'LEGAL_HOLD') return null;
    const until = retentionEndOf(datesOf(row), retention, this.kind, rules);
    if (until && until <= now) return null;
    const basis = retention.basis ?? retention.summary;
    return { outcome: 'REFUSED', detail: `LEGAL_HOLD: ${basis}${until ? `; retained until ${until.toISOString()}` : '; end of retention unknown'}` };
  }

  /** Restricts a batch with one statement per record table; a record named twice is APPLIED once. */
  async restrictMany(refs: RecordRef[], on: boolean): Promise<ActionResult[]> {
    const results: ActionResult[] = refs.map(() => ({ outcome: 'NOT_FOUND' }));
    for (const spec of this.recordTypes) {
      const ids = [...new Set(refs.filter((r) => this.specFor(r.recordId) === spec).map((r) => r.recordId))];
      if (ids.length === 0) continue;
      const table = this.table(spec.table);
      const { rows } = await this.query<{ id: string; applied: boolean; found: boolean }>(
        `WITH changed AS (UPDATE ${table} SET restricted = $2 WHERE id = ANY($1::text[]) AND restricted IS DISTINCT FROM $2 RETURNING id)
         SELECT w.id, c.id IS NOT NULL AS applied, t.id IS NOT NULL AS found
           FROM unnest($1::text[]) AS w(id) LEFT JOIN changed c ON c.id = w.id LEFT JOIN ${table} t ON t.id = w.id`,
        [ids, on],
      );
      const state = new Map(rows.map((r) => [r.id, r]));
      const answered = new Set<string>();
      refs.forEach((ref, i) => {
        const r = state.get(ref.recordId);
        if (!r?.found) return;
        results[i] = { outcome: r.applied && !answered.has(ref.recordId) ? 'APPLIED' : 'ALREADY_APPLIED' };
        answered.add(ref.recordId);
      });
    }
    return results;
  }

  async restrict(ref: RecordRef, on: boolean): Promise<ActionResult> {
    const spec = this.specFor(ref.recordId);
    if (!spec) return { outcome: 'NOT_FOUND' };
    const result = await this.query(`UPDATE ${this.table(spec.table)} SET restricted = $2 WHERE id = $1 AND restricted IS DISTINCT FROM $2`, [
      ref.recordId,
      on,
    ]);
    if ((result.rowCount ?? 0) > 0) return { outcome: 'APPLIED' };
    const exists = await this.loadRow(this.pool, spec, ref.recordId);
    return { outcome: exists ? 'ALREADY_APPLIED' : 'NOT_FOUND' };
  }

  /**
   * Records created or active at or after `since` (and records without a creation date),
   * in record-id order, at most `limit`, after the record id `after` (paging). Identifiers
   * and top-level data only (no child lists). The recreation sweep lists recent records
   * with it; each record table has an index on its change time (changeIndexDdl).
   */
  async changedSince(since: Date, limit: number, after = ''): Promise<SourceRecord[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new ConnectorError('CONFIGURATION', 'changedSince needs a positive whole limit');
    const parts = this.recordTypes.map(
      (s, i) => `SELECT t.id AS record_id, ${i}::int AS spec, to_jsonb(t) AS doc FROM ${this.table(s.table)} t WHERE ${CHANGED_AT} >= $1 AND t.id > $2`,
    );
    const { rows } = await this.query<{ record_id: string; spec: number; doc: Row }>(
      `SELECT record_id, spec, doc FROM (${parts.join(' UNION ALL ')}) x ORDER BY record_id LIMIT $3`,
      [since, after, limit],
    );
    return rows.map((r) => this.toSourceRecord(r.record_id, this.recordTypes[r.spec]!.recordType, r.doc));
  }

  /**
   * Records whose retention has ended at `asOf` (R9). SQL narrows to rows whose last
   * activity (else creation) is old enough for the shortest reading of the policy's
   * periods; the exact end is then the gateway's own rule (retentionEndOf), so retention
   * arithmetic lives in one place. Anonymised rows are in their erased state: left out.
   */
  async listExpired(asOf: Date, limit: number, after = ''): Promise<ExpiredPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new ConnectorError('CONFIGURATION', 'listExpired needs a positive whole limit');
    const { retention, rules } = this.describe();
    const bound = earliestStartPastRetention(asOf, retention, this.kind, rules);
    if (!bound) return { records: [], next: null };
    const parts = this.recordTypes.map(
      (s, i) =>
        `SELECT t.id AS record_id, ${i}::int AS spec, to_jsonb(t) AS doc FROM ${this.table(s.table)} t
          WHERE COALESCE(t.last_activity_at, t.created_at) <= $1 AND t.id COLLATE "C" > $2`,
    );
    // Byte order ("C"), so the cursor means the same whatever the database's collation.
    const { rows } = await this.query<{ record_id: string; spec: number; doc: Row }>(
      `SELECT record_id, spec, doc FROM (${parts.join(' UNION ALL ')}) x ORDER BY record_id COLLATE "C" LIMIT $3`,
      [bound, after, limit],
    );
    const records = rows
      .filter((r) => !r.doc.anonymised_at)
      .filter((r) => {
        const end = retentionEndOf(datesOf(r.doc), retention, this.kind, rules);
        return end !== null && end <= asOf;
      })
      .map((r) => this.toSourceRecord(r.record_id, this.recordTypes[r.spec]!.recordType, r.doc));
    return { records, next: rows.length === limit ? rows[rows.length - 1]!.record_id : null };
  }

  async health(): Promise<Health> {
    const started = Date.now();
    try {
      await this.query(`SELECT 1 FROM ${this.table(KEY_TABLE)} LIMIT 1`);
      return { healthy: true, latencyMs: Date.now() - started };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { healthy: false, latencyMs: Date.now() - started, detail: `store unreachable or not set up${code ? ` (${code})` : ''}` };
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  // --- helpers for the systems' erasure code ---

  /**
   * Deletes records, their child rows and their keys with one statement (a data-modifying
   * CTE per table), so a batch costs one round trip whatever the number of tables.
   * `related` are records of their own (with keys) that belong to these ones (a case's
   * parties, a candidate's referees): deleted with them, and their keys too.
   */
  protected async deleteRecords(
    client: pg.PoolClient,
    spec: RecordTypeSpec,
    recordIds: readonly string[],
    related: readonly { table: string; foreignKey: string }[] = [],
  ): Promise<void> {
    if (recordIds.length === 0) return;
    const parts = [
      ...related.map((r, i) => `related${i} AS (DELETE FROM ${this.table(r.table)} WHERE ${ident(r.foreignKey)} = ANY($1::text[]) RETURNING id)`),
      ...(spec.children ?? []).map((c, i) => `child${i} AS (DELETE FROM ${this.table(c.table)} WHERE ${ident(c.foreignKey)} = ANY($1::text[]))`),
      `records AS (DELETE FROM ${this.table(spec.table)} WHERE id = ANY($1::text[]))`,
    ];
    const keyIds = ['$1::text[]', ...related.map((_, i) => `ARRAY(SELECT id::text FROM related${i})`)].join(' || ');
    await client.query(`WITH ${parts.join(',\n')}\nDELETE FROM ${this.table(KEY_TABLE)} WHERE record_id = ANY(${keyIds})`, [recordIds]);
  }

  /**
   * Blanks identifying columns, marks the rows anonymised and drops their keys. Rows
   * already anonymised answer ALREADY_APPLIED.
   */
  protected async anonymiseRecords(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[], columns: readonly string[]): Promise<ActionResult[]> {
    const ids = rows.filter((r) => !r.anonymised_at).map((r) => String(r.id));
    if (ids.length > 0) {
      const sets = columns.map((c) => `${ident(c)} = NULL`).join(', ');
      await client.query(`UPDATE ${this.table(spec.table)} SET ${sets}${sets ? ', ' : ''}anonymised_at = now() WHERE id = ANY($1::text[])`, [ids]);
      await dropKeys(client, this.schema, ids);
    }
    return rows.map((r) => ({ outcome: r.anonymised_at ? 'ALREADY_APPLIED' : 'APPLIED' }));
  }

  /** Removes related parties (dependants, contacts, referees) from the records they sit in (R16). */
  protected async deleteAppearances(client: pg.PoolClient, spec: RecordTypeSpec, rows: readonly Row[]): Promise<ActionResult[]> {
    await this.deleteRecords(client, spec, rowIds(rows));
    return rows.map(() => ({ outcome: 'APPLIED', detail: 'removed from the record it appeared in' }));
  }

  /**
   * Runs a statement. A `name` makes it a prepared statement on each pooled connection:
   * hot statements (discovery) are then planned once per connection, not per call.
   */
  protected async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(name ? { name, text: sql, values: params } : { text: sql, values: params });
    } catch (error) {
      throw asConnectorError(error);
    }
  }

  protected async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await withTransaction(this.pool, fn);
    } catch (error) {
      throw asConnectorError(error);
    }
  }
}

/** Connection failures become UNAVAILABLE so the gateway retries; others pass through. */
export function asConnectorError(error: unknown): unknown {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', '57P01', '57P03', '08006', '08001', '3D000'].includes(code)) {
    return new ConnectorError('UNAVAILABLE', `source store unavailable (${code})`);
  }
  if (code === '42P01' || code === '3F000') {
    return new ConnectorError('CONFIGURATION', `source store schema is missing (${code})`);
  }
  return error;
}
