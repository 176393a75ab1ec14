// Roles a key or an OIDC identity can hold. Register as a GraphQL enum from here if exposed.
export enum Role {
  /** Registers and manages sources, manages API keys. */
  ADMIN = 'ADMIN',
  /** Works data-subject requests and runs discovery. */
  HANDLER = 'HANDLER',
  /** May see special-category fields (R12); combined with HANDLER or AUDITOR. */
  SPECIAL_CATEGORY = 'SPECIAL_CATEGORY',
  /** Reads the audit log, nothing else, never writes. */
  AUDITOR = 'AUDITOR',
  /** A source's own connector: registers/updates its source and checks tombstones. */
  CONNECTOR = 'CONNECTOR',
  /** Queue workers: run tasks and report their results. */
  WORKER = 'WORKER',
  /** Monitoring (Prometheus): reads /metrics, nothing else. */
  MONITOR = 'MONITOR',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ALL_ROLES as readonly string[]).includes(value);
}
