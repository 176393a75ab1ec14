// The demo population's clinic rows: patients with their encounters, emergency contacts
// (partners or friends, who are people of their own), and occupational-health assessments.
import { appearanceOf } from '../../src/population/appearance.js';
import { addMinutes, daysAgo, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import { householdMembers, otherPerson, type Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, digits, intBetween, pick } from '../../src/population/variation.js';

const DIAGNOSES = ['Hypertension', 'Type 2 diabetes', 'Asthma', 'Migraine', 'Lower back pain', 'Anxiety disorder', 'Seasonal allergy'];

export async function* clinicRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'clinic', person.index);
  if (chance(rng, 0.3)) {
    const id = ctx.nextId('PAT-');
    const who = appearanceOf(rng, person);
    const registered = daysAgo(ctx, rng, 30, 4000);
    const encounters = intBetween(rng, 1, 4);
    let last = registered;
    const encounterRows: GeneratedRow[] = [];
    for (let n = 0; n < encounters; n++) {
      last = addMinutes(last, intBetween(rng, 60 * 24, 60 * 24 * 200));
      if (last > ctx.referenceDate) last = ctx.referenceDate;
      encounterRows.push({
        table: 'encounters',
        row: {
          id: ctx.nextId('ENC-'),
          patient_id: id,
          occurred_at: last,
          clinician: `dr-${intBetween(rng, 1, 25)}`,
          reason: 'Consultation',
          diagnosis: pick(rng, DIAGNOSES),
          treatment: 'Advice and follow-up',
        },
      });
    }
    yield {
      table: 'patients',
      personId: person.id,
      row: {
        id,
        patient_number: `PN${digits(rng, 7)}`,
        given_name: who.givenName,
        family_name: who.familyName,
        date_of_birth: who.dateOfBirth ?? person.dateOfBirth,
        national_id: chance(rng, 0.7) ? person.nationalId : null,
        phone: who.phone,
        email: who.email,
        street: who.street,
        city: who.city,
        postcode: who.postcode,
        created_at: registered,
        last_activity_at: last,
      },
    };
    yield* encounterRows;
    if (chance(rng, 0.4)) {
      const members = householdMembers(ctx.seed, person, ctx.total).filter((m) => m.role !== 2);
      const contact = members[0] ?? otherPerson(ctx, rng, person);
      if (contact) {
        const as = appearanceOf(rng, contact);
        yield {
          table: 'emergency_contacts',
          personId: contact.id,
          row: {
            id: ctx.nextId('EC-'),
            patient_id: id,
            given_name: as.givenName,
            family_name: as.familyName,
            phone: as.phone ?? contact.phone,
            email: chance(rng, 0.3) ? as.email : null,
            relation: members[0] ? 'partner' : 'friend',
            created_at: registered,
            last_activity_at: last,
          },
        };
      }
    }
  }
  if (chance(rng, 0.1)) {
    const who = appearanceOf(rng, person);
    const assessed = daysAgo(ctx, rng, 10, 2000);
    yield {
      table: 'occupational_assessments',
      personId: person.id,
      row: {
        id: ctx.nextId('OHA-'),
        employee_id: `E${digits(rng, 6)}`,
        given_name: who.givenName,
        family_name: who.familyName,
        email: who.email ?? person.email,
        employer: person.employer.name,
        controller_id: person.employer.controllerId,
        assessed_at: assessed,
        fitness_outcome: pick(rng, ['Fit', 'Fit with adjustments', 'Temporarily unfit']),
        health_notes: pick(rng, DIAGNOSES),
        created_at: assessed,
        last_activity_at: assessed,
      },
    };
  }
}
