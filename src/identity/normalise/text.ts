// Text folding shared by the normalisers: one place decides what "the same letters" means.

/** Lowercase, strip accents (é -> e), map ligatures and German/Nordic letters to ASCII. */
export function foldText(value: string): string {
  // Plain ASCII needs no Unicode decomposition (the common case, and the slow step).
  if (/^[\p{ASCII}]*$/u.test(value)) return value.toLowerCase();
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[œŒ]/g, 'oe')
    .replace(/[łŁ]/g, 'l')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** Folded text with punctuation turned into spaces and whitespace collapsed. */
export function wordsOf(value: string): string[] {
  return foldText(value)
    .replace(/['’`]/g, '') // O'Brien -> obrien
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
}
