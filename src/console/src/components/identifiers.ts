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
}
