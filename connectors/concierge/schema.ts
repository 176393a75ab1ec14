// Concierge: members, service requests and payment cards (card number encrypted at rest).
import { SourceKind } from '../../src/domain/vocabulary.js';
import { qualified } from '../shared/sql.js';
import { RECORD_COLUMNS_DDL, type SystemDefinition } from '../shared/system.js';
import { conciergeRecordTypes } from './records.js';

export const conciergeSystem: SystemDefinition = {
  name: 'concierge',
  kind: SourceKind.CONCIERGE,
  tables: (s) => [
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'members')} (
      id text PRIMARY KEY, membership_number text, given_name text, family_name text, email text, phone text,
      street text, city text, postcode text, ${RECORD_COLUMNS_DDL})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'service_requests')} (id text PRIMARY KEY, member_ref text NOT NULL, requested_at timestamptz, service text, destination text, details text)`,
    `CREATE INDEX IF NOT EXISTS service_requests_member_idx ON ${qualified(s, 'service_requests')} (member_ref)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'payment_cards')} (
      id text PRIMARY KEY, member_ref text NOT NULL, brand text, card_number_enc text NOT NULL, last_four char(4), expiry text)`,
    `CREATE INDEX IF NOT EXISTS payment_cards_member_idx ON ${qualified(s, 'payment_cards')} (member_ref)`,
  ],
  load: [
    {
      table: 'members',
      columns: ['id', 'membership_number', 'given_name', 'family_name', 'email', 'phone', 'street', 'city', 'postcode', 'created_at', 'last_activity_at'],
    },
    { table: 'service_requests', columns: ['id', 'member_ref', 'requested_at', 'service', 'destination', 'details'] },
    { table: 'payment_cards', columns: ['id', 'member_ref', 'brand', 'card_number_enc', 'last_four', 'expiry'] },
  ],
  recordTypes: conciergeRecordTypes,
};
