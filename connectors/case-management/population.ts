// The demo population's case-management rows: cases (some held for the person's employer),
// their notes, call recordings and consents, and dependants or beneficiaries named in them.
import { appearanceOf } from '../../src/population/appearance.js';
import { addMinutes, daysAgo, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import { householdMembers, type Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, intBetween, pick } from '../../src/population/variation.js';

const REFERRALS = [
  'Fracture, left wrist; referred to orthopaedics',
  'Acute appendicitis; surgical referral',
  'Dehydration after travel',
  'Chest pain; cardiology assessment',
  'Dental abscess; referred to dentist',
];

export async function* caseManagementRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'case_management', person.index);
  if (!chance(rng, 0.35)) return;
  const cases = chance(rng, 0.15) ? 2 : 1;
  for (let k = 0; k < cases; k++) {
    const id = ctx.nextId('CASE-');
    const who = appearanceOf(rng, person);
    const opened = daysAgo(ctx, rng, 5, 1500);
    const closed = chance(rng, 0.8) ? addMinutes(opened, intBetween(rng, 60, 60 * 24 * 60)) : null;
    const employerControlled = chance(rng, 0.3);
    yield {
      table: 'cases',
      personId: person.id,
      row: {
        id,
        membership_number: chance(rng, 0.85) ? person.membershipNumber : null,
        given_name: who.givenName,
        family_name: who.familyName,
        date_of_birth: who.dateOfBirth,
        email: who.email,
        phone: who.phone,
        street: who.street,
        city: who.city,
        postcode: who.postcode,
        employer: person.employer.name,
        controller_id: employerControlled ? person.employer.controllerId : null,
        medical_referral: chance(rng, 0.5) ? pick(rng, REFERRALS) : null,
        opened_at: opened,
        closed_at: closed,
        created_at: opened,
        last_activity_at: closed ?? opened,
      },
    };
    for (let n = intBetween(rng, 1, 3); n > 0; n--) {
      yield {
        table: 'case_notes',
        row: {
          id: ctx.nextId('NOTE-'),
          case_id: id,
          written_at: addMinutes(opened, n * 30),
          author: `agent-${intBetween(rng, 1, 40)}`,
          body: `Call with the member about case progress (${n}).`,
        },
      };
    }
    for (let n = intBetween(rng, 0, 2); n > 0; n--) {
      const rec = ctx.nextId('CALL-');
      yield {
        table: 'call_recordings',
        row: { id: rec, case_id: id, recorded_at: addMinutes(opened, n * 45), duration_seconds: intBetween(rng, 30, 1800), storage_uri: `recordings://${rec}` },
      };
    }
    for (const party of ['INSURER', 'EMPLOYER', 'PROVIDER'] as const) {
      if (chance(rng, 0.6)) yield { table: 'consents', row: { id: ctx.nextId('CONS-'), case_id: id, party, granted: chance(rng, 0.8), recorded_at: opened } };
    }
    if (k === 0 && chance(rng, 0.5)) {
      for (const member of householdMembers(ctx.seed, person, ctx.total)) {
        const as = appearanceOf(rng, member);
        yield {
          table: 'case_parties',
          personId: member.id,
          row: {
            id: ctx.nextId('CPTY-'),
            case_id: id,
            role: member.role === 2 ? 'DEPENDANT' : 'BENEFICIARY',
            given_name: as.givenName,
            family_name: as.familyName,
            date_of_birth: as.dateOfBirth,
            phone: chance(rng, 0.5) ? as.phone : null,
            email: chance(rng, 0.4) ? as.email : null,
            created_at: opened,
            last_activity_at: closed ?? opened,
          },
        };
      }
    }
  }
}
