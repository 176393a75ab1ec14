// String similarity measures used by comparison levels (talisman implementations).
import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';

export function jw(a: string, b: string): number {
  return jaroWinkler(a, b);
}

/** At most one insertion, deletion, substitution or adjacent transposition apart. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  return damerauLevenshtein(a, b) <= 1;
}

export function phoneticMatch(a: readonly [string, string], b: readonly [string, string]): boolean {
  const [a1, a2] = a;
  const [b1, b2] = b;
  return (a1 !== '' && (a1 === b1 || a1 === b2)) || (a2 !== '' && (a2 === b1 || a2 === b2));
}

/** At most `n` edits apart (Damerau–Levenshtein). */
export function withinEdits(a: string, b: string, n: number): boolean {
  if (Math.abs(a.length - b.length) > n) return false;
  return damerauLevenshtein(a, b) <= n;
}
