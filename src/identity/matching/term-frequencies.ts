// Term-frequency tables of names, estimated from the records being searched (as Splink
// computes them from its input), so "smith" agreeing counts for less than "zylberstein".
import type { TermFrequencies, TermFrequencyTable } from './parameters.js';
import type { Profile } from './profile.js';

/** Counts given and family names over profiles; values seen fewer than `minCount` times are left out. */
export function termFrequenciesOf(profiles: Iterable<Profile>, minCount = 1): TermFrequencies {
  const given = new Map<string, number>();
  const family = new Map<string, number>();
  let givenTotal = 0;
  let familyTotal = 0;
  for (const p of profiles) {
    for (const n of p.given) {
      given.set(n.value, (given.get(n.value) ?? 0) + 1);
      givenTotal++;
    }
    for (const n of p.family) {
      family.set(n.value, (family.get(n.value) ?? 0) + 1);
      familyTotal++;
    }
  }
  const table = (counts: Map<string, number>, total: number): TermFrequencyTable => ({
    total,
    counts: Object.fromEntries([...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1])),
  });
  return { givenName: table(given, givenTotal), familyName: table(family, familyTotal) };
}
