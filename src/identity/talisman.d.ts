// talisman ships no type declarations; these cover the few functions identity uses.
declare module 'talisman/phonetics/double-metaphone.js' {
  /** Returns [primary, alternate] Double Metaphone codes. */
  export default function doubleMetaphone(word: string): [string, string];
}
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro-Winkler similarity in [0, 1]. */
  export default function jaroWinkler(a: string, b: string): number;
}
declare module 'talisman/metrics/damerau-levenshtein.js' {
  /** Optimal string alignment distance (adjacent transpositions count once). */
  export default function damerauLevenshtein(a: string, b: string): number;
}
