/**
 * Marker put in place of a withheld value, so a reader knows something was removed.
 * R12 is applied where a record is shown to one caller: presentRecord in
 * src/discovery/record-presentation.ts (data, nested rows and match explanations).
 */
export const WITHHELD = Object.freeze({ withheld: true, reason: 'SPECIAL_CATEGORY' as const });
