// The demo population's recruitment rows: candidates (hired or not), their applications,
// work history, education, checks, equal-opportunity monitoring and referees.
import { appearanceOf } from '../../src/population/appearance.js';
import { daysAgo, isoDate, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import { otherPerson, type Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, COUNTRIES, digits, intBetween, pick } from '../../src/population/variation.js';

const POSITIONS = ['Nurse', 'Medical Coordinator', 'Security Analyst', 'Travel Assistance Agent', 'Software Engineer', 'Data Protection Officer'];

export async function* recruitmentRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'recruitment', person.index);
  if (!chance(rng, 0.15)) return;
  const id = ctx.nextId('CAND-');
  const who = appearanceOf(rng, person);
  const applied = daysAgo(ctx, rng, 10, 1500);
  const hired = chance(rng, 0.3);
  const country = pick(rng, COUNTRIES);
  yield {
    table: 'candidates',
    personId: person.id,
    row: {
      id,
      candidate_id: `CAN${digits(rng, 6)}`,
      given_name: who.givenName,
      family_name: who.familyName,
      email: who.email ?? person.email,
      phone: who.phone,
      street: who.street,
      city: who.city,
      postcode: who.postcode,
      country,
      hired,
      created_at: applied,
      last_activity_at: applied,
    },
  };
  yield {
    table: 'applications',
    row: {
      id: ctx.nextId('APP-'),
      candidate_ref: id,
      position: pick(rng, POSITIONS),
      country,
      applied_at: applied,
      outcome: hired ? 'HIRED' : 'REJECTED',
      test_score: intBetween(rng, 40, 100),
    },
  };
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    yield {
      table: 'work_history',
      row: {
        id: ctx.nextId('WRK-'),
        candidate_ref: id,
        employer: `Employer ${intBetween(rng, 1, 500)}`,
        title: pick(rng, POSITIONS),
        started_on: isoDate(daysAgo(ctx, rng, 2000, 6000)),
        ended_on: isoDate(daysAgo(ctx, rng, 100, 1999)),
        achievements: 'Led a team project',
      },
    };
  }
  yield {
    table: 'education',
    row: {
      id: ctx.nextId('EDU-'),
      candidate_ref: id,
      institution: `University ${intBetween(rng, 1, 80)}`,
      qualification: pick(rng, ['BSc', 'MSc', 'Diploma', 'RN']),
      completed_on: isoDate(daysAgo(ctx, rng, 3000, 9000)),
    },
  };
  if (chance(rng, 0.5))
    yield {
      table: 'background_checks',
      row: {
        id: ctx.nextId('BGC-'),
        candidate_ref: id,
        check_type: pick(rng, ['CRIMINAL_RECORD', 'RIGHT_TO_WORK', 'CREDIT']),
        result: 'CLEAR',
        checked_at: applied,
      },
    };
  if (chance(rng, 0.6))
    yield {
      table: 'eo_monitoring',
      row: {
        id: ctx.nextId('EOM-'),
        candidate_ref: id,
        ethnicity: pick(rng, ['White British', 'Asian', 'Black', 'Mixed', 'Prefer not to say']),
        religion: pick(rng, ['None', 'Christian', 'Muslim', 'Hindu', 'Prefer not to say']),
        disability: pick(rng, ['No', 'Yes', 'Prefer not to say']),
      },
    };
  for (let n = intBetween(rng, 1, 2); n > 0; n--) {
    const referee = otherPerson(ctx, rng, person);
    if (!referee) break;
    const as = appearanceOf(rng, referee);
    yield {
      table: 'referees',
      personId: referee.id,
      row: {
        id: ctx.nextId('REF-'),
        candidate_ref: id,
        given_name: as.givenName,
        family_name: as.familyName,
        email: as.email ?? referee.email,
        phone: as.phone,
        organisation: referee.employer.name,
        statement: 'Reliable and thorough.',
        created_at: applied,
        last_activity_at: applied,
      },
    };
  }
}
