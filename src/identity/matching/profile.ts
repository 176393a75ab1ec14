// A person profile: the normalised identifiers of a query or a record, grouped by field,
// which is what blocking and comparisons work on.
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { isReferenceType, normaliseRecordIdentifiers, type NormalisedIdentifier, type NormaliseOptions } from '../normalise/index.js';
import { canonicalGiven, phoneticCodes } from '../normalise/names.js';

export interface NameValue {
  value: string;
  /** Double Metaphone [primary, alternate]. */
  phonetic: [string, string];
  /** Canonical first given name (nicknames resolved); family names keep their value. */
  canonical: string;
}

export interface Profile {
  given: NameValue[];
  family: NameValue[];
  dob: string[];
  email: string[];
  phone: string[];
  street: string[];
  postcode: string[];
  city: string[];
  nationalId: string[];
  /** Other reference numbers, kept as "TYPE:VALUE" so only same-type ids compare. */
  references: string[];
}

function nameValue(value: string, given: boolean, phonetic?: [string, string]): NameValue {
  return { value, phonetic: phonetic ?? phoneticCodes(value), canonical: given ? canonicalGiven(value) : value };
}

function push<T>(list: T[], value: T, same: (a: T) => boolean): void {
  if (!list.some(same)) list.push(value);
}

export function profileOf(identifiers: readonly NormalisedIdentifier[]): Profile {
  const p: Profile = {
    given: [],
    family: [],
    dob: [],
    email: [],
    phone: [],
    street: [],
    postcode: [],
    city: [],
    nationalId: [],
    references: [],
  };
  const addGiven = (v: string, codes?: [string, string]) => {
    if (!p.given.some((x) => x.value === v)) p.given.push(nameValue(v, true, codes));
  };
  const addFamily = (v: string, codes?: [string, string]) => {
    if (!p.family.some((x) => x.value === v)) p.family.push(nameValue(v, false, codes));
  };
  const add = (list: string[], v: string) => push(list, v, (x) => x === v);
  for (const id of identifiers) {
    switch (id.type) {
      // The normaliser already computed the phonetic codes of single-part names.
      case IdentifierType.GIVEN_NAME:
        addGiven(id.value, id.phonetic);
        break;
      case IdentifierType.FAMILY_NAME:
        addFamily(id.value, id.phonetic);
        break;
      case IdentifierType.FULL_NAME:
        if (id.given) addGiven(id.given);
        if (id.family) addFamily(id.family);
        break;
      case IdentifierType.DATE_OF_BIRTH:
        add(p.dob, id.value);
        break;
      case IdentifierType.EMAIL:
        add(p.email, id.value);
        break;
      case IdentifierType.PHONE:
        add(p.phone, id.value);
        break;
      case IdentifierType.STREET_ADDRESS:
        add(p.street, id.value);
        break;
      case IdentifierType.POSTCODE:
        add(p.postcode, id.value);
        break;
      case IdentifierType.CITY:
        add(p.city, id.value);
        break;
      case IdentifierType.NATIONAL_ID:
        add(p.nationalId, id.value);
        break;
      default:
        if (isReferenceType(id.type)) add(p.references, `${id.type}:${id.value}`);
    }
  }
  return p;
}

/** Tolerant profile of raw source identifiers (unusable values dropped). */
export function profileOfRaw(identifiers: readonly Identifier[], options?: NormaliseOptions): Profile {
  return profileOf(normaliseRecordIdentifiers(identifiers, options));
}
