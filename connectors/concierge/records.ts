// How concierge rows become contract records. Cards appear only as brand, last four and expiry (R15).
import { IdentifierType as T, Relationship } from '../../src/domain/vocabulary.js';
import { ids, type RecordTypeSpec } from '../shared/reference-connector.js';
import { addressIdentifiers, nameIdentifiers } from '../shared/record-helpers.js';

export const memberSpec: RecordTypeSpec = {
  recordType: 'member',
  table: 'members',
  prefix: 'MBR-',
  identifiersOf: (r) =>
    ids([[T.MEMBERSHIP_NUMBER, r.membership_number], ...nameIdentifiers(r), [T.EMAIL, r.email], [T.PHONE, r.phone], ...addressIdentifiers(r)]),
  toRecord: () => ({ relationship: Relationship.SUBJECT }),
  correctable: { givenName: 'given_name', familyName: 'family_name', email: 'email', phone: 'phone', street: 'street', city: 'city', postcode: 'postcode' },
  children: [
    { name: 'serviceRequests', table: 'service_requests', foreignKey: 'member_ref' },
    // The encrypted number never leaves the store; brand, last four and expiry only.
    { name: 'paymentCards', table: 'payment_cards', foreignKey: 'member_ref', omit: ['card_number_enc'] },
  ],
};

export const conciergeRecordTypes = [memberSpec] as const;
