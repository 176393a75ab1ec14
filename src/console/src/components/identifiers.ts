export const IDENTIFIER_TYPES = [
  'GIVEN_NAME',
  'FAMILY_NAME',
  'FULL_NAME',
  'DATE_OF_BIRTH',
  'EMAIL',
  'PHONE',
  'STREET_ADDRESS',
  'CITY',
  'POSTCODE',
  'NATIONAL_ID',
  'MEMBERSHIP_NUMBER',
  'PATIENT_ID',
  'CANDIDATE_ID',
  'EMPLOYEE_ID',
  'LEARNER_ID',
  'BADGE_ID',
  'CERTIFICATE_NUMBER',
] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];
export interface IdentifierRow {
  type: IdentifierType;
  value: string;
  /** PHONE only: the ISO 3166 alpha-2 country a number without +prefix was written in; absent: the deployment's default. */
  country?: string;
}

/**
 * The countries with phone numbering the API reads a national number in (libphonenumber's
 * list, which the API checks `country` against; a unit test keeps the two in step). Kept
 * here rather than imported: the library's metadata would weigh on the console's bundle.
 */
export const PHONE_COUNTRIES = (
  'AC AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK ' +
  'CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR ' +
  'GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV ' +
  'LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL ' +
  'PM PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TG TH TJ TK TL TM TN TO ' +
  'TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ');

/** The identifier as the API takes it: a phone number's country only when one was chosen. */
export function identifierInput(row: IdentifierRow): { type: IdentifierType; value: string; country?: string } {
  const value = row.value.trim();
  return row.type === 'PHONE' && row.country ? { type: row.type, value, country: row.country } : { type: row.type, value };
}
