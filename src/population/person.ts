// The people of the synthetic population. Person i is a pure function of (seed, i, total):
// nothing is held in memory, so a million people can be streamed, and any person can be
// regenerated when another record refers to them (a dependant, a referee).
import { Faker, en_GB, en, base } from '@faker-js/faker';
import { seededRandom, hashSeed } from './random.js';
import type { GenerationContext } from './context.js';
import { NICKNAME_SOURCE_NAMES, chance, intBetween, pick, type Random } from './variation.js';

/** The country of the population's phone numbers: UK mobiles, written in national form too (variation.ts). */
export const POPULATION_PHONE_COUNTRY = 'GB' as const;

export interface Address {
  street: string;
  city: string;
  postcode: string;
}

export interface Employer {
  name: string;
  /** The employer as a controller of the records held for it (R6). */
  controllerId: string;
}

export interface Person {
  id: string;
  index: number;
  household: number;
  /** 0 head, 1 partner, 2 child of the household; single-person households have only 0. */
  role: 0 | 1 | 2;
  givenName: string;
  familyName: string;
  /** Family name before marriage, when the person took the partner's name. */
  birthFamilyName?: string;
  sex: 'female' | 'male';
  dateOfBirth: string;
  email: string;
  /** An older address the person has since changed from. */
  previousEmail?: string;
  phone: string;
  address: Address;
  nationalId: string;
  membershipNumber: string;
  employer: Employer;
}

const faker = new Faker({ locale: [en_GB, en, base] });
const EMPLOYER_COUNT = 40;

export function personId(index: number): string {
  return `P${String(index).padStart(7, '0')}`;
}

export function employerAt(seed: number, n: number): Employer {
  faker.seed(hashSeed(seed, 'employer', n));
  return { name: faker.company.name(), controllerId: `EMP-${String(n).padStart(3, '0')}` };
}

interface Household {
  size: number;
  familyName: string;
  address: Address;
  headBirthYear: number;
}

function householdAt(seed: number, h: number, referenceYear: number): Household {
  const rng = seededRandom(seed, 'household-size', h);
  faker.seed(hashSeed(seed, 'household', h));
  return {
    size: intBetween(rng, 1, 3),
    familyName: faker.person.lastName(),
    address: {
      street: faker.location.streetAddress(),
      city: faker.location.city(),
      postcode: faker.location.zipCode(),
    },
    headBirthYear: referenceYear - intBetween(rng, 30, 75),
  };
}

function asciiLower(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

const REFERENCE_YEAR = 2025; // birth years are fixed relative to this so populations do not drift over time

export function personAt(seed: number, index: number): Person {
  const h = Math.floor(index / 3);
  const household = householdAt(seed, h, REFERENCE_YEAR);
  const position = index % 3;
  const inHousehold = position < household.size;
  const role = (inHousehold ? position : 0) as 0 | 1 | 2;
  const rng = seededRandom(seed, 'person', index);
  faker.seed(hashSeed(seed, 'person-faker', index));

  const sex = chance(rng, 0.5) ? 'female' : 'male';
  const givenName = chance(rng, 0.3) ? pick(rng, NICKNAME_SOURCE_NAMES) : faker.person.firstName(sex);
  let familyName = inHousehold ? household.familyName : faker.person.lastName();
  let birthFamilyName: string | undefined;
  if (role === 1) {
    // A partner either took the household's name (a married name) or kept their own.
    const own = faker.person.lastName();
    if (chance(rng, 0.6)) birthFamilyName = own;
    else familyName = own;
  }
  const address = inHousehold ? household.address : { street: faker.location.streetAddress(), city: faker.location.city(), postcode: faker.location.zipCode() };
  const birthYear =
    role === 2
      ? // A child born to a young head would be born after the reference year: a date of
        // birth in the future, which every door refuses. Such a child is a baby instead.
        Math.min(household.headBirthYear + intBetween(rng, 20, 32), REFERENCE_YEAR)
      : role === 1
        ? household.headBirthYear + intBetween(rng, -4, 4)
        : inHousehold
          ? household.headBirthYear
          : REFERENCE_YEAR - intBetween(rng, 18, 80);
  const dateOfBirth = `${birthYear}-${String(intBetween(rng, 1, 12)).padStart(2, '0')}-${String(intBetween(rng, 1, 28)).padStart(2, '0')}`;
  const domain = pick(rng, ['example.com', 'mail.example.org', 'post.example.net', 'inbox.example.co.uk']);
  const local = `${asciiLower(givenName)}.${asciiLower(birthFamilyName ?? familyName)}${intBetween(rng, 1, 999)}`;
  const email = `${local}@${domain}`;
  const previousEmail = chance(rng, 0.25) ? `${asciiLower(givenName)}${intBetween(rng, 10, 99)}@old.example.com` : undefined;
  const phone = `+447${String(intBetween(rng, 100000000, 999999999))}`;
  const letters = 'ABCEGHJKLMNPRSTWXYZ';
  const nationalId = `${pick(rng, [...letters])}${pick(rng, [...letters])}${String(intBetween(rng, 100000, 999999))}${pick(rng, ['A', 'B', 'C', 'D'])}`;
  const membershipNumber = `M${String(hashSeed(seed, 'member', index) % 100000000).padStart(8, '0')}`;
  const employer = employerAt(seed, intBetween(rng, 0, EMPLOYER_COUNT - 1));
  return {
    id: personId(index),
    index,
    household: h,
    role,
    givenName,
    familyName,
    ...(birthFamilyName ? { birthFamilyName } : {}),
    sex,
    dateOfBirth,
    email,
    ...(previousEmail ? { previousEmail } : {}),
    phone,
    address,
    nationalId,
    membershipNumber,
    employer,
  };
}

/** Other members of the person's household (for dependants, beneficiaries, contacts). */
export function householdMembers(seed: number, person: Person, total: number): Person[] {
  const first = person.household * 3;
  const out: Person[] = [];
  for (let i = first; i < Math.min(first + 3, total); i++) {
    if (i === person.index) continue;
    const other = personAt(seed, i);
    // Members beyond the household's size live alone elsewhere.
    if (sameAddress(other, person)) out.push(other);
  }
  return out;
}

function sameAddress(a: Person, b: Person): boolean {
  return a.address.street === b.address.street && a.address.postcode === b.address.postcode;
}

/** Someone else in the population, picked at random (a referee, a friend named as a contact). */
export function otherPerson(ctx: GenerationContext, rng: Random, self: Person): Person | undefined {
  if (ctx.total < 2) return undefined;
  let j = intBetween(rng, 0, ctx.total - 1);
  if (j === self.index) j = (j + 1) % ctx.total;
  return personAt(ctx.seed, j);
}
