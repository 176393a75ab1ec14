// The CCTV connector. A visit (found by badge id or name) links to the footage segments
// recorded at its site while the visitor was there. Erasure purges those segments (files
// and rows) and the visit. Visits past 90 days go through retention runs (listExpired);
// purgeExpired() removes older footage no visit points to (R9).
// Access copies list segment metadata only: footage shows other people (R16) and is
// released only after redaction, outside this connector.
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { ActionResult, ErasurePlan, PresenceQuery, RecordRef, SourceDescription, SourceRecord } from '../contract.js';
import { DataCategory as C, IdentifierType as T, SourceKind } from '../../src/domain/vocabulary.js';
import { ReferenceConnector, rowIds, type AfterCommit, type RecordTypeSpec, type ReferenceStoreConfig, type Row } from '../shared/reference-connector.js';
import { field } from '../shared/describe.js';
import { cctvRecordTypes } from './records.js';
import { CCTV_PROCESSING } from './processing.js';

export const CCTV_RETENTION = {
  summary: 'at most 90 days',
  maxAge: 'P90D',
  statutory: false,
  erasure: 'PURGE_SEGMENTS',
  // The 90-day purge needs no handler: the daily retention run executes it at once (R9).
  autoExecute: true,
} as const;

export interface CctvConfig extends ReferenceStoreConfig {
  /** Directory holding the footage files; segment rows store paths relative to it. */
  footageDir: string;
}

export class CctvConnector extends ReferenceConnector {
  readonly kind = SourceKind.CCTV;
  readonly identifierTypes = [T.BADGE_ID, T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME];
  protected readonly recordTypes = cctvRecordTypes;
  private readonly footageDir: string;

  constructor(config: CctvConfig) {
    super(config);
    this.footageDir = path.resolve(config.footageDir);
  }

  describe(): SourceDescription {
    const v = 'visit';
    return {
      kind: this.kind,
      name: 'CCTV',
      fields: [
        field(v, 'badge_id', [C.VISIT], { identifierType: T.BADGE_ID }),
        field(v, 'given_name', [C.IDENTITY], { correctable: true, identifierType: T.GIVEN_NAME }),
        field(v, 'family_name', [C.IDENTITY], { correctable: true, identifierType: T.FAMILY_NAME }),
        field(v, 'company', [C.EMPLOYMENT], { correctable: true }),
        field(v, 'site', [C.VISIT]),
        field(v, 'arrived_at', [C.VISIT]),
        field(v, 'left_at', [C.VISIT]),
        field(v, 'footage', [C.VIDEO]),
      ],
      retention: { ...CCTV_RETENTION },
      processing: CCTV_PROCESSING,
      // Visits come with footage that shows other people (R16) and goes after 90 days (R9).
      rules: { footage: true },
      controller: { role: 'CONTROLLER' },
    };
  }

  private segmentsSql(where: string): string {
    return `SELECT s.* FROM ${this.table('segments')} s WHERE ${where}`;
  }

  /** Segments at the visit's site overlapping its time (or the day of arrival if no exit was logged). */
  private async segmentsOf(db: pg.Pool | pg.PoolClient, visits: readonly Row[]): Promise<Map<string, Row[]>> {
    const out = new Map<string, Row[]>();
    if (visits.length === 0) return out;
    const { rows } = await db.query<Row & { visit_id: string }>(
      `SELECT v.id AS visit_id, s.* FROM ${this.table('visits')} v
         JOIN ${this.table('segments')} s ON s.site = v.site
          AND s.started_at < COALESCE(v.left_at, v.arrived_at + interval '1 day') AND s.ended_at > v.arrived_at
        WHERE v.id = ANY($1::text[]) ORDER BY s.started_at`,
      [visits.map((v) => v.id)],
    );
    for (const row of rows) {
      const { visit_id, ...segment } = row;
      out.set(visit_id, [...(out.get(visit_id) ?? []), segment]);
    }
    return out;
  }

  /**
   * Visits at the site overlapping the window (a visit without a logged exit counts until
   * the end of its day, as for its footage), each with the footage segments of its time,
   * as an access copy lists them. For a visitor who does not know their badge id.
   */
  async findPresent(query: PresenceQuery): Promise<SourceRecord[]> {
    const { rows } = await this.query<{ doc: Row }>(
      `SELECT to_jsonb(v) AS doc FROM ${this.table('visits')} v
        WHERE v.site = $1 AND v.arrived_at < $3 AND COALESCE(v.left_at, v.arrived_at + interval '1 day') > $2
        ORDER BY v.arrived_at, v.id`,
      [query.site, query.from, query.to],
    );
    const records = rows.map((r) => this.toSourceRecord(String(r.doc.id), 'visit', r.doc));
    await this.decorateExport(records);
    return records;
  }

  /**
   * For each visit, the other visits its erasure takes footage from: those at the same site
   * whose time overlaps one of its segments (the segments go whole, R8 holds on them count).
   */
  async sharedWith(refs: RecordRef[]): Promise<string[][]> {
    const ids = refs.map((r) => r.recordId);
    const overlaps = (v: string, s: string) =>
      `${s}.site = ${v}.site AND ${s}.started_at < COALESCE(${v}.left_at, ${v}.arrived_at + interval '1 day') AND ${s}.ended_at > ${v}.arrived_at`;
    const { rows } = await this.query<{ visit_id: string; other_id: string }>(
      `SELECT DISTINCT v.id AS visit_id, o.id AS other_id
         FROM ${this.table('visits')} v
         JOIN ${this.table('segments')} s ON ${overlaps('v', 's')}
         JOIN ${this.table('visits')} o ON o.id <> v.id AND ${overlaps('o', 's')}
        WHERE v.id = ANY($1::text[]) ORDER BY 1, 2`,
      [ids],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.visit_id, [...(out.get(r.visit_id) ?? []), r.other_id]);
    return ids.map((id) => out.get(id) ?? []);
  }

  protected override async decorateExport(records: SourceRecord[]): Promise<void> {
    const segments = await this.segmentsOf(
      this.pool,
      records.map((r) => ({ id: r.recordId })),
    );
    for (const record of records) {
      record.data.footage = (segments.get(record.recordId) ?? []).map((s) => ({
        segmentId: s.id,
        cameraId: s.camera_id,
        site: s.site,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        // Other people are in the frame: released only after redaction (R16).
        release: 'REDACT_OR_WITHHOLD',
      }));
    }
  }

  protected async eraseRecords(
    client: pg.PoolClient,
    spec: RecordTypeSpec,
    rows: readonly Row[],
    _action: ErasurePlan['action'],
    afterCommit: AfterCommit,
  ): Promise<ActionResult[]> {
    const segments = await this.segmentsOf(client, rows);
    const segmentsByRow = rows.map((row) => segments.get(String(row.id)) ?? []);
    await this.deleteSegments(client, segmentsByRow.flat());
    await this.deleteRecords(client, spec, rowIds(rows));
    const answers: ActionResult[] = segmentsByRow.map((mine) => ({ outcome: 'APPLIED', detail: `visit and ${mine.length} footage segment(s) purged` }));
    const filesByRow = segmentsByRow.map((mine) => mine.map((segment) => this.fileOf(segment)));
    afterCommit(async () => {
      const failed = await this.removeFiles(filesByRow.flat());
      filesByRow.forEach((files, i) => {
        const left = files.filter((f) => failed.has(f));
        // The rows are gone but footage is still on disk: not a success to report.
        // Amended in place: the batch holds these answer objects.
        if (left.length > 0)
          Object.assign(answers[i]!, {
            outcome: 'REFUSED',
            detail: `visit and segment rows purged, but ${left.length} footage file(s) could not be removed (${failed.get(left[0]!)}): remove them by hand`,
          });
      });
    });
    return answers;
  }

  private async deleteSegments(db: pg.Pool | pg.PoolClient, segments: readonly Row[]): Promise<void> {
    if (segments.length === 0) return;
    await db.query(`DELETE FROM ${this.table('segments')} WHERE id = ANY($1::text[])`, [segments.map((s) => s.id)]);
  }

  /**
   * Removes footage files once their rows are gone; answers the files that could not be
   * removed, with the reason. Segments overlap between visitors, so another erasure may
   * have removed a file already: that is not a failure.
   */
  private async removeFiles(files: readonly string[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    await Promise.all(
      [...new Set(files)].map((file) =>
        unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') failed.set(file, error.code ?? error.message);
        }),
      ),
    );
    return failed;
  }

  private fileOf(segment: Row): string {
    return this.footagePath(String(segment.file_path));
  }

  /** Resolves a stored relative path, refusing anything that escapes the footage directory. */
  footagePath(relative: string): string {
    const full = path.resolve(this.footageDir, relative);
    if (!full.startsWith(this.footageDir + path.sep)) throw new Error('footage path escapes the footage directory');
    return full;
  }

  /**
   * The 90-day purge of footage no visit points to (R9): segments older than `maxAgeDays`
   * at `now` that overlap no visit. Visits, and the footage that shows them, go through
   * retention runs (listExpired), verified like any erasure; this sweeps what is left.
   */
  async purgeExpired(now: Date = new Date(), maxAgeDays = 90): Promise<{ segments: number; filesNotRemoved: number }> {
    const cutoff = new Date(now.getTime() - maxAgeDays * 86_400_000);
    const files = await this.transaction(async (client) => {
      const { rows: segments } = await client.query<Row>(
        this.segmentsSql(`s.ended_at < $1 AND NOT EXISTS (
          SELECT 1 FROM ${this.table('visits')} v WHERE v.site = s.site
             AND s.started_at < COALESCE(v.left_at, v.arrived_at + interval '1 day') AND s.ended_at > v.arrived_at)`),
        [cutoff],
      );
      await this.deleteSegments(client, segments);
      return segments.map((segment) => this.fileOf(segment));
    });
    const failed = await this.removeFiles(files);
    return { segments: files.length, filesNotRemoved: failed.size };
  }
}
