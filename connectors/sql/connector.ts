// The generic SQL connector: a team registers a PostgreSQL database with a declarative
// mapping (tables, identifier columns, categories, erase strategy per column) and no code.
// Candidate retrieval goes through the gateway-owned key index (key-index.ts): one
// statement on the index per batch, then one primary-key fetch per record type.
import type pg from 'pg';
import {
  ConnectorError,
  type ActionResult,
  type Connector,
  type DiscoveryQuery,
  type ErasurePlan,
  type ExpiredPage,
  type FieldChange,
  type Health,
  type Identifier,
  type NameFrequencies,
  type RecordRef,
  type RetentionPolicy,
  type SourceDescription,
  type SourceRecord,
} from '../contract.js';
import { Capability, IdentifierType, SourceKind } from '../../src/domain/vocabulary.js';
import { field } from '../shared/describe.js';
import { createPool, ident, iso, qualified, withTransaction } from '../shared/sql.js';
import { asConnectorError } from '../shared/reference-connector.js';
import { keyBatch, validateQueries } from '../shared/query-validation.js';
import { recordCountOf, recordCountSql } from '../shared/record-count.js';
import { checkNameLimit, nameFrequenciesOf, type NameColumn } from '../shared/name-frequencies.js';
import type { SqlMapping, SqlRecordType } from '../source-config.js';
import { INDEX_TABLE, dropRecordKeys, ensureKeyIndex, indexSchemeOf, lockSourceIndex, writeKeys } from './key-index.js';
import { KEY_SCHEME_VERSION } from '../../src/identity/blocking.js';
import type { NormaliseOptions } from '../../src/identity/normalise/index.js';
import type { CountryCode } from 'libphonenumber-js';
import { earliestStartPastRetention, retentionEndOf } from '../../src/requests/decisions.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';

export interface SqlConnectorOptions {
  sourceId: string;
  name: string;
  kind: SourceKind;
  /** The team's database (resolved URL, secrets included). */
  url: string;
  /** The gateway's database, where the key index lives. */
  indexUrl: string;
  mapping: SqlMapping;
  /** Rows per chunk when rebuilding the index. */
  chunkSize?: number;
  /** How long a connection to the team's database may take before the call fails. */
  connectTimeoutMs?: number;
  /** Where a rebuild for a new key scheme is reported (ids and counts only). */
  logger?: Logger;
  /** The registration's retention policy: what listExpired judges records by (R9). */
  retention?: Partial<RetentionPolicy>;
  /** The country national-format phone numbers in the source are keyed in (the registration's phoneCountry; default GB). */
  phoneCountry?: CountryCode;
}

type Row = Record<string, unknown>;
const HASH_PREFIX = 'sha256:';
/** A string as an SQL literal (record type names are validated: lower-case letters, digits, _). */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export class SqlConnector implements Connector {
  readonly kind: SourceKind;
  readonly capabilities: readonly Capability[];
  readonly identifierTypes: readonly IdentifierType[];
  private readonly source: pg.Pool;
  private readonly index: pg.Pool;
  private readonly types: Map<string, SqlRecordType>;
  private readonly pkTypes = new Map<string, string>();
  private indexReady?: Promise<void>;
  private schemeCurrent?: Promise<void>;

  /** How the source's values are read for its keys. */
  private get reading(): NormaliseOptions {
    return this.options.phoneCountry ? { defaultCountry: this.options.phoneCountry } : {};
  }

  constructor(private readonly options: SqlConnectorOptions) {
    this.kind = options.kind;
    this.source = createPool(options.url, 4, `dsr-sql-${options.sourceId}`, options.connectTimeoutMs);
    this.index = createPool(options.indexUrl, 2, `dsr-sql-index-${options.sourceId}`);
    this.types = new Map(options.mapping.recordTypes.map((t) => [t.name, t]));
    const idTypes = new Set<IdentifierType>();
    for (const t of options.mapping.recordTypes) {
      Object.values(t.identifiers).forEach((v) => idTypes.add(v));
      if (t.fullName) idTypes.add(IdentifierType.FULL_NAME);
    }
    this.identifierTypes = [...idTypes];
    const canRestrict = options.mapping.recordTypes.some((t) => t.restrictedColumn);
    this.capabilities = [Capability.DISCOVER, Capability.EXPORT, Capability.CORRECT, Capability.ERASE, ...(canRestrict ? [Capability.RESTRICT] : [])];
  }

  describe(): SourceDescription {
    const fields = this.options.mapping.recordTypes.flatMap((t) =>
      Object.entries(t.columns).map(([column, c]) =>
        field(t.name, column, c.categories, {
          correctable: c.correctable,
          ...(t.identifiers[column] ? { identifierType: t.identifiers[column] } : {}),
        }),
      ),
    );
    return {
      kind: this.kind,
      name: this.options.name,
      fields,
      // The registration's retention and controller replace these (DescribedConnector).
      retention: { summary: 'as registered', statutory: false, erasure: 'DELETE', ...this.options.retention },
      controller: { role: 'CONTROLLER' },
    };
  }

  // --- record mapping ---

  private recordId(type: SqlRecordType, pk: unknown): string {
    return `${type.name}:${String(pk)}`;
  }

  private parseRecordId(recordId: string): { type: SqlRecordType; pk: string } | undefined {
    const colon = recordId.indexOf(':');
    if (colon <= 0) return undefined;
    const type = this.types.get(recordId.slice(0, colon));
    return type ? { type, pk: recordId.slice(colon + 1) } : undefined;
  }

  private selectedColumns(type: SqlRecordType): string[] {
    const cols = new Set<string>([type.primaryKey, ...Object.keys(type.columns), ...Object.keys(type.identifiers)]);
    for (const c of [
      type.parent?.column,
      type.dates?.createdAt,
      type.dates?.lastActivityAt,
      type.controllerColumn,
      type.restrictedColumn,
      ...(type.fullName ?? []),
    ]) {
      if (c) cols.add(c);
    }
    return [...cols];
  }

  private identifiersOf(type: SqlRecordType, row: Row): Identifier[] {
    const out: Identifier[] = [];
    for (const [column, idType] of Object.entries(type.identifiers)) {
      const v = row[column];
      if (v === null || v === undefined || String(v).trim() === '' || String(v).startsWith(HASH_PREFIX)) continue;
      out.push({ type: idType, value: v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim() });
    }
    if (type.fullName) {
      const full = type.fullName
        .map((c) => row[c])
        .filter((v) => typeof v === 'string' && v.trim())
        .join(' ');
      if (full) out.push({ type: IdentifierType.FULL_NAME, value: full });
    }
    return out;
  }

  private toRecord(type: SqlRecordType, row: Row): SourceRecord {
    const data: Record<string, unknown> = {};
    for (const column of Object.keys(type.columns)) data[column] = row[column];
    const createdAt = type.dates?.createdAt ? iso(row[type.dates.createdAt]) : undefined;
    const lastActivityAt = type.dates?.lastActivityAt ? iso(row[type.dates.lastActivityAt]) : undefined;
    const controllerId = type.controllerColumn ? row[type.controllerColumn] : undefined;
    const parent = type.parent ? row[type.parent.column] : undefined;
    return {
      recordId: this.recordId(type, row[type.primaryKey]),
      recordType: type.name,
      relationship: type.relationship,
      ...(type.parent && parent !== null && parent !== undefined ? { parentRecordId: `${type.parent.recordType}:${String(parent)}` } : {}),
      identifiers: this.identifiersOf(type, row),
      data,
      dates: { ...(createdAt ? { createdAt } : {}), ...(lastActivityAt ? { lastActivityAt } : {}) },
      ...(controllerId ? { controllerId: String(controllerId) } : {}),
      ...(type.restrictedColumn ? { restricted: Boolean(row[type.restrictedColumn]) } : {}),
    };
  }

  /** The primary key's SQL type, so lookups by key use its index (`pk = ANY($1::type[])`). */
  private async pkType(type: SqlRecordType): Promise<string> {
    const known = this.pkTypes.get(type.name);
    if (known) return known;
    const { rows } = await this.source.query<{ t: string }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2 AND NOT a.attisdropped`,
      [qualified(type.table), type.primaryKey],
    );
    const t = rows[0]?.t;
    if (!t || !/^[a-z0-9 ()_,]+$/.test(t)) throw new ConnectorError('CONFIGURATION', `${type.table}.${type.primaryKey} not found`);
    this.pkTypes.set(type.name, t);
    return t;
  }

  private async fetchRows(type: SqlRecordType, pks: string[], db: pg.Pool | pg.PoolClient = this.source, lock = false): Promise<Row[]> {
    if (pks.length === 0) return [];
    const cols = this.selectedColumns(type).map(ident).join(', ');
    const { rows } = await db.query<Row>(
      `SELECT ${cols} FROM ${qualified(type.table)} WHERE ${ident(type.primaryKey)} = ANY($1::${await this.pkType(type)}[])${lock ? ' FOR UPDATE' : ''}`,
      [pks],
    );
    return rows;
  }

  private ensureIndex(): Promise<void> {
    this.indexReady ??= ensureKeyIndex(this.index).catch((error) => {
      this.indexReady = undefined;
      throw error;
    });
    return this.indexReady;
  }

  /**
   * Once per connector: an index last refreshed with an older key scheme (or before the
   * scheme was recorded) is rebuilt in full before it is searched, or the query's new keys
   * would miss records. A never-refreshed index is left to the registry and refreshIndex().
   */
  private ensureKeyScheme(): Promise<void> {
    this.schemeCurrent ??= (async () => {
      await this.ensureIndex();
      const scheme = await indexSchemeOf(this.index, this.options.sourceId);
      if (scheme === undefined || (scheme !== null && scheme >= KEY_SCHEME_VERSION)) return;
      const { records, keys, durationMs, rebuilt } = await this.rebuildIndex(true);
      if (rebuilt) {
        (this.options.logger ?? createLogger()).info(
          { sourceId: this.options.sourceId, fromScheme: scheme, toScheme: KEY_SCHEME_VERSION, records, keys, durationMs },
          'source index rebuilt for a new key scheme',
        );
      }
    })().catch((error: unknown) => {
      this.schemeCurrent = undefined;
      throw error;
    });
    return this.schemeCurrent;
  }

  // --- the contract ---

  async discover(queries: DiscoveryQuery[]): Promise<SourceRecord[][]> {
    const valid = validateQueries(queries);
    const answers: SourceRecord[][] = valid.map(() => []);
    const { keys, indexes } = keyBatch(valid);
    if (keys.length === 0) return answers;
    return this.guard(async () => {
      await this.ensureKeyScheme();
      const { rows: hits } = await this.index.query<{ idx: number; record_id: string }>(
        `SELECT DISTINCT q.idx, k.record_id FROM unnest($2::text[], $3::int[]) AS q(key, idx)
           JOIN ${INDEX_TABLE} k ON k.source_id = $1 AND k.key = q.key ORDER BY q.idx, k.record_id`,
        [this.options.sourceId, keys, indexes],
      );
      // Ask the source even when the index has no hit: an unreachable source must say so,
      // not answer "nobody here" from the gateway's own index.
      if (hits.length === 0) await this.source.query('SELECT 1');
      const records = await this.load(hits.map((h) => h.record_id));
      for (const hit of hits) {
        const record = records.get(hit.record_id);
        if (record) answers[hit.idx]!.push(record); // an index entry for a since-deleted row is skipped
      }
      return answers;
    });
  }

  /** About how many rows the mapped tables hold, from the team database's statistics. */
  async recordCount(): Promise<number> {
    const tables = this.options.mapping.recordTypes.map((t) => qualified(t.table));
    return this.guard(async () => recordCountOf((await this.source.query<{ records: number }>(recordCountSql(tables), tables)).rows));
  }

  /**
   * How many rows hold each given and family name: the mapping's GIVEN_NAME and
   * FAMILY_NAME columns, erased values (HASH, a fixed text) left out. Full-name columns are
   * not split: their parts are counted where the mapping names them.
   */
  async nameFrequencies(limit: number): Promise<NameFrequencies> {
    checkNameLimit(limit);
    const columns = { given: [] as NameColumn[], family: [] as NameColumn[] };
    for (const t of this.options.mapping.recordTypes) {
      for (const [column, type] of Object.entries(t.identifiers)) {
        const erase = t.columns[column]?.erase;
        const c: NameColumn = { table: qualified(t.table), column, ...(typeof erase === 'object' ? { erasedValue: erase.fixed } : {}) };
        if (type === IdentifierType.GIVEN_NAME) columns.given.push(c);
        if (type === IdentifierType.FAMILY_NAME) columns.family.push(c);
      }
    }
    return this.guard(() => nameFrequenciesOf(this.source, columns, limit));
  }

  private async load(recordIds: string[]): Promise<Map<string, SourceRecord>> {
    const byType = new Map<SqlRecordType, string[]>();
    for (const id of new Set(recordIds)) {
      const parsed = this.parseRecordId(id);
      if (parsed) byType.set(parsed.type, [...(byType.get(parsed.type) ?? []), parsed.pk]);
    }
    const out = new Map<string, SourceRecord>();
    for (const [type, pks] of byType) {
      for (const row of await this.fetchRows(type, pks)) {
        const record = this.toRecord(type, row);
        out.set(record.recordId, record);
      }
    }
    return out;
  }

  /**
   * Records past retention by the registration's policy (R9), for record types whose
   * mapping names a date column: narrowed in SQL by the policy's shortest reading, decided
   * by the gateway's own rule (retentionEndOf). Records whose identifiers are all erased
   * (NULL or HASH strategies) are in their erased state: left out.
   */
  async listExpired(asOf: Date, limit: number, after = ''): Promise<ExpiredPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new ConnectorError('CONFIGURATION', 'listExpired needs a positive whole limit');
    const { retention } = this.describe();
    const bound = earliestStartPastRetention(asOf, retention, this.kind);
    const types = this.options.mapping.recordTypes.filter((t) => t.dates?.createdAt || t.dates?.lastActivityAt);
    if (!bound || types.length === 0) return { records: [], next: null };
    const parts = types.map((t, i) => {
      const start = [t.dates?.lastActivityAt, t.dates?.createdAt].filter((c): c is string => !!c).map((c) => `t.${ident(c)}`);
      const id = `(${literal(`${t.name}:`)} || t.${ident(t.primaryKey)}::text)`;
      return `SELECT ${id} AS record_id, ${i}::int AS spec, to_jsonb(t) AS doc FROM ${qualified(t.table)} t WHERE COALESCE(${start.join(', ')}) <= $1 AND ${id} COLLATE "C" > $2`;
    });
    return this.guard(async () => {
      const { rows } = await this.source.query<{ record_id: string; spec: number; doc: Row }>(
        `SELECT record_id, spec, doc FROM (${parts.join(' UNION ALL ')}) x ORDER BY record_id COLLATE "C" LIMIT $3`,
        [bound, after, limit],
      );
      const records = rows
        .map((r) => this.toRecord(types[r.spec]!, r.doc))
        .filter((r) => r.identifiers.length > 0)
        .filter((r) => {
          const end = retentionEndOf(r.dates, retention, this.kind);
          return end !== null && end <= asOf;
        });
      return { records, next: rows.length === limit ? rows[rows.length - 1]!.record_id : null };
    });
  }

  async export(refs: RecordRef[]): Promise<SourceRecord[]> {
    return this.guard(async () => {
      const records = await this.load(refs.map((r) => r.recordId));
      return [...new Set(refs.map((r) => r.recordId))].flatMap((id) => (records.has(id) ? [records.get(id)!] : []));
    });
  }

  async correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult> {
    const parsed = this.parseRecordId(ref.recordId);
    if (!parsed) return { outcome: 'NOT_FOUND' };
    const { type, pk } = parsed;
    const refused = changes.filter((c) => !type.columns[c.field]?.correctable).map((c) => c.field);
    if (refused.length > 0) return { outcome: 'REFUSED', detail: `not correctable: ${refused.join(', ')}` };
    let field = '';
    try {
      return await this.write(type, pk, async (client) => {
        let changed = 0;
        for (const change of changes) {
          field = change.field;
          const column = ident(change.field);
          // The value takes the column's own type (a date column gets a date), compared as that type.
          const result = await client.query(
            `UPDATE ${qualified(type.table)} SET ${column} = $2 WHERE ${ident(type.primaryKey)} = $1::${await this.pkType(type)} AND ${column} IS DISTINCT FROM $2`,
            [pk, change.value],
          );
          changed += result.rowCount ?? 0;
        }
        return changed > 0 ? 'APPLIED' : 'ALREADY_APPLIED';
      });
    } catch (error) {
      // A value the column's type cannot hold (PostgreSQL class 22, data exception; nothing was
      // changed): refused for good, naming the field. The database's message quotes the value,
      // so it is not passed on to the task, its audit entry or the queue (R13).
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('22'))
        return { outcome: 'REFUSED', detail: `${field}: the value does not fit the column (SQLSTATE ${code})` };
      throw error;
    }
  }

  async erase(ref: RecordRef, _plan: ErasurePlan): Promise<ActionResult> {
    const parsed = this.parseRecordId(ref.recordId);
    if (!parsed) return { outcome: 'NOT_FOUND' };
    const { type, pk } = parsed;
    const strategies = Object.entries(type.columns).filter(([, c]) => c.erase);
    const deleteRow = strategies.some(([, c]) => c.erase === 'DELETE_ROW');
    if (!deleteRow && strategies.length === 0) return { outcome: 'REFUSED', detail: 'the mapping gives no erase strategy for this record type' };
    const pkSql = `${ident(type.primaryKey)} = $1::${await this.guard(() => this.pkType(type))}`;
    return this.write(type, pk, async (client) => {
      if (deleteRow) {
        const result = await client.query(`DELETE FROM ${qualified(type.table)} WHERE ${pkSql}`, [pk]);
        return (result.rowCount ?? 0) > 0 ? 'APPLIED' : 'NOT_FOUND';
      }
      // Column strategies, written so that a repeat changes nothing (a hash is not re-hashed).
      const sets: string[] = [];
      const pending: string[] = [];
      const params: unknown[] = [pk];
      for (const [column, c] of strategies) {
        const col = ident(column);
        if (c.erase === 'NULL') {
          sets.push(`${col} = NULL`);
          pending.push(`${col} IS NOT NULL`);
        } else if (c.erase === 'HASH') {
          sets.push(
            `${col} = CASE WHEN ${col} IS NULL OR ${col}::text LIKE '${HASH_PREFIX}%' THEN ${col} ELSE '${HASH_PREFIX}' || encode(sha256(convert_to(${col}::text, 'UTF8')), 'hex') END`,
          );
          pending.push(`(${col} IS NOT NULL AND ${col}::text NOT LIKE '${HASH_PREFIX}%')`);
        } else if (typeof c.erase === 'object') {
          params.push(c.erase.fixed);
          sets.push(`${col} = $${params.length}`);
          pending.push(`${col}::text IS DISTINCT FROM $${params.length}`);
        }
      }
      const result = await client.query(`UPDATE ${qualified(type.table)} SET ${sets.join(', ')} WHERE ${pkSql} AND (${pending.join(' OR ')})`, params);
      return (result.rowCount ?? 0) > 0 ? 'APPLIED' : 'ALREADY_APPLIED';
    });
  }

  async restrict(ref: RecordRef, on: boolean): Promise<ActionResult> {
    const parsed = this.parseRecordId(ref.recordId);
    if (!parsed) return { outcome: 'NOT_FOUND' };
    const { type, pk } = parsed;
    if (!type.restrictedColumn) return { outcome: 'REFUSED', detail: 'the mapping names no restriction column for this record type' };
    const col = ident(type.restrictedColumn);
    return this.write(
      type,
      pk,
      async (client) => {
        const result = await client.query(
          `UPDATE ${qualified(type.table)} SET ${col} = $2 WHERE ${ident(type.primaryKey)} = $1::${await this.pkType(type)} AND ${col} IS DISTINCT FROM $2`,
          [pk, on],
        );
        return (result.rowCount ?? 0) > 0 ? 'APPLIED' : 'ALREADY_APPLIED';
      },
      false,
    );
  }

  /** Locks the row, applies the change, and keeps the gateway's key index in step. */
  private async write(
    type: SqlRecordType,
    pk: string,
    change: (client: pg.PoolClient) => Promise<'APPLIED' | 'ALREADY_APPLIED' | 'NOT_FOUND'>,
    reindex = true,
  ): Promise<ActionResult> {
    const recordId = this.recordId(type, pk);
    return this.guard(async () => {
      const outcome = await withTransaction(this.source, async (client) => {
        const [before] = await this.fetchRows(type, [pk], client, true);
        if (!before) return 'NOT_FOUND' as const;
        return change(client);
      });
      if (reindex && outcome !== 'ALREADY_APPLIED') {
        await this.ensureIndex();
        await withTransaction(this.index, async (client) => {
          await lockSourceIndex(client, this.options.sourceId);
          await dropRecordKeys(client, this.options.sourceId, recordId);
          const [after] = await this.fetchRows(type, [pk]);
          if (after) await writeKeys(client, this.options.sourceId, [{ recordId, identifiers: this.identifiersOf(type, after) }], this.reading);
        });
      }
      return { outcome };
    });
  }

  /**
   * Rebuilds this source's key index in full, in chunks of primary-key order, inside one
   * transaction on the gateway database: discovery sees the old index until the new one commits.
   */
  async refreshIndex(): Promise<{ records: number; keys: number; durationMs: number }> {
    const { records, keys, durationMs } = await this.rebuildIndex(false);
    return { records, keys, durationMs };
  }

  /**
   * The full rebuild, under the source's index lock (a concurrent rewrite of one record
   * waits, so it cannot be lost under the rebuild). `onlyIfStale`: skipped when, once the
   * lock is held, the index turns out to be of the current scheme already (another
   * instance rebuilt it meanwhile).
   */
  private async rebuildIndex(onlyIfStale: boolean): Promise<{ records: number; keys: number; durationMs: number; rebuilt: boolean }> {
    const started = Date.now();
    const chunk = this.options.chunkSize ?? 5000;
    return this.guard(async () => {
      await this.ensureIndex();
      return withTransaction(this.index, async (client) => {
        await lockSourceIndex(client, this.options.sourceId);
        if (onlyIfStale && ((await indexSchemeOf(client, this.options.sourceId)) ?? 0) >= KEY_SCHEME_VERSION) {
          return { records: 0, keys: 0, durationMs: Date.now() - started, rebuilt: false };
        }
        await client.query(`DELETE FROM ${INDEX_TABLE} WHERE source_id = $1`, [this.options.sourceId]);
        let records = 0;
        let keys = 0;
        for (const type of this.options.mapping.recordTypes) {
          const cols = this.selectedColumns(type).map(ident).join(', ');
          const pkCol = ident(type.primaryKey);
          let last: unknown = undefined;
          for (;;) {
            const { rows } = await this.source.query<Row>(
              last === undefined
                ? `SELECT ${cols} FROM ${qualified(type.table)} ORDER BY ${pkCol} LIMIT ${chunk}`
                : `SELECT ${cols} FROM ${qualified(type.table)} WHERE ${pkCol} > $1 ORDER BY ${pkCol} LIMIT ${chunk}`,
              last === undefined ? [] : [last],
            );
            if (rows.length === 0) break;
            keys += await writeKeys(
              client,
              this.options.sourceId,
              rows.map((row) => ({ recordId: this.recordId(type, row[type.primaryKey]), identifiers: this.identifiersOf(type, row) })),
              this.reading,
            );
            records += rows.length;
            last = rows[rows.length - 1]![type.primaryKey];
            if (rows.length < chunk) break;
          }
        }
        await client.query(
          `INSERT INTO connector_index.refresh (source_id, refreshed_at, records, keys, scheme) VALUES ($1, now(), $2, $3, $4)
           ON CONFLICT (source_id) DO UPDATE SET refreshed_at = now(), records = $2, keys = $3, scheme = $4`,
          [this.options.sourceId, records, keys, KEY_SCHEME_VERSION],
        );
        return { records, keys, durationMs: Date.now() - started, rebuilt: true };
      });
    });
  }

  async health(): Promise<Health> {
    const started = Date.now();
    try {
      await this.source.query('SELECT 1');
      for (const type of this.options.mapping.recordTypes) await this.pkType(type);
      await this.ensureIndex();
      const { rows } = await this.index.query<{ refreshed_at: Date }>(`SELECT refreshed_at FROM connector_index.refresh WHERE source_id = $1`, [
        this.options.sourceId,
      ]);
      const refreshed = rows[0]?.refreshed_at;
      return {
        healthy: true,
        latencyMs: Date.now() - started,
        detail: refreshed ? `index refreshed ${refreshed.toISOString()}` : 'index never refreshed: call refreshIndex()',
      };
    } catch (error) {
      const e = asConnectorError(error);
      return { healthy: false, latencyMs: Date.now() - started, detail: e instanceof ConnectorError ? e.message : 'source unreachable' };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.source.end(), this.index.end()]);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw asConnectorError(error);
    }
  }
}
