// Access packages of ACCESS requests: exported from the sources, built by the pure
// buildAccessPackage, stored sealed, and served once through a short-lived,
// single-purpose link whose token is kept only as its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { SourceRecord } from '../../../connectors/contract.js';
import type { AuditLog } from '../../audit/index.js';
import { AuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import type { Keyrings } from '../../crypto/index.js';
import { DomainError } from '../../domain/errors.js';
import { RecordAction, RequestStatus, RequestType, type Relationship, type SourceKind } from '../../domain/vocabulary.js';
import type { Logger } from '../../logging/logger.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { buildAccessPackage, mayReceivePackage, type AccessPackage, type PackageSource, type UnsearchedSource } from '../access-package.js';
import { can } from '../../auth/index.js';
import { PackageDestroyedReason } from './package-retention.js';
import { sweepAfterErasures, type AftermathReport } from './erasure-aftermath.js';
import { jurisdictionOf } from '../deadlines.js';
import { buildResponseSummary, type SummarySourceInput } from '../response-summary.js';
import type { AccessPackageEntity, DataSubjectRequestEntity, RecordDecisionEntity, RequestRecordEntity, RequestStore } from '../store/request.store.js';
import type { RequestSettings } from './request-settings.js';
import { safeFailureMessage } from '../../sources/failure-code.js';

export interface IssuedLink {
  /** The clear token: given to the caller once, never stored. */
  token: string;
  url: string;
  expiresAt: Date;
}

export interface BuiltPackage {
  pkg: AccessPackage;
  response: Record<string, unknown>;
  released: number;
}

export interface Download {
  bytes: Buffer;
  fileName: string;
  sha256: string;
}

export const DOWNLOAD_PATH = '/v1/access-packages';
/** The page a link opens; the token follows in the fragment, which no server or proxy sees. */
export const LINK_PAGE_PATH = `${DOWNLOAD_PATH}/open`;

/** Where a package exists to be sent: built at execution, kept while the request runs and after it closes. */
const RENEWABLE_STATUSES: ReadonlySet<RequestStatus> = new Set([RequestStatus.EXECUTING, RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED]);

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class AccessPackageService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      stores: { requests: RequestStore };
      keyrings: Keyrings;
      audit: AuditLog;
      sources: SourceRegistry;
      logger: Logger;
      settings: RequestSettings;
      now: () => Date;
    },
  ) {}

  /**
   * Exports the released records and builds the archive and the response summary (no writes).
   * `notSearched`: the sources the request went without (R1), named in the archive.
   * `controllerId`: the package returns records to that controller (R6): only those the
   * source holds for it now are exported, never one moved to another controller since.
   */
  async build(
    request: DataSubjectRequestEntity,
    records: RequestRecordEntity[],
    decisions: RecordDecisionEntity[],
    now: Date,
    options: { notSearched?: readonly UnsearchedSource[]; controllerId?: string } = {},
  ): Promise<BuiltPackage> {
    const { notSearched = [], controllerId } = options;
    const decisionOf = new Map(decisions.map((d) => [`${d.sourceId}\u0000${d.recordId}`, d]));
    const bySource = new Map<string, RequestRecordEntity[]>();
    for (const r of records) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
    const sources: PackageSource[] = [];
    const summary: SummarySourceInput[] = [];
    let released = 0;
    for (const [sourceId, list] of bySource) {
      const entity = await this.deps.sources.find(sourceId);
      const description = await this.deps.sources.describe(sourceId);
      const source = { id: sourceId, name: entity?.name ?? sourceId, kind: (entity?.kind ?? 'OTHER') as SourceKind };
      const releaseRefs = list.filter((r) => decisionOf.get(`${sourceId}\u0000${r.recordId}`)?.action === RecordAction.RELEASE);
      let exported: SourceRecord[] = [];
      if (releaseRefs.length) {
        try {
          const connector = await this.deps.sources.connector(sourceId);
          exported = await connector.export(releaseRefs.map((r) => ({ sourceId, recordId: r.recordId })));
        } catch (error) {
          this.deps.logger.warn({ requestId: request.id, sourceId, err: safeFailureMessage(error) }, 'export failed');
          throw new DomainError('SOURCE_UNAVAILABLE', `Source ${sourceId} could not export the records; nothing was released, try again`, { sourceId });
        }
      }
      // R6: a record the source now holds for another controller is not that controller's to take back.
      const movedIds = new Set(controllerId === undefined ? [] : exported.filter((r) => (r.controllerId ?? null) !== controllerId).map((r) => r.recordId));
      exported = exported.filter((r) => !movedIds.has(r.recordId));
      const exportedIds = new Set(exported.map((r) => r.recordId));
      released += exported.length;
      // Records not released (refused, or gone from the source) are listed as withheld with the reason.
      const stubs: SourceRecord[] = list
        .filter((r) => !exportedIds.has(r.recordId))
        .map((r) => ({
          recordId: r.recordId,
          recordType: r.recordType,
          relationship: r.relationship as Relationship,
          identifiers: [],
          data: {},
          dates: r.dates,
        }));
      const packageDecisions = list.map((r) => {
        const d = decisionOf.get(`${sourceId}\u0000${r.recordId}`);
        const gone = d?.action === RecordAction.RELEASE && !exportedIds.has(r.recordId);
        const moved = movedIds.has(r.recordId);
        return {
          recordId: r.recordId,
          action: gone ? RecordAction.RETAIN : ((d?.action ?? RecordAction.RETAIN) as RecordAction),
          basis: d?.basis ?? null,
          retainUntil: d?.retainUntil ?? null,
          reason: moved ? 'the source now holds this record for another controller' : gone ? 'the source no longer holds this record' : (d?.reason ?? null),
        };
      });
      sources.push({
        source,
        records: [...exported, ...stubs],
        fields: description?.fields ?? [],
        decisions: packageDecisions,
        ...(description?.retention ? { retention: description.retention } : {}),
        ...(description?.rules ? { rules: description.rules } : {}),
      });
      summary.push({
        source,
        records: list.map((r) => {
          const d = packageDecisions.find((x) => x.recordId === r.recordId)!;
          return {
            recordId: r.recordId,
            recordType: r.recordType,
            action: d.action,
            basis: d.basis,
            retainUntil: d.retainUntil,
            reason: d.reason,
            state: 'DONE',
            completedAt: now,
          };
        }),
      });
    }
    // The package is for the data subject: everything they are entitled to, special categories
    // included; cards stay masked and other people withheld (sanitiseRecord).
    const pkg = buildAccessPackage({
      requestId: request.id,
      generatedAt: now,
      verifiedAt: request.verifiedAt,
      sources,
      canSeeSpecialCategories: true,
      notSearched,
    });
    const response = buildResponseSummary({
      requestId: request.id,
      requestType: request.type as RequestType,
      receivedAt: request.receivedAt,
      verifiedAt: request.verifiedAt,
      dueAt: request.dueAt,
      extendedDueAt: request.extendedDueAt,
      extensionReason: request.extensionReason,
      respondedAt: now,
      timeZone: jurisdictionOf(request.jurisdiction, this.deps.settings.deadlines).timeZone,
      sources: summary,
    });
    return { pkg, response: JSON.parse(JSON.stringify(response)) as Record<string, unknown>, released };
  }

  /**
   * Stores the sealed archive with its retention and contents, and issues its first link,
   * only to a principal allowed to see every special category it holds (R12): for anyone
   * else the package is stored without a usable link (null), and its contents are shown.
   */
  async store(
    m: EntityManager,
    requestId: string,
    pkg: AccessPackage,
    now: Date,
    principal: Principal,
    /** R6: the controller the package returns records to; none for the person's access package. */
    controllerId: string | null = null,
  ): Promise<IssuedLink | null> {
    const retainUntil = new Date(now.getTime() + this.deps.settings.packageRetentionMs);
    const cleared = mayReceivePackage(pkg.specialCategories, can(principal, 'special-category:read'));
    const link = this.newLink(now, retainUntil);
    await this.deps.stores.requests.insertPackage(m, {
      requestId,
      sha256: pkg.sha256,
      sizeBytes: pkg.bytes.length,
      archiveSealed: this.deps.keyrings.encryption.encrypt(pkg.bytes, `access-package:${requestId}`),
      manifest: pkg.manifest as never,
      contents: pkg.contents as never,
      specialCategories: pkg.specialCategories,
      controllerId,
      // Without clearance the token is never shown and already expired: renewAccessPackageLink by a cleared principal.
      tokenHash: tokenHash(link.token),
      expiresAt: cleared ? link.expiresAt : now,
      linkSeesSpecial: cleared && can(principal, 'special-category:read'),
      downloadedAt: null,
      retainUntil,
      destroyedAt: null,
      destroyedReason: null,
      revocationReason: null,
    });
    return cleared ? link : null;
  }

  async latest(requestId: string): Promise<AccessPackageEntity | null> {
    return this.deps.stores.requests.latestPackage(requestId);
  }

  /** The person's package: an ACCESS request's (never a package returned to a controller). */
  private async personsPackage(request: DataSubjectRequestEntity): Promise<AccessPackageEntity | null> {
    if (request.type !== RequestType.ACCESS) return null;
    const pkg = await this.latest(request.id);
    return pkg && pkg.controllerId === null ? pkg : null;
  }

  /**
   * Replaces the link of a package the handler may have to send again: the old token stops
   * working. Without `controllerId`, the person's package of an ACCESS request; with it, the
   * package of records returned to that controller (R6, an erasure's RETURN_AND_ERASE).
   * Either once it is built: EXECUTING (a child's access request still erasing its online
   * records, an erasure still running), COMPLETED or PARTIALLY_COMPLETED. Refused when the
   * package was destroyed or its retention ran out (PACKAGE_DESTROYED), when an erasure of the
   * person closed since it was built (it is destroyed now), and when the principal may not
   * see a special category it holds (SPECIAL_CATEGORY_REQUIRED).
   */
  async renew(request: DataSubjectRequestEntity, principal: Principal, controllerId: string | null = null): Promise<IssuedLink> {
    const pkg = await this.builtPackage(request, controllerId);
    const now = this.deps.now();
    const gone = await this.destroyIfDue(pkg.id, now);
    if (gone) throw packageDestroyed(gone.reason, gone.at);
    if (!mayReceivePackage(pkg.specialCategories, can(principal, 'special-category:read'))) throw specialCategoryRequired(pkg.specialCategories);
    const link = this.newLink(now, pkg.retainUntil);
    await this.deps.dataSource.transaction(async (m) => {
      // Only while it still exists: a destruction since the check above wins.
      const renewed = await this.deps.stores.requests.renewPackageLink(m, pkg.id, {
        tokenHash: tokenHash(link.token),
        expiresAt: link.expiresAt,
        seesSpecial: can(principal, 'special-category:read'),
      });
      if (!renewed) {
        const gone = await this.deps.stores.requests.findPackage(pkg.id, m);
        throw packageDestroyed(gone?.destroyedReason ?? PackageDestroyedReason.RETENTION_ENDED, gone?.destroyedAt ?? now);
      }
      await this.auditPackageAct(m, AuditAction.REQUEST_PACKAGE_LINK, principal, request.id, pkg.id, controllerId);
    });
    return link;
  }

  /**
   * Stops a package once built (R13: the identity proved false after it was issued, or the
   * link went to the wrong address): its archive is destroyed and its link dies at once,
   * answering as an expired or used link does. Found as renew finds it (the person's package,
   * or with `controllerId` the one returned to that controller); no clearance for special
   * categories is needed, since nothing of it is shown. PACKAGE_DESTROYED when it is already
   * gone (a revoked package cannot be renewed or revoked again). Audited with ids only.
   */
  async revoke(request: DataSubjectRequestEntity, principal: Principal, controllerId: string | null, reason: string): Promise<void> {
    const pkg = await this.builtPackage(request, controllerId);
    const now = this.deps.now();
    const gone = await this.destroyIfDue(pkg.id, now);
    if (gone) throw packageDestroyed(gone.reason, gone.at);
    await this.deps.dataSource.transaction(async (m) => {
      const store = this.deps.stores.requests;
      if (!(await store.revokePackage(m, pkg.id, reason, now))) {
        const found = await store.findPackage(pkg.id, m);
        throw packageDestroyed(found?.destroyedReason ?? PackageDestroyedReason.RETENTION_ENDED, found?.destroyedAt ?? now);
      }
      // The reason stays on the package, not in the audit: ids only here.
      await this.auditPackageAct(m, AuditAction.REQUEST_PACKAGE_REVOKED, principal, request.id, pkg.id, controllerId);
    });
  }

  /**
   * A handler's act on a package, audited with ids only: which package, the person's
   * (controllerId null) or the one returned to that controller (R6), carrying the controller
   * so an auditor bound to it sees the entry.
   */
  private async auditPackageAct(
    m: EntityManager,
    action: typeof AuditAction.REQUEST_PACKAGE_LINK | typeof AuditAction.REQUEST_PACKAGE_REVOKED,
    principal: Principal,
    requestId: string,
    packageId: string,
    controllerId: string | null,
  ): Promise<void> {
    await this.deps.audit.record(
      {
        actor: { id: principal.id, kind: principal.kind },
        action,
        target: { type: 'request', id: requestId },
        params: { packageId, controllerId },
        controllerId,
        outcome: 'SUCCESS',
      },
      m,
    );
  }

  /** The package renew and revoke act on, once built; NO_ACCESS_PACKAGE otherwise. */
  private async builtPackage(request: DataSubjectRequestEntity, controllerId: string | null): Promise<AccessPackageEntity> {
    if (!RENEWABLE_STATUSES.has(request.status as RequestStatus)) {
      throw new DomainError('NO_ACCESS_PACKAGE', 'A package exists once it is built, until the request is closed without it', {
        currentStatus: request.status,
      });
    }
    const pkg = controllerId === null ? await this.personsPackage(request) : await this.deps.stores.requests.returnedPackage(request.id, controllerId);
    if (!pkg) {
      throw new DomainError(
        'NO_ACCESS_PACKAGE',
        controllerId === null ? 'This request has no access package for the person' : 'This request returned no package to that controller',
      );
    }
    return pkg;
  }

  /**
   * Destroys the package now if it is due (retention over, or an erasure of its person
   * closed since it was built) and answers why it is gone; null while it may still be served.
   */
  private async destroyIfDue(packageId: string, now: Date): Promise<{ reason: string; at: Date } | null> {
    return this.deps.dataSource.transaction(async (m) => {
      // Locked: an erasure's closing step destroying it meanwhile is waited for, then seen.
      const store = this.deps.stores.requests;
      const row = await store.lockPackage(m, packageId);
      if (!row) return null;
      if (row.destroyedAt) return { reason: row.destroyedReason ?? PackageDestroyedReason.RETENTION_ENDED, at: row.destroyedAt };
      const reason =
        row.retainUntil <= now
          ? PackageDestroyedReason.RETENTION_ENDED
          : (await store.packagesOfErasedPeople(m, { packageId })).length > 0
            ? PackageDestroyedReason.ERASURE_COMPLETED
            : null;
      if (!reason) return null;
      for (const p of await store.destroyPackages(m, [packageId], reason, now)) {
        await this.deps.audit.record(
          {
            actor: { id: 'system:retention', kind: 'system' },
            action: AuditAction.REQUEST_PACKAGE_DESTROYED,
            target: { type: 'request', id: p.requestId },
            params: { packageId, reason },
            outcome: 'SUCCESS',
          },
          m,
        );
      }
      return { reason, at: now };
    });
  }

  /** The scheduled sweep (R10, R11): packages past retention or of people erased since, identifiers of completed erasures. */
  async sweep(now: Date = this.deps.now()): Promise<AftermathReport> {
    return sweepAfterErasures(this.deps, now, this.deps.settings.packageRetentionMs);
  }

  /**
   * Serves a package once: the token is consumed in the same statement that checks it, so
   * two downloads racing cannot both succeed. PACKAGE_NOT_FOUND, PACKAGE_LINK_USED,
   * PACKAGE_LINK_EXPIRED (also a revoked package's link, used or not: never why),
   * PACKAGE_DESTROYED (retention over, the person erased since, the request rejected),
   * SPECIAL_CATEGORY_REQUIRED (a link not issued to a principal cleared for what it holds).
   */
  async download(token: string): Promise<Download> {
    const hash = tokenHash(token);
    const now = this.deps.now();
    const target = await this.deps.stores.requests.packageIdOfToken(hash);
    if (!target) throw new DomainError('PACKAGE_NOT_FOUND', 'No access package for this link');
    const gone = await this.destroyIfDue(target, now);
    if (gone?.reason === PackageDestroyedReason.REVOKED) throw deadLink(await this.deps.stores.requests.findPackage(target));
    if (gone) throw packageDestroyed(gone.reason, gone.at);
    return this.deps.dataSource.transaction(async (m) => {
      const row = await this.deps.stores.requests.consumePackageLink(m, hash, now);
      if (!row) {
        const known = await this.deps.stores.requests.findPackageByToken(hash, m);
        if (!known) throw new DomainError('PACKAGE_NOT_FOUND', 'No access package for this link');
        if (known.destroyedReason === PackageDestroyedReason.REVOKED) throw deadLink(known);
        if (known.destroyedAt || !known.archiveSealed || known.retainUntil <= now) {
          throw packageDestroyed(known.destroyedReason ?? PackageDestroyedReason.RETENTION_ENDED, known.destroyedAt ?? now);
        }
        if (known.downloadedAt) throw linkUsed();
        if (known.expiresAt <= now) throw linkExpired();
        throw specialCategoryRequired(known.specialCategories);
      }
      const bytes = this.deps.keyrings.encryption.decrypt(row.archive_sealed, `access-package:${row.request_id}`);
      await this.deps.audit.record(
        {
          actor: { id: `package:${row.id}`, kind: 'download-link' },
          action: AuditAction.REQUEST_EXPORT,
          target: { type: 'request', id: row.request_id },
          params: { packageId: row.id, sha256: row.sha256 },
          outcome: 'SUCCESS',
        },
        m,
      );
      return { bytes, fileName: `access-package-${row.request_id}.zip`, sha256: row.sha256 };
    });
  }

  /** A link lives its TTL, never past the package's own retention. */
  private newLink(now: Date, retainUntil: Date): IssuedLink {
    const token = randomBytes(32).toString('base64url');
    return {
      token,
      url: `${this.deps.settings.publicBaseUrl}${LINK_PAGE_PATH}#${token}`,
      expiresAt: new Date(Math.min(now.getTime() + this.deps.settings.packageLinkTtlMs, retainUntil.getTime())),
    };
  }
}

const linkUsed = () => new DomainError('PACKAGE_LINK_USED', 'This download link was already used; ask for a new one');
const linkExpired = () => new DomainError('PACKAGE_LINK_EXPIRED', 'This download link has expired; ask for a new one');

/**
 * A revoked package's link answers as any dead link does, used if it was, expired otherwise:
 * whoever holds it (the wrong recipient, an impostor) learns nothing of why.
 */
function deadLink(pkg: { downloadedAt: Date | null } | null): DomainError {
  return pkg?.downloadedAt ? linkUsed() : linkExpired();
}

/** R10, R11: the package no longer exists (its retention ran out, or the person's erasure closed). */
export function packageDestroyed(reason: string, destroyedAt: Date): DomainError {
  return new DomainError('PACKAGE_DESTROYED', 'This access package was destroyed; the person may ask for a new copy', {
    reason,
    destroyedAt: destroyedAt.toISOString(),
  });
}

/** R12: the package holds special-category data (or may: unknown) and the principal may not see it. */
export function specialCategoryRequired(specialCategories: readonly string[] | null): DomainError {
  return new DomainError(
    'SPECIAL_CATEGORY_REQUIRED',
    'This access package holds special-category data; only a principal allowed to see it (SPECIAL_CATEGORY) may obtain or use its link',
    { specialCategories: specialCategories ?? 'UNKNOWN' },
  );
}
