import type { Role } from './roles.js';

/**
 * Whose data a principal may see: every controller's (the group's own too), or only the
 * listed controllers' — none when the list is empty. Kept apart so that "none" (an OIDC
 * token that forgot its controllers claim) can never read as "every".
 */
export type ControllerScope = { readonly every: true } | { readonly every: false; readonly ids: readonly string[] };

export const EVERY_CONTROLLER: ControllerScope = Object.freeze({ every: true });

/** Bound to these controllers only; an empty list is bound to none. */
export function onlyControllers(ids: readonly string[]): ControllerScope {
  return { every: false, ids: [...new Set(ids)] };
}

/** Who is calling, as every authorisation check sees it. Built by authentication only. */
export interface Principal {
  kind: 'api-key' | 'oidc';
  /** The API key id, or the OIDC subject. Recorded as the actor in the audit log. */
  id: string;
  roles: readonly Role[];
  /** The controllers whose data this principal may see (see ControllerScope). */
  controllers: ControllerScope;
  /** For CONNECTOR keys bound to sources: the sources it may update; empty or absent means none yet. */
  sourceIds?: readonly string[];
  /** Display name (key name, OIDC name/email claim is NOT copied: no personal data). */
  name?: string;
}
