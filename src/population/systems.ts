// Row generators: for one person, the rows each reference system holds about them,
// including their appearances in other people's records. Every record row carries the
// id of the person it is about, which becomes the ground truth.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CopyValue } from '../../connectors/shared/copy.js';
import { encryptCardNumber } from '../../connectors/concierge/card-crypto.js';
import { appearanceOf } from './appearance.js';
import { addMinutes, daysAgo, isoDate, type GenerationContext } from './context.js';
import { householdMembers, personAt, type Person } from './person.js';
import { seededRandom } from './random.js';
import { chance, intBetween, pick, type Random } from './variation.js';

export interface GeneratedRow {
  table: string;
  row: Record<string, CopyValue>;
  /** Set on record rows: the person the record is about (ground truth). */
  personId?: string;
}

type Rows = AsyncGenerator<GeneratedRow>;

function otherPerson(ctx: GenerationContext, rng: Random, self: Person): Person | undefined {
  if (ctx.total < 2) return undefined;
  let j = intBetween(rng, 0, ctx.total - 1);
  if (j === self.index) j = (j + 1) % ctx.total;
  return personAt(ctx.seed, j);
}

function digits(rng: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(intBetween(rng, 0, 9));
  return s;
}

const REFERRALS = ['Fracture, left wrist; referred to orthopaedics', 'Acute appendicitis; surgical referral', 'Dehydration after travel', 'Chest pain; cardiology assessment', 'Dental abscess; referred to dentist'];
const DIAGNOSES = ['Hypertension', 'Type 2 diabetes', 'Asthma', 'Migraine', 'Lower back pain', 'Anxiety disorder', 'Seasonal allergy'];
const COURSES = ['First Aid at Work', 'Travel Security Awareness', 'Fire Safety', 'Data Protection Basics', 'Manual Handling', 'Hostile Environment Training'];
const SERVICES = ['Restaurant booking', 'Airport transfer', 'Event tickets', 'Hotel reservation', 'Medical appointment abroad'];
const POSITIONS = ['Nurse', 'Medical Coordinator', 'Security Analyst', 'Travel Assistance Agent', 'Software Engineer', 'Data Protection Officer'];
const COUNTRIES = ['GB', 'FR', 'DE', 'AE', 'SG', 'US'];
export const SITES = ['london-hq', 'paris-office', 'dubai-centre', 'singapore-hub'];

export async function* caseManagementRows(ctx: GenerationContext, person: Person): Rows {
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
        id, membership_number: chance(rng, 0.85) ? person.membershipNumber : null,
        given_name: who.givenName, family_name: who.familyName, date_of_birth: who.dateOfBirth,
        email: who.email, phone: who.phone, street: who.street, city: who.city, postcode: who.postcode,
        employer: person.employer.name, controller_id: employerControlled ? person.employer.controllerId : null,
        medical_referral: chance(rng, 0.5) ? pick(rng, REFERRALS) : null,
        opened_at: opened, closed_at: closed, created_at: opened, last_activity_at: closed ?? opened,
      },
    };
    for (let n = intBetween(rng, 1, 3); n > 0; n--) {
      yield { table: 'case_notes', row: { id: ctx.nextId('NOTE-'), case_id: id, written_at: addMinutes(opened, n * 30), author: `agent-${intBetween(rng, 1, 40)}`, body: `Call with the member about case progress (${n}).` } };
    }
    for (let n = intBetween(rng, 0, 2); n > 0; n--) {
      const rec = ctx.nextId('CALL-');
      yield { table: 'call_recordings', row: { id: rec, case_id: id, recorded_at: addMinutes(opened, n * 45), duration_seconds: intBetween(rng, 30, 1800), storage_uri: `recordings://${rec}` } };
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
            id: ctx.nextId('CPTY-'), case_id: id, role: member.role === 2 ? 'DEPENDANT' : 'BENEFICIARY',
            given_name: as.givenName, family_name: as.familyName, date_of_birth: as.dateOfBirth,
            phone: chance(rng, 0.5) ? as.phone : null, email: chance(rng, 0.4) ? as.email : null,
            created_at: opened, last_activity_at: closed ?? opened,
          },
        };
      }
    }
  }
}

export async function* clinicRows(ctx: GenerationContext, person: Person): Rows {
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
      encounterRows.push({ table: 'encounters', row: { id: ctx.nextId('ENC-'), patient_id: id, occurred_at: last, clinician: `dr-${intBetween(rng, 1, 25)}`, reason: 'Consultation', diagnosis: pick(rng, DIAGNOSES), treatment: 'Advice and follow-up' } });
    }
    yield {
      table: 'patients',
      personId: person.id,
      row: {
        id, patient_number: `PN${digits(rng, 7)}`, given_name: who.givenName, family_name: who.familyName,
        date_of_birth: who.dateOfBirth ?? person.dateOfBirth, national_id: chance(rng, 0.7) ? person.nationalId : null,
        phone: who.phone, email: who.email, street: who.street, city: who.city, postcode: who.postcode,
        created_at: registered, last_activity_at: last,
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
          row: { id: ctx.nextId('EC-'), patient_id: id, given_name: as.givenName, family_name: as.familyName, phone: as.phone ?? contact.phone, email: chance(rng, 0.3) ? as.email : null, relation: members[0] ? 'partner' : 'friend', created_at: registered, last_activity_at: last },
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
        id: ctx.nextId('OHA-'), employee_id: `E${digits(rng, 6)}`, given_name: who.givenName, family_name: who.familyName,
        email: who.email ?? person.email, employer: person.employer.name, controller_id: person.employer.controllerId,
        assessed_at: assessed, fitness_outcome: pick(rng, ['Fit', 'Fit with adjustments', 'Temporarily unfit']),
        health_notes: pick(rng, DIAGNOSES), created_at: assessed, last_activity_at: assessed,
      },
    };
  }
}

export async function* trainingRows(ctx: GenerationContext, person: Person): Rows {
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
    children.push({ table: 'enrolments', row: { id: ctx.nextId('ENR-'), learner_ref: id, course, enrolled_at: enrolled, completed_at: completed, score: completed ? intBetween(rng, 50, 100) : null } });
    if (completed) {
      children.push({
        table: 'certificates',
        personId: person.id,
        row: { id: ctx.nextId('CERT-'), learner_ref: id, certificate_number: `C-${digits(rng, 8)}`, holder_name: `${who.givenName} ${who.familyName}`, course, issued_at: completed, created_at: completed, last_activity_at: completed },
      });
    }
  }
  yield {
    table: 'learners',
    personId: person.id,
    row: { id, learner_id: `L${digits(rng, 6)}`, given_name: who.givenName, family_name: who.familyName, email: who.email ?? person.email, employer: person.employer.name, created_at: joined, last_activity_at: last },
  };
  yield* children;
}

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

export async function* conciergeRows(ctx: GenerationContext, person: Person): Rows {
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
    children.push({ table: 'service_requests', row: { id: ctx.nextId('SRQ-'), member_ref: id, requested_at: at, service: pick(rng, SERVICES), destination: pick(rng, COUNTRIES), details: 'Arranged on request' } });
  }
  for (let n = intBetween(rng, 0, 2); n > 0; n--) {
    const brand = pick(rng, ['VISA', 'MASTERCARD', 'AMEX']);
    const pan = luhnComplete((brand === 'VISA' ? '4' : brand === 'MASTERCARD' ? '5' : '37') + digits(rng, brand === 'AMEX' ? 12 : 14));
    const expiry = `${String(intBetween(rng, 1, 12)).padStart(2, '0')}/${String(intBetween(rng, 26, 31))}`;
    children.push({ table: 'payment_cards', row: { id: ctx.nextId('CARD-'), member_ref: id, brand, card_number_enc: encryptCardNumber(pan, ctx.cardKey), last_four: pan.slice(-4), expiry } });
  }
  yield {
    table: 'members',
    personId: person.id,
    row: { id, membership_number: person.membershipNumber, given_name: who.givenName, family_name: who.familyName, email: who.email, phone: who.phone, street: who.street, city: who.city, postcode: who.postcode, created_at: joined, last_activity_at: last },
  };
  yield* children;
}

export async function* recruitmentRows(ctx: GenerationContext, person: Person): Rows {
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
    row: { id, candidate_id: `CAN${digits(rng, 6)}`, given_name: who.givenName, family_name: who.familyName, email: who.email ?? person.email, phone: who.phone, street: who.street, city: who.city, postcode: who.postcode, country, hired, created_at: applied, last_activity_at: applied },
  };
  yield { table: 'applications', row: { id: ctx.nextId('APP-'), candidate_ref: id, position: pick(rng, POSITIONS), country, applied_at: applied, outcome: hired ? 'HIRED' : 'REJECTED', test_score: intBetween(rng, 40, 100) } };
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    yield { table: 'work_history', row: { id: ctx.nextId('WRK-'), candidate_ref: id, employer: `Employer ${intBetween(rng, 1, 500)}`, title: pick(rng, POSITIONS), started_on: isoDate(daysAgo(ctx, rng, 2000, 6000)), ended_on: isoDate(daysAgo(ctx, rng, 100, 1999)), achievements: 'Led a team project' } };
  }
  yield { table: 'education', row: { id: ctx.nextId('EDU-'), candidate_ref: id, institution: `University ${intBetween(rng, 1, 80)}`, qualification: pick(rng, ['BSc', 'MSc', 'Diploma', 'RN']), completed_on: isoDate(daysAgo(ctx, rng, 3000, 9000)) } };
  if (chance(rng, 0.5)) yield { table: 'background_checks', row: { id: ctx.nextId('BGC-'), candidate_ref: id, check_type: pick(rng, ['CRIMINAL_RECORD', 'RIGHT_TO_WORK', 'CREDIT']), result: 'CLEAR', checked_at: applied } };
  if (chance(rng, 0.6)) yield { table: 'eo_monitoring', row: { id: ctx.nextId('EOM-'), candidate_ref: id, ethnicity: pick(rng, ['White British', 'Asian', 'Black', 'Mixed', 'Prefer not to say']), religion: pick(rng, ['None', 'Christian', 'Muslim', 'Hindu', 'Prefer not to say']), disability: pick(rng, ['No', 'Yes', 'Prefer not to say']) } };
  for (let n = intBetween(rng, 1, 2); n > 0; n--) {
    const referee = otherPerson(ctx, rng, person);
    if (!referee) break;
    const as = appearanceOf(rng, referee);
    yield {
      table: 'referees',
      personId: referee.id,
      row: { id: ctx.nextId('REF-'), candidate_ref: id, given_name: as.givenName, family_name: as.familyName, email: as.email ?? referee.email, phone: as.phone, organisation: referee.employer.name, statement: 'Reliable and thorough.', created_at: applied, last_activity_at: applied },
    };
  }
}

export function cameraId(site: string, n: number): string {
  return `CAM-${site}-${n}`;
}

/** The fixed cameras: three per site. */
export function* cameraRows(): Generator<GeneratedRow> {
  for (const site of SITES) for (let n = 1; n <= 3; n++) yield { table: 'cameras', row: { id: cameraId(site, n), site, label: ['Entrance', 'Reception', 'Car park'][n - 1]! } };
}

export async function* cctvRows(ctx: GenerationContext, person: Person): Rows {
  const rng = seededRandom(ctx.seed, 'cctv', person.index);
  if (!chance(rng, 0.15)) return;
  const badge = `B${digits(rng, 6)}`;
  for (let n = intBetween(rng, 1, 3); n > 0; n--) {
    const who = appearanceOf(rng, person);
    const site = pick(rng, SITES);
    const arrived = daysAgo(ctx, rng, 0, 120); // some past the 90-day limit, for the purge
    const left = addMinutes(arrived, intBetween(rng, 20, 240));
    yield {
      table: 'visits',
      personId: person.id,
      row: { id: ctx.nextId('VIS-'), badge_id: chance(rng, 0.9) ? badge : null, given_name: who.givenName, family_name: who.familyName, company: person.employer.name, host: `host-${intBetween(rng, 1, 30)}`, site, arrived_at: arrived, left_at: left, created_at: arrived, last_activity_at: left },
    };
    // Footage of the entrance camera while the visitor was there, in 30-minute segments.
    const camera = cameraId(site, intBetween(rng, 1, 3));
    for (let start = new Date(Math.floor(arrived.getTime() / 1_800_000) * 1_800_000); start < left; start = addMinutes(start, 30)) {
      const segmentId = ctx.nextId('SEG-');
      const relative = path.join(site, camera, `${segmentId}.bin`);
      const content = `synthetic footage ${segmentId} ${camera} ${start.toISOString()}\n`;
      if (ctx.footageDir) {
        const full = path.join(ctx.footageDir, relative);
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
      }
      yield { table: 'segments', row: { id: segmentId, camera_id: camera, site, started_at: start, ended_at: addMinutes(start, 30), file_path: relative, bytes: content.length } };
    }
  }
}
