// Exports the synthetic population as a labelled CSV for the evaluation harness: one row
// per record about a person in any of the built-in systems (their own records and their
// appearances in other people's), with its identifier columns and the true person id.
// Generated in memory from the same generators the seeding uses; no database needed.
//
//   node dist/src/identity/evaluation/export-population.js --people 2000 --seed 42 --out population.csv
//   npm run eval:resolution -- --csv population.csv --id record_id --cluster person_id \
//     --map given_name=GIVEN_NAME --map family_name=FAMILY_NAME --map full_name=FULL_NAME \
//     --map date_of_birth=DATE_OF_BIRTH --map email=EMAIL --map phone=PHONE --map street=STREET_ADDRESS \
//     --map city=CITY --map postcode=POSTCODE --map national_id=NATIONAL_ID \
//     --map membership_number=MEMBERSHIP_NUMBER --map badge_id=BADGE_ID
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { createContext } from '../../population/context.js';
import { personAt } from '../../population/person.js';
import { BUILTIN_SYSTEMS } from '../../../connectors/builtin.js';
import { parseArgs, one } from './cli-args.js';

export const POPULATION_COLUMNS = [
  'record_id',
  'person_id',
  'given_name',
  'family_name',
  'full_name',
  'date_of_birth',
  'email',
  'phone',
  'street',
  'city',
  'postcode',
  'national_id',
  'membership_number',
  'badge_id',
] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function* populationRows(people: number, seed: number, referenceDate = new Date('2026-06-01T00:00:00Z')): AsyncGenerator<Record<string, unknown>> {
  for (const { name, population } of BUILTIN_SYSTEMS) {
    const ctx = createContext({ seed, total: people, referenceDate, cardKey: Buffer.alloc(32) });
    for (let i = 0; i < people; i++) {
      for await (const g of population.rowsOf(ctx, personAt(seed, i))) {
        if (!g.personId) continue;
        const r = g.row;
        yield {
          record_id: `${name}:${String(r.id)}`,
          person_id: g.personId,
          given_name: r.given_name,
          family_name: r.family_name,
          full_name: r.holder_name,
          date_of_birth: r.date_of_birth,
          email: r.email,
          phone: r.phone,
          street: r.street,
          city: r.city,
          postcode: r.postcode,
          national_id: r.national_id,
          membership_number: r.membership_number,
          badge_id: r.badge_id,
        };
      }
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const people = Number(one(args, 'people') ?? '2000');
  const seed = Number(one(args, 'seed') ?? '42');
  const out = one(args, 'out');
  if (!out) throw new Error('usage: --out FILE [--people N] [--seed S]');
  const stream = createWriteStream(out, 'utf8');
  stream.write(`${POPULATION_COLUMNS.join(',')}\n`);
  let n = 0;
  for await (const row of populationRows(people, seed)) {
    if (!stream.write(`${POPULATION_COLUMNS.map((c) => cell(row[c])).join(',')}\n`)) await once(stream, 'drain');
    n++;
  }
  stream.end();
  await once(stream, 'finish');
  console.log(`wrote ${n} records of ${people} people (seed ${seed}) to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
