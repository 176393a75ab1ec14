// How one system wrote a person down: the person's true identity passed through the
// variations real data shows. Each appearance draws its own variations.
import type { Person } from './person.js';
import { chance, nickname, phoneFormat, typo, type Random } from './variation.js';

export interface AppearanceIdentity {
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  postcode: string | null;
}

export interface VariationRates {
  nickname: number;
  typo: number;
  swappedOrder: number;
  birthName: number;
  oldEmail: number;
  missingEmail: number;
  missingPhone: number;
  missingDateOfBirth: number;
  missingAddress: number;
}

export const DEFAULT_RATES: VariationRates = {
  nickname: 0.1,
  typo: 0.05,
  swappedOrder: 0.03,
  birthName: 0.3,
  oldEmail: 0.3,
  missingEmail: 0.08,
  missingPhone: 0.12,
  missingDateOfBirth: 0.08,
  missingAddress: 0.1,
};

export function appearanceOf(rng: Random, person: Person, rates: VariationRates = DEFAULT_RATES): AppearanceIdentity {
  let givenName = chance(rng, rates.nickname) ? nickname(rng, person.givenName) : person.givenName;
  let familyName = person.birthFamilyName && chance(rng, rates.birthName) ? person.birthFamilyName : person.familyName;
  if (chance(rng, rates.typo)) familyName = typo(rng, familyName);
  else if (chance(rng, rates.typo / 2)) givenName = typo(rng, givenName);
  if (chance(rng, rates.swappedOrder)) [givenName, familyName] = [familyName, givenName];
  const email = chance(rng, rates.missingEmail)
    ? null
    : person.previousEmail && chance(rng, rates.oldEmail)
      ? person.previousEmail
      : chance(rng, 0.1)
        ? person.email.toUpperCase()
        : person.email;
  const phone = chance(rng, rates.missingPhone) ? null : phoneFormat(rng, person.phone);
  const dateOfBirth = chance(rng, rates.missingDateOfBirth) ? null : person.dateOfBirth;
  const missingAddress = chance(rng, rates.missingAddress);
  return {
    givenName,
    familyName,
    dateOfBirth,
    email,
    phone,
    street: missingAddress ? null : person.address.street,
    city: missingAddress ? null : person.address.city,
    postcode: missingAddress ? null : person.address.postcode,
  };
}
