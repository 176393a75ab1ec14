// R16: the age under which a person's data found in an online service is deleted at once:
// 18 unless the request's jurisdiction sets another (13 where a child may consent at 13).
// Pure: the settings give the table, the request its jurisdiction.

export interface ChildAgePolicy {
  /** The age limit where the jurisdiction sets none. */
  defaultAge: number;
  /** Limits by jurisdiction code ('US', 'GB', 'US-CA'): a code with a region falls back to its country. */
  byJurisdiction: Readonly<Record<string, number>>;
}

export const DEFAULT_CHILD_AGE_POLICY: ChildAgePolicy = { defaultAge: 18, byJurisdiction: {} };

/** The limit for a request's jurisdiction, and the code that set it (none: the default). */
export function childAgeFor(jurisdiction: string, policy: ChildAgePolicy): { age: number; setBy?: string } {
  const code = jurisdiction.trim().toUpperCase();
  for (const candidate of [code, code.split('-')[0]!]) {
    const age = policy.byJurisdiction[candidate];
    if (age !== undefined) return { age, setBy: candidate };
  }
  return { age: policy.defaultAge };
}

/**
 * Parses `US=13,GB-SCT=16` into a table. Throws with the faulty entry: a code that is not
 * CC or CC-REGION, or an age that is not a whole number from 1 to 21.
 */
export function parseChildAges(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?)\s*=\s*(\d{1,2})$/.exec(entry);
    const age = m ? Number(m[2]) : NaN;
    if (!m || age < 1 || age > 21) throw new Error(`"${entry}" is not JURISDICTION=AGE (e.g. US=13, an age from 1 to 21)`);
    out[m[1]!.toUpperCase()] = age;
  }
  return out;
}
