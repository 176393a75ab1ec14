// The life of an access package after it is built (R10, R11): it is destroyed when its own
// retention runs out, and when an erasure of the same person closes, so a renewed link or
// an old one can never hand out data that was erased. Destroying removes the sealed
// archive; the row (digest, manifest, contents, dates, reason) stays as the record of
// what was sent.
//
// "The same person" is decided on what the package holds, not on a guess: a package is
// the erasure's when its request and the erasure share a record the erasure removed
// (same source and record id: the copy holds that record's data), or share a unique
// identifier (a keyed blind-index entry of an email, phone, national id, membership or
// patient number...; names, birth dates and places alone are not enough: namesakes).
// Records catch a person who gave other identifiers in each request; identifiers catch
// a package whose records the erasure found under other ids.
import type { EntityManager } from 'typeorm';
import { rowsOf } from '../../database/rows.js';
import { RecordAction, RequestStatus, RequestType } from '../../domain/vocabulary.js';
import { WEAK_IDENTIFIER_TYPES } from '../duplicates.js';

export const PackageDestroyedReason = {
  /** The package's own retention (ACCESS_PACKAGE_RETENTION_DAYS) ran out. */
  RETENTION_ENDED: 'RETENTION_ENDED',
  /** An erasure of the same person closed after the package was built. */
  ERASURE_COMPLETED: 'ERASURE_COMPLETED',
} as const;
export type PackageDestroyedReason = (typeof PackageDestroyedReason)[keyof typeof PackageDestroyedReason];

/** Actions after which a record's data no longer exists in its source. */
const REMOVED: readonly string[] = [RecordAction.ERASE, RecordAction.ANONYMISE, RecordAction.MINIMISE, RecordAction.PURGE];
const CLOSED: readonly string[] = [RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED];
const WEAK: readonly string[] = [...WEAK_IDENTIFIER_TYPES].map(String);

export interface DestroyedPackage {
  packageId: string;
  requestId: string;
}

/** Destroys the archives of these packages (idempotent); returns those destroyed now. */
export async function destroyPackages(m: EntityManager, ids: readonly string[], reason: PackageDestroyedReason, now: Date): Promise<DestroyedPackage[]> {
  if (ids.length === 0) return [];
  // The token hash stays: a link handed out earlier then answers PACKAGE_DESTROYED, not "unknown".
  return rowsOf<DestroyedPackage>(
    await m.query(
      `UPDATE access_package SET archive_sealed = NULL, destroyed_at = $2, destroyed_reason = $3, expires_at = LEAST(expires_at, $2)
        WHERE id = ANY($1::uuid[]) AND destroyed_at IS NULL RETURNING id AS "packageId", request_id AS "requestId"`,
      [[...ids], now, reason],
    ),
  );
}

/** Live packages whose retention has run out. */
export async function packagesPastRetention(m: EntityManager, now: Date): Promise<string[]> {
  const rows = (await m.query(`SELECT id FROM access_package WHERE destroyed_at IS NULL AND retain_until <= $1`, [now])) as { id: string }[];
  return rows.map((r) => r.id);
}

/**
 * Live packages built before an erasure of the same person closed. Narrowed to one
 * erasure (when it closes), or one package (before a renewal or a download); neither:
 * every erasure closed within the packages' retention (the sweep's catch-up).
 */
export async function packagesOfErasedPeople(
  m: EntityManager,
  scope: { erasureId?: string; packageId?: string; closedSince?: Date },
): Promise<string[]> {
  const rows = (await m.query(
    `WITH erasure AS (
       SELECT e.id, e.blind_index,
              (SELECT max(t.at) FROM request_transition t WHERE t.request_id = e.id AND t.to_status = ANY($3::text[])) AS closed_at
         FROM data_subject_request e
        WHERE e.type = $2 AND e.status = ANY($3::text[])
          AND ($4::uuid IS NULL OR e.id = $4) AND ($6::timestamptz IS NULL OR e.updated_at >= $6))
     SELECT DISTINCT p.id FROM access_package p
       JOIN data_subject_request a ON a.id = p.request_id
       JOIN erasure e ON e.id <> a.id AND p.created_at < e.closed_at
      WHERE p.destroyed_at IS NULL AND ($5::uuid IS NULL OR p.id = $5)
        AND (EXISTS (SELECT 1 FROM request_record r JOIN record_decision d
                        ON d.request_id = e.id AND d.source_id = r.source_id AND d.record_id = r.record_id AND d.action = ANY($1::text[])
                      WHERE r.request_id = a.id)
          OR EXISTS (SELECT 1 FROM unnest(a.blind_index) x WHERE x = ANY(e.blind_index) AND split_part(x, '.', 1) <> ALL($7::text[])))`,
    [REMOVED, RequestType.ERASURE, CLOSED, scope.erasureId ?? null, scope.packageId ?? null, scope.closedSince ?? null, WEAK],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

/**
 * R11: a completed erasure keeps its minimal record only (ids, type, dates, outcome,
 * tombstones, keyed blind index); the sealed identifiers and the person's own words about
 * the request's scope are destroyed. Only COMPLETED: a partial erasure still needs them to
 * verify its retried tasks. Returns the requests changed now.
 */
export async function destroyErasureIdentifiers(m: EntityManager, now: Date, erasureId?: string): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(
    await m.query(
      `UPDATE data_subject_request SET identifiers_sealed = NULL, scope_sealed = NULL, identifiers_destroyed_at = $1, updated_at = now()
        WHERE type = $2 AND status = $3 AND identifiers_sealed IS NOT NULL AND ($4::uuid IS NULL OR id = $4)
        RETURNING id`,
      [now, RequestType.ERASURE, RequestStatus.COMPLETED, erasureId ?? null],
    ),
  );
  return rows.map((r) => r.id);
}
