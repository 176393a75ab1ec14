import { isSpecialCategory, type DataCategory } from '../domain/vocabulary.js';
import { can } from './permissions.js';
import type { Principal } from './principal.js';

/** Marker put in place of a withheld value, so a reader knows something was removed. */
export const WITHHELD = Object.freeze({ withheld: true, reason: 'SPECIAL_CATEGORY' as const });

export interface RedactionResult {
  data: Record<string, unknown>;
  /** Names of the fields withheld (the names are not personal data; the values are). */
  withheld: string[];
}

/**
 * R12: special-category values (health, beliefs, ethnicity, ...) are shown only to
 * principals with `special-category:read`; others get the WITHHELD marker instead.
 * `categoryOf` maps a field name to its category (from the source's description); a
 * field with no known category is kept.
 */
export function redactSpecialCategories(
  principal: Principal | null | undefined,
  data: Record<string, unknown>,
  categoryOf: (field: string) => DataCategory | readonly DataCategory[] | undefined,
): RedactionResult {
  if (can(principal, 'special-category:read')) return { data: { ...data }, withheld: [] };
  const out: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const [field, value] of Object.entries(data)) {
    const c = categoryOf(field);
    const categories = c === undefined ? [] : Array.isArray(c) ? c : [c as DataCategory];
    if (categories.some(isSpecialCategory)) {
      out[field] = WITHHELD;
      withheld.push(field);
    } else {
      out[field] = value;
    }
  }
  return { data: out, withheld };
}
