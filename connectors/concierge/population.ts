// The demo population's concierge rows: members, their service requests and payment cards
// (stored encrypted, as the real system does; only the last four digits in clear).
import { cardKeyFrom, encryptCardNumber } from './card-crypto.js';
import { appearanceOf } from '../../src/population/appearance.js';
import { daysAgo, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import type { Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, COUNTRIES, digits, intBetween, pick } from '../../src/population/variation.js';

const SERVICES = ['Restaurant booking', 'Airport transfer', 'Event tickets', 'Hotel reservation', 'Medical appointment abroad'];

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

export async function* conciergeRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'concierge', person.index);
  if (!chance(rng, 0.2)) return;
  const id = ctx.nextId('MBR-');
  const who = appearanceOf(rng, person);
  const joined = daysAgo(ctx, rng, 30, 2500);
  let last = joined;
  const children: GeneratedRow[] = [];
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    const at = daysAgo(ctx, rng, 1, 700);
    if (at > last) last = at;
    children.push({
      table: 'service_requests',
      row: {
        id: ctx.nextId('SRQ-'),
        member_ref: id,
        requested_at: at,
        service: pick(rng, SERVICES),
        destination: pick(rng, COUNTRIES),
        details: 'Arranged on request',
      },
    });
  }
  for (let n = intBetween(rng, 0, 2); n > 0; n--) {
    const brand = pick(rng, ['VISA', 'MASTERCARD', 'AMEX']);
    const pan = luhnComplete((brand === 'VISA' ? '4' : brand === 'MASTERCARD' ? '5' : '37') + digits(rng, brand === 'AMEX' ? 12 : 14));
    const expiry = `${String(intBetween(rng, 1, 12)).padStart(2, '0')}/${String(intBetween(rng, 26, 31))}`;
    children.push({
      table: 'payment_cards',
      row: {
        id: ctx.nextId('CARD-'),
        member_ref: id,
        brand,
        card_number_enc: encryptCardNumber(pan, (ctx.cardKey ??= cardKeyFrom())),
        last_four: pan.slice(-4),
        expiry,
      },
    });
  }
  yield {
    table: 'members',
    personId: person.id,
    row: {
      id,
      membership_number: person.membershipNumber,
      given_name: who.givenName,
      family_name: who.familyName,
      email: who.email,
      phone: who.phone,
      street: who.street,
      city: who.city,
      postcode: who.postcode,
      created_at: joined,
      last_activity_at: last,
    },
  };
  yield* children;
}
