// What an erasure's closing leaves behind (R10, R11), and the scheduled sweep that makes
// sure of it when the closing step was missed (a worker killed between the two):
// - access packages of the same person built before it closed are destroyed;
// - a COMPLETED erasure keeps only its minimal record: the sealed identifiers go, and so do
//   those of the person's other requests completed before it.
// Both are idempotent and audited with ids only.
import type { DataSource } from 'typeorm';
import { AuditAction, type AuditLog } from '../../audit/index.js';
import type { Logger } from '../../logging/logger.js';
import type { AuditRecordInput } from '../../audit/index.js';
import type { DestroyedPackage, RequestStore } from '../store/request.store.js';
import { PackageDestroyedReason } from './package-retention.js';

export interface AftermathDeps {
  dataSource: DataSource;
  stores: { requests: RequestStore };
  audit: AuditLog;
  logger: Logger;
}

export interface AftermathReport {
  /** Packages destroyed because an erasure of their person closed. */
  erasedPackages: DestroyedPackage[];
  /** Packages destroyed because their retention ran out (sweep only). */
  expiredPackages: DestroyedPackage[];
  /** Erasures whose sealed identifiers were destroyed, and the person's earlier requests whose were. */
  identifiersDestroyed: string[];
}

const ACTOR = { id: 'system:retention', kind: 'system' };

/** Called when an erasure closes (COMPLETED or PARTIALLY_COMPLETED): its person's older packages go, and its identifiers if it completed. */
export async function afterErasureClosed(deps: AftermathDeps, erasureId: string, now: Date): Promise<AftermathReport> {
  const store = deps.stores.requests;
  return deps.dataSource.transaction(async (m) => {
    const erasedPackages = await store.destroyPackages(m, await store.packagesOfErasedPeople(m, { erasureId }), PackageDestroyedReason.ERASURE_COMPLETED, now);
    const identifiersDestroyed = [
      ...(await store.destroyErasureIdentifiers(m, now, erasureId)),
      ...(await store.destroyIdentifiersOfErasedPeople(m, now, { erasureId })),
    ];
    const report = { erasedPackages, expiredPackages: [], identifiersDestroyed };
    await deps.audit.recordAll(auditsOf(report), m);
    return report;
  });
}

/**
 * The scheduled sweep: packages past their retention, packages of people whose erasure
 * closed within it (in case the closing step did not run), identifiers of completed
 * erasures still held, and of the earlier requests of people whose erasure completed within it.
 */
export async function sweepAfterErasures(deps: AftermathDeps, now: Date, packageRetentionMs: number): Promise<AftermathReport> {
  const store = deps.stores.requests;
  const report = await deps.dataSource.transaction(async (m) => {
    const expiredPackages = await store.destroyPackages(m, await store.packagesPastRetention(m, now), PackageDestroyedReason.RETENTION_ENDED, now);
    const closedSince = new Date(now.getTime() - packageRetentionMs);
    const erasedPackages = await store.destroyPackages(
      m,
      await store.packagesOfErasedPeople(m, { closedSince }),
      PackageDestroyedReason.ERASURE_COMPLETED,
      now,
    );
    const identifiersDestroyed = [
      ...(await store.destroyErasureIdentifiers(m, now)),
      ...(await store.destroyIdentifiersOfErasedPeople(m, now, { closedSince })),
    ];
    const r = { erasedPackages, expiredPackages, identifiersDestroyed };
    await deps.audit.recordAll(auditsOf(r), m);
    return r;
  });
  deps.logger.info(
    { expired: report.expiredPackages.length, erased: report.erasedPackages.length, identifiers: report.identifiersDestroyed.length },
    'access package sweep',
  );
  return report;
}

function auditsOf(report: AftermathReport): AuditRecordInput[] {
  const destroyed = (reason: PackageDestroyedReason, p: DestroyedPackage): AuditRecordInput => ({
    actor: ACTOR,
    action: AuditAction.REQUEST_PACKAGE_DESTROYED,
    target: { type: 'request', id: p.requestId },
    params: { packageId: p.packageId, reason },
    outcome: 'SUCCESS',
  });
  return [
    ...report.erasedPackages.map((p) => destroyed(PackageDestroyedReason.ERASURE_COMPLETED, p)),
    ...report.expiredPackages.map((p) => destroyed(PackageDestroyedReason.RETENTION_ENDED, p)),
    ...report.identifiersDestroyed.map((id): AuditRecordInput => ({
      actor: ACTOR,
      action: AuditAction.REQUEST_IDENTIFIERS_DESTROYED,
      target: { type: 'request', id },
      outcome: 'SUCCESS',
    })),
  ];
}
