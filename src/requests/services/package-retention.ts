// The life of an access package after it is built (R10, R11): it is destroyed when its own
// retention runs out, and when an erasure of the same person closes, so a renewed link or
// an old one can never hand out data that was erased. Destroying removes the sealed
// archive; the row (digest, manifest, contents, dates, reason) stays as the record of
// what was sent. The queries are the request store's (packagesOfErasedPeople says how
// "the same person" is decided).
export type { DestroyedPackage } from '../store/request.store.js';

export const PackageDestroyedReason = {
  /** The package's own retention (ACCESS_PACKAGE_RETENTION_DAYS) ran out. */
  RETENTION_ENDED: 'RETENTION_ENDED',
  /** An erasure of the same person closed after the package was built. */
  ERASURE_COMPLETED: 'ERASURE_COMPLETED',
  /** Its request was rejected after the package was built (e.g. the identity proved false). */
  REQUEST_REJECTED: 'REQUEST_REJECTED',
  /** Its request was withdrawn after the package was built. */
  REQUEST_CANCELLED: 'REQUEST_CANCELLED',
  /**
   * The handler revoked it (the identity proved false after it was issued, or the link went
   * to the wrong address). Its link then answers as an expired or used one: never why.
   */
  REVOKED: 'REVOKED',
} as const;
export type PackageDestroyedReason = (typeof PackageDestroyedReason)[keyof typeof PackageDestroyedReason];
