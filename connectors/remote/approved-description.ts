// A remote source describes itself (fields and their categories, special-category flags,
// retention, rules, capabilities), but what an administrator approved is what the gateway
// acts on: a remote that later describes itself otherwise is not believed until its change
// is approved in turn (docs/security.md, "Trust boundaries").
import type { Capability } from '../../src/domain/vocabulary.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import type { SourceDescription } from '../contract.js';

/** What a remote source was approved with: its description and the capabilities it offered. */
export interface ApprovedDescription {
  description: SourceDescription;
  capabilities: readonly Capability[];
}

/** Why a remote source is not used: its live description is not the approved one. */
export const DESCRIPTION_CHANGED = 'SOURCE_DESCRIPTION_CHANGED';

/**
 * True when the live description differs from the approved one in anything but the order
 * of its lists: every part of it is something the gateway acts on (R12 special categories,
 * R9 retention, R14/R16 rules, R6 controller role), so none is taken on the remote's word.
 */
export function describesOtherwise(approved: ApprovedDescription, live: ApprovedDescription): boolean {
  return comparable(approved) !== comparable(live);
}

function comparable({ description, capabilities }: ApprovedDescription): string {
  // Through JSON first: what was approved was stored as JSON (undefined members dropped).
  const d = JSON.parse(JSON.stringify(description)) as SourceDescription;
  const fields = (d.fields ?? [])
    .map((f) => ({ ...f, categories: [...(f.categories ?? [])].sort() }))
    .map((f) => canonicalJson(f))
    .sort();
  return canonicalJson({ ...d, fields, capabilities: [...capabilities].sort() });
}
