import type { Role } from './roles.js';

/** Who is calling, as every authorisation check sees it. Built by authentication only. */
export interface Principal {
  kind: 'api-key' | 'oidc';
  /** The API key id, or the OIDC subject. Recorded as the actor in the audit log. */
  id: string;
  roles: readonly Role[];
  /** Controllers this principal is bound to; empty means every controller. */
  controllerIds: readonly string[];
  /** For CONNECTOR keys bound to sources: the sources it may update; empty or absent means none yet. */
  sourceIds?: readonly string[];
  /** Display name (key name, OIDC name/email claim is NOT copied: no personal data). */
  name?: string;
}
