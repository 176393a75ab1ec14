// How the same person is written differently from one system to the next: typos,
// nicknames, swapped name order, married names, changed emails, phone formats and
// missing fields. Pure functions of a seeded random source, so a seed fixes them all.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export function chance(rng: Random, p: number): boolean {
  return rng.next() < p;
}

export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)]!;
}

export function intBetween(rng: Random, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

/** `n` random decimal digits (record numbers, badge ids). */
export function digits(rng: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(intBetween(rng, 0, 9));
  return s;
}

/** Countries people apply from and travel to. */
export const COUNTRIES = ['GB', 'FR', 'DE', 'AE', 'SG', 'US'];

const NICKNAMES: Record<string, string[]> = {
  robert: ['Bob', 'Rob', 'Bobby'],
  william: ['Bill', 'Will', 'Liam'],
  elizabeth: ['Liz', 'Beth', 'Eliza'],
  margaret: ['Maggie', 'Peggy', 'Meg'],
  richard: ['Rick', 'Dick', 'Richie'],
  katherine: ['Kate', 'Kathy', 'Katie'],
  catherine: ['Cathy', 'Kate'],
  james: ['Jim', 'Jamie'],
  john: ['Jack', 'Johnny'],
  thomas: ['Tom', 'Tommy'],
  michael: ['Mike', 'Mick'],
  alexander: ['Alex', 'Sandy'],
  alexandra: ['Alex', 'Sandra'],
  jennifer: ['Jen', 'Jenny'],
  christopher: ['Chris', 'Kit'],
  anthony: ['Tony'],
  edward: ['Ed', 'Ted', 'Eddie'],
  susan: ['Sue', 'Susie'],
  patricia: ['Pat', 'Trish'],
  daniel: ['Dan', 'Danny'],
  matthew: ['Matt'],
  samuel: ['Sam'],
  samantha: ['Sam'],
  victoria: ['Vicky', 'Tori'],
  rebecca: ['Becky'],
  joseph: ['Joe'],
  benjamin: ['Ben'],
  nicholas: ['Nick'],
  josephine: ['Jo'],
  deborah: ['Debbie', 'Deb'],
};

/** A nickname the person is known by: a listed one, else a short form of the name. */
export function nickname(rng: Random, given: string): string {
  const listed = NICKNAMES[given.toLowerCase()];
  if (listed) return pick(rng, listed);
  return given.length > 5 ? given.slice(0, 4) : given;
}

export const NICKNAME_SOURCE_NAMES = Object.keys(NICKNAMES).map((n) => n[0]!.toUpperCase() + n.slice(1));

/** One keyboard slip: a dropped, doubled, swapped or replaced letter. */
export function typo(rng: Random, text: string): string {
  if (text.length < 3) return text;
  const i = intBetween(rng, 1, text.length - 2);
  switch (intBetween(rng, 0, 3)) {
    case 0:
      return text.slice(0, i) + text.slice(i + 1);
    case 1:
      return text.slice(0, i) + text[i] + text.slice(i);
    case 2:
      return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
    default: {
      const letters = 'aeioulnrst';
      return text.slice(0, i) + pick(rng, [...letters]) + text.slice(i + 1);
    }
  }
}

/** The same UK mobile number written the ways people and systems write it. */
export function phoneFormat(rng: Random, e164: string): string {
  // e164: +447xxxxxxxxx
  const national = '0' + e164.slice(3);
  switch (intBetween(rng, 0, 4)) {
    case 0:
      return e164;
    case 1:
      return `+44 ${e164.slice(3, 7)} ${e164.slice(7)}`;
    case 2:
      return national;
    case 3:
      return `${national.slice(0, 5)} ${national.slice(5)}`;
    default:
      return `(${national.slice(0, 5)}) ${national.slice(5, 8)}-${national.slice(8)}`;
  }
}
