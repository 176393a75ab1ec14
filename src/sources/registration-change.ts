// What a registration, an approval or an enabling does to a stored source: pure rules, the
// registry writes the result. What an administrator approved is what the source is held to
// (its columns and `declared`); a source team's change waits beside it as `proposed` until an
// administrator approves exactly that change (docs/connectors.md, "Approval").
import { canonicalJson } from '../audit/canonical-json.js';
import type { SourceDescription } from '../../connectors/contract.js';
import { SourceStatus, type DeclaredSource, type ProposedChange, type RegistrationColumns } from './source.entity.js';

/** What the registry reads of a stored source to apply a change to it. */
export interface StoredSource extends Omit<RegistrationColumns, 'phoneCountry'> {
  status: SourceStatus;
  declared: DeclaredSource | null;
  approvedAt: Date | null;
  phoneCountry: string;
  phoneCountriesBefore: string[];
}

/** The columns a change writes (the registry adds who and when). */
export interface SourceWrite extends Omit<StoredSource, 'phoneCountry'> {
  phoneCountry: string;
}

/**
 * What a remote source registered before registrations kept their description was approved
 * with: nothing (no fields, no capabilities). What it describes is a change awaiting approval.
 */
export function nothingApproved(kind: string, name: string): DeclaredSource {
  return {
    identifierTypes: [],
    capabilities: [],
    description: {
      kind: kind as SourceDescription['kind'],
      name,
      fields: [],
      retention: { summary: 'not approved yet', statutory: false, erasure: 'DELETE' },
      controller: { role: 'CONTROLLER' },
    },
  };
}

/**
 * The phone country after a registration names one (null: keeps its own), and the countries
 * read before it: the one it leaves is kept (tombstones hold its reading), each once, never
 * the current one.
 */
export function phoneCountriesAfter(current: string, before: string[], named: string | null): { phoneCountry: string; phoneCountriesBefore: string[] } {
  if (named === null || named === current) return { phoneCountry: current, phoneCountriesBefore: before };
  const kept = before.includes(current) ? before : [...before, current];
  return { phoneCountry: named, phoneCountriesBefore: kept.filter((c) => c !== named) };
}

/** Whether an administrator has ever approved what this source is held to. */
export function everApproved(stored: Pick<StoredSource, 'approvedAt'>): boolean {
  return stored.approvedAt !== null;
}

/** A registration applied with what it declares. */
function applied(stored: StoredSource | null, incoming: RegistrationColumns, declared: DeclaredSource, defaultCountry: string) {
  const phone = stored
    ? phoneCountriesAfter(stored.phoneCountry, stored.phoneCountriesBefore, incoming.phoneCountry)
    : { phoneCountry: incoming.phoneCountry ?? defaultCountry, phoneCountriesBefore: [] };
  const { name, kind, connectorType, config, controllerIds } = incoming;
  return { name, kind, connectorType, config, controllerIds, declared, ...phone };
}

/** The registration a source was approved with, as its columns hold it. */
function columnsOf(stored: StoredSource): RegistrationColumns {
  const { name, kind, connectorType, config, controllerIds, phoneCountry } = stored;
  return { name, kind, connectorType, config, controllerIds, phoneCountry };
}

/**
 * A registration (by GraphQL or the sources file) applied to the stored source, or null when
 * nothing changes. `approver`: an administrator's registration (or the sources file's), which
 * is approved as it is registered; anyone else's waits. `reapplied`: the sources file applied
 * again at a start, where an unchanged registration approves nothing (it may be waiting for an
 * approval of a remote's change) and changes nothing.
 * A DISABLED source stays DISABLED whoever registers it; a REMOVED one is registered anew.
 */
export function registrationApplied(
  stored: StoredSource | null,
  incoming: RegistrationColumns,
  declared: DeclaredSource,
  how: { approver: boolean; reapplied: boolean; defaultCountry: string; now: Date },
): SourceWrite | null {
  const current = stored && stored.status !== SourceStatus.REMOVED ? stored : null;
  if (current && how.reapplied && canonicalJson(current.config) === canonicalJson(incoming.config)) {
    return current.declared ? null : { ...current, declared };
  }
  const statusOf = (wanted: SourceStatus) => (current?.status === SourceStatus.DISABLED ? SourceStatus.DISABLED : wanted);
  if (how.approver) {
    return { ...applied(stored, incoming, declared, how.defaultCountry), status: statusOf(SourceStatus.ACTIVE), approvedAt: how.now };
  }
  if (!current || !everApproved(current)) {
    // Nothing approved to keep: the registration is what waits.
    return { ...applied(stored, incoming, declared, how.defaultCountry), status: statusOf(SourceStatus.PENDING_APPROVAL), approvedAt: null };
  }
  // Approved before: it stays held to what was approved, the change waits beside it.
  const approved = current.declared ?? nothingApproved(current.kind, current.name);
  const { proposed: _replaced, approvedBefore: _was, ...held } = approved;
  const searchedBefore = current.status === SourceStatus.ACTIVE || approved.approvedBefore === true;
  const proposed: ProposedChange = { ...withoutMarks(declared), registration: incoming };
  return {
    ...current,
    declared: { ...held, proposed, ...(searchedBefore ? { approvedBefore: true as const } : {}) },
    status: statusOf(SourceStatus.PENDING_APPROVAL),
  };
}

function withoutMarks(declared: DeclaredSource): Omit<DeclaredSource, 'proposed' | 'approvedBefore'> {
  const { proposed: _p, approvedBefore: _a, ...rest } = declared;
  return rest;
}

/**
 * Approval: the source becomes ACTIVE held to exactly what was waiting (a proposed change,
 * registration and description both, or its first registration as stored).
 */
export function approvalApplied(stored: StoredSource, now: Date): SourceWrite {
  const proposed = stored.declared?.proposed;
  if (!proposed) {
    const declared = stored.declared ? withoutMarks(stored.declared) : null;
    return { ...stored, declared, status: SourceStatus.ACTIVE, approvedAt: now };
  }
  const { registration, ...description } = proposed;
  const columns = registration
    ? applied(stored, registration, description, stored.phoneCountry)
    : { ...columnsOf(stored), phoneCountry: stored.phoneCountry, phoneCountriesBefore: stored.phoneCountriesBefore, declared: description };
  return { ...stored, ...columns, declared: description, status: SourceStatus.ACTIVE, approvedAt: now };
}

/**
 * Enabling a DISABLED source: ACTIVE again only when what it is held to was approved and
 * nothing changed since; otherwise it waits for approval as it would have without the disable
 * (a search without it stays incomplete when it was searched before).
 */
export function enablingApplied(stored: StoredSource): SourceWrite {
  const declared = stored.declared;
  if (everApproved(stored) && !declared?.proposed) return { ...stored, status: SourceStatus.ACTIVE };
  const marked = declared && everApproved(stored) ? { ...declared, approvedBefore: true as const } : declared;
  return { ...stored, declared: marked, status: SourceStatus.PENDING_APPROVAL };
}
