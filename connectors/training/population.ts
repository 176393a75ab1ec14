// The demo population's training rows: learners, their enrolments and the certificates
// of the courses they completed.
import { appearanceOf } from '../../src/population/appearance.js';
import { addMinutes, daysAgo, type GeneratedRow, type GenerationContext } from '../../src/population/context.js';
import type { Person } from '../../src/population/person.js';
import { seededRandom } from '../../src/population/random.js';
import { chance, digits, intBetween, pick } from '../../src/population/variation.js';

const COURSES = ['First Aid at Work', 'Travel Security Awareness', 'Fire Safety', 'Data Protection Basics', 'Manual Handling', 'Hostile Environment Training'];

export async function* trainingRows(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow> {
  const rng = seededRandom(ctx.seed, 'training', person.index);
  if (!chance(rng, 0.3)) return;
  const id = ctx.nextId('LRN-');
  const who = appearanceOf(rng, person);
  const joined = daysAgo(ctx, rng, 30, 1500);
  let last = joined;
  const children: GeneratedRow[] = [];
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    const course = pick(rng, COURSES);
    const enrolled = addMinutes(joined, intBetween(rng, 0, 60 * 24 * 20));
    const completed = chance(rng, 0.7) ? addMinutes(enrolled, intBetween(rng, 60, 60 * 24 * 10)) : null;
    if (completed && completed > last) last = completed;
    children.push({
      table: 'enrolments',
      row: {
        id: ctx.nextId('ENR-'),
        learner_ref: id,
        course,
        enrolled_at: enrolled,
        completed_at: completed,
        score: completed ? intBetween(rng, 50, 100) : null,
      },
    });
    if (completed) {
      children.push({
        table: 'certificates',
        personId: person.id,
        row: {
          id: ctx.nextId('CERT-'),
          learner_ref: id,
          certificate_number: `C-${digits(rng, 8)}`,
          holder_name: `${who.givenName} ${who.familyName}`,
          course,
          issued_at: completed,
          created_at: completed,
          last_activity_at: completed,
        },
      });
    }
  }
  yield {
    table: 'learners',
    personId: person.id,
    row: {
      id,
      learner_id: `L${digits(rng, 6)}`,
      given_name: who.givenName,
      family_name: who.familyName,
      email: who.email ?? person.email,
      employer: person.employer.name,
      created_at: joined,
      last_activity_at: last,
    },
  };
  yield* children;
}
