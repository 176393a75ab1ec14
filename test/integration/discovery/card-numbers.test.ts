// R15 in discovery: a full card number never leaves the payment system. The access copy
// masks card numbers to their last four digits even when a source forgot to; a handler
// finding the person sees the same records through `subject`, and must not see more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../../connectors/registry.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, type ForeignDatabase } from '../connectors/foreign-crm.js';

// A test card number (Visa's), in one run and as printed on a receipt.
const CARD = '4111111111111111';
const PRINTED = '4111 1111 1111 1111';
const PHONE = '+447700900123';

function registerConfig(url: string): SourceConfigInput {
  return {
    id: 'travel_desk',
    name: 'Travel desk bookings',
    kind: 'OTHER',
    type: 'sql',
    connection: { url, passwordEnv: 'DSR_SOURCE_SECRET_CRM_DB_PASSWORD' },
    controller: { role: 'CONTROLLER' },
    retention: { summary: '2 years after the trip', activePeriod: 'P2Y', erasure: 'DELETE' },
    mapping: {
      recordTypes: [
        {
          name: 'booking',
          table: 'crm.bookings',
          primaryKey: 'booking_no',
          identifiers: { first_name: 'GIVEN_NAME', surname: 'FAMILY_NAME', e_mail: 'EMAIL', mobile: 'PHONE' },
          fullName: ['first_name', 'surname'],
          columns: {
            first_name: { categories: ['IDENTITY'], erase: 'NULL' },
            surname: { categories: ['IDENTITY'], erase: 'NULL' },
            e_mail: { categories: ['CONTACT'], erase: 'NULL' },
            mobile: { categories: ['CONTACT'], erase: 'NULL' },
            card_number: { categories: ['PAYMENT_CARD'], erase: 'NULL' },
            desk_notes: { categories: ['SERVICE_HISTORY'], erase: 'NULL' },
          },
        },
      ],
    },
  } as SourceConfigInput;
}

interface Answer {
  subject: { records: { sourceId: string; data: Record<string, unknown> }[] };
}
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId data } } }`;

describe('R15: card numbers in discovery results', () => {
  let gw: TestGateway;
  let db: ForeignDatabase;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
    db = await createForeignCrmDatabase();
    await db.query(
      `CREATE TABLE crm.bookings (booking_no serial PRIMARY KEY, first_name text, surname text, e_mail text, mobile text, card_number text, desk_notes text)`,
    );
    await db.query(
      `INSERT INTO crm.bookings (first_name, surname, e_mail, mobile, card_number, desk_notes) VALUES ('Ines', 'Sauer', 'ines.sauer@example.net', $1, $2, $3)`,
      [PHONE, CARD, `Paid the deposit by phone with ${PRINTED}, exp 09/28`],
    );
    await gw.runtime.services.sources.register(registerConfig(db.url), 'test');
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  const q = {
    identifiers: [
      { type: 'GIVEN_NAME', value: 'Ines' },
      { type: 'FAMILY_NAME', value: 'Sauer' },
      { type: 'EMAIL', value: 'ines.sauer@example.net' },
    ],
  };

  for (const roles of [['HANDLER'], ['HANDLER', 'SPECIAL_CATEGORY']]) {
    it(`R15: a ${roles.join(' + ')} finding the person sees at most the last four digits of a card, in its column and in free text`, async () => {
      const reply = await gw.graphql<Answer>(SUBJECT, { q }, await bearer(gw, roles));
      expect(reply.body.errors).toBeUndefined();
      const booking = reply.body.data!.subject.records.find((r) => r.sourceId === 'travel_desk');
      expect(booking).toBeDefined();
      expect(booking!.data.card_number).toBe('************1111');
      expect(booking!.data.desk_notes).toBe('Paid the deposit by phone with **** **** **** 1111, exp 09/28');
      // An identifier the source describes is not a card: the phone number stays as it is.
      expect(booking!.data.mobile).toBe(PHONE);
      const text = JSON.stringify(reply.body);
      expect(text).not.toContain(CARD);
      expect(text).not.toContain(PRINTED);
    });
  }
});
