// Messy tuning data: takes a clean labelled set (febrl3, the synthetic population) and
// corrupts its records the way CRM and web-form data is corrupted, so the model can be
// tuned on something like the messy world without ever seeing a held-out set.
//
// Each record independently gets one corruption kind (or none) drawn with the configured
// rates; the kind is written beside the record so the evaluation can report per kind.
// Seeded per record (hash of seed and record id): the same input and seed give the same
// output whatever the order or subset of records.
//
//   node dist/src/identity/evaluation/messy-generator.js --csv ../shared/data/febrl3.csv \
//     --id rec_id --entity-regex 'rec-(\d+)' --map given_name=GIVEN_NAME --map surname=FAMILY_NAME \
//     --map suburb=CITY --map date_of_birth=DATE_OF_BIRTH --derive-email --seed 7 --out messy.csv \
//     [--rate swap=0.12 --rate email=0.12 ...]
//   npm run eval:resolution -- --in-memory --csv messy.csv --id record_id --cluster entity_id \
//     --kind corruption --map given_name=GIVEN_NAME --map family_name=FAMILY_NAME \
//     --map date_of_birth=DATE_OF_BIRTH --map email=EMAIL --map city=CITY --split test
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T } from '../../domain/vocabulary.js';
import { normaliseDateOfBirth } from '../normalise/dates.js';
import { loadRecordsFromArgs, parseArgs, one } from './cli-args.js';
import type { LabelledRecord } from './labelled-records.js';

export const CORRUPTION_KINDS = ['swap', 'email', 'dob', 'city', 'blank', 'several'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

/** Share of records that get each kind; the rest stay as they are ("clean"). */
export type CorruptionRates = Record<CorruptionKind, number>;

export const DEFAULT_RATES: CorruptionRates = { swap: 0.1, email: 0.1, dob: 0.1, city: 0.1, blank: 0.1, several: 0.15 };

export interface MessyOptions {
  seed: number;
  rates?: Partial<CorruptionRates>;
  /**
   * Give every entity an e-mail address derived from its first record's names (febrl3
   * has none), before corruption.
   */
  deriveEmail?: boolean;
}

export interface MessyRecord extends LabelledRecord {
  corruption: CorruptionKind | 'clean';
}

/** mulberry32 over a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

type Random = () => number;
const pick = <T>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz'];

/** One keyboard-style edit (substitution, deletion, insertion or adjacent transposition) that changes the value. */
export function typo(random: Random, s: string): string {
  for (let i = 0; i < 8; i++) {
    const out = oneEdit(random, s);
    if (out !== s) return out;
  }
  return `${s}${s.endsWith('x') ? 'y' : 'x'}`;
}

function oneEdit(random: Random, s: string): string {
  if (s.length < 2) return s + pick(random, LETTERS);
  const i = Math.floor(random() * s.length);
  switch (Math.floor(random() * 4)) {
    case 0: {
      let c = pick(random, LETTERS);
      if (c === s[i]) c = c === 'a' ? 'e' : 'a';
      return s.slice(0, i) + c + s.slice(i + 1);
    }
    case 1:
      return s.slice(0, i) + s.slice(i + 1);
    case 2:
      return s.slice(0, i) + pick(random, LETTERS) + s.slice(i);
    default: {
      const j = Math.min(i, s.length - 2);
      return s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
    }
  }
}

function valueOf(ids: Identifier[], type: T): string | undefined {
  return ids.find((x) => x.type === type)?.value;
}

function setValue(ids: Identifier[], type: T, value: string | undefined): Identifier[] {
  const rest = ids.filter((x) => x.type !== type);
  return value === undefined || value === '' ? rest : [...rest, { type, value }];
}

function swapNames(random: Random, ids: Identifier[]): Identifier[] {
  const given = valueOf(ids, T.GIVEN_NAME);
  const family = valueOf(ids, T.FAMILY_NAME);
  let out = setValue(setValue(ids, T.GIVEN_NAME, family), T.FAMILY_NAME, given);
  // Sometimes a typo on top of the swap.
  if (random() < 0.3) {
    const type = random() < 0.5 ? T.GIVEN_NAME : T.FAMILY_NAME;
    const v = valueOf(out, type);
    if (v) out = setValue(out, type, typo(random, v));
  }
  return out;
}

function corruptEmail(random: Random, email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return typo(random, email);
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const r = random();
  if (r < 0.4) return `${typo(random, local)}@${domain}`;
  if (r < 0.55) {
    const twice = typo(random, typo(random, local));
    return `${twice === local ? typo(random, local) : twice}@${domain}`;
  }
  if (r < 0.7) return `${local}@${typo(random, domain)}`;
  if (r < 0.8) return `${typo(random, local)}@${typo(random, domain)}`;
  if (r < 0.9) return `${local}${domain}`; // dropped @
  return `${local}.${domain}`; // a dot instead of the @
}

function isoParts(value: string): [number, number, number] | null {
  try {
    const iso = normaliseDateOfBirth(value);
    return iso.split('-').map(Number) as [number, number, number];
  } catch {
    return null;
  }
}

const isoOf = (d: Date) => d.toISOString().slice(0, 10);

function corruptDob(random: Random, value: string): string {
  const parts = isoParts(value);
  if (!parts) return value;
  const [y, m, d] = parts;
  if (random() < 0.35 && d <= 12 && d !== m) return isoOf(new Date(Date.UTC(y, d - 1, m))); // day and month transposed
  // Shifted by days to a few months, either way.
  const days = Math.round((random() < 0.5 ? 1 + random() * 20 : 20 + random() * 100) * (random() < 0.5 ? -1 : 1));
  return isoOf(new Date(Date.UTC(y, m - 1, d + days)));
}

function corruptCity(random: Random, city: string): string {
  const once = typo(random, city);
  const twice = random() < 0.3 ? typo(random, once) : once;
  return twice === city ? once : twice;
}

function blankOne(random: Random, ids: Identifier[]): Identifier[] {
  const present = [T.GIVEN_NAME, T.FAMILY_NAME, T.EMAIL].filter((t) => valueOf(ids, t));
  return present.length === 0 ? ids : setValue(ids, pick(random, present), undefined);
}

type Single = Exclude<CorruptionKind, 'several'>;

function applyKind(random: Random, kind: Single, ids: Identifier[]): Identifier[] {
  const edit = (type: T, f: (v: string) => string) => {
    const v = valueOf(ids, type);
    return v ? setValue(ids, type, f(v)) : ids;
  };
  switch (kind) {
    case 'swap':
      return swapNames(random, ids);
    case 'email':
      return edit(T.EMAIL, (v) => corruptEmail(random, v));
    case 'dob':
      return edit(T.DATE_OF_BIRTH, (v) => corruptDob(random, v));
    case 'city':
      return edit(T.CITY, (v) => corruptCity(random, v));
    case 'blank':
      return blankOne(random, ids);
  }
}

const DOMAINS = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com'];
const WORDS = ['ballard', 'mcdonald', 'wright', 'tanner', 'hill', 'rivera', 'stone', 'morgan', 'group', 'holdings'];

/** An address a person might use, from their names (letters only) and the entity's seed. */
export function derivedEmail(random: Random, given: string | undefined, family: string | undefined): string | undefined {
  const g = (given ?? '').replace(/[^a-z]/gi, '').toLowerCase();
  const f = (family ?? '').replace(/[^a-z]/gi, '').toLowerCase();
  if (!g && !f) return undefined;
  const nn = String(Math.floor(random() * 100));
  const local = pick(
    random,
    [`${g}${f}`, `${g}.${f}`, `${g}${nn}`, `${g}${f.slice(0, 1)}${nn}`, `${g.slice(0, 1)}${f}`, `${f}${nn}`, `${g}_${f}${nn}`].filter(
      (x) => x.replace(/[^a-z0-9]/g, '').length >= 3,
    ),
  );
  const domain = random() < 0.7 ? pick(random, DOMAINS) : `${pick(random, WORDS)}-${pick(random, WORDS)}.${pick(random, ['com', 'net', 'org', 'biz'])}`;
  return local ? `${local}@${domain}` : undefined;
}

/** Draws a kind from the rates (their sum must not exceed 1). */
function drawKind(random: Random, rates: CorruptionRates): CorruptionKind | 'clean' {
  let r = random();
  for (const kind of CORRUPTION_KINDS) {
    if (r < rates[kind]) return kind;
    r -= rates[kind];
  }
  return 'clean';
}

export function messyRecords(records: readonly LabelledRecord[], options: MessyOptions): MessyRecord[] {
  const rates: CorruptionRates = { ...DEFAULT_RATES, ...options.rates };
  const sum = CORRUPTION_KINDS.reduce((a, k) => a + rates[k], 0);
  if (CORRUPTION_KINDS.some((k) => !(rates[k] >= 0)) || sum > 1 + 1e-9) throw new RangeError('corruption rates must be >= 0 and sum to at most 1');
  const emails = new Map<string, string | undefined>();
  if (options.deriveEmail) {
    for (const r of records) {
      if (emails.has(r.entity)) continue;
      const random = seededRandom(hash32(`${options.seed}\u0000email\u0000${r.entity}`));
      emails.set(r.entity, derivedEmail(random, valueOf(r.identifiers, T.GIVEN_NAME), valueOf(r.identifiers, T.FAMILY_NAME)));
    }
  }
  return records.map((r) => {
    const random = seededRandom(hash32(`${options.seed}\u0000${r.id}`));
    let ids = r.identifiers.map((x) => ({ ...x }));
    if (options.deriveEmail) ids = setValue(ids, T.EMAIL, emails.get(r.entity));
    const kind = drawKind(random, rates);
    if (kind === 'several') {
      // Two or three different corruptions at once: often no field is left exact.
      const singles: Single[] = ['swap', 'email', 'dob', 'city', 'blank'];
      const n = random() < 0.6 ? 2 : 3;
      for (let i = 0; i < n; i++) ids = applyKind(random, singles.splice(Math.floor(random() * singles.length), 1)[0]!, ids);
    } else if (kind !== 'clean') ids = applyKind(random, kind, ids);
    return { id: r.id, entity: r.entity, identifiers: ids, corruption: kind };
  });
}

function cell(value: string | undefined): string {
  if (value === undefined) return '';
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with record_id, entity_id, corruption and one column per identifier type (lowercase). */
export function messyCsv(records: readonly MessyRecord[]): string {
  const types: T[] = [];
  for (const r of records) for (const id of r.identifiers) if (!types.includes(id.type as T)) types.push(id.type as T);
  const lines = [['record_id', 'entity_id', 'corruption', ...types.map((t) => t.toLowerCase())].join(',')];
  for (const r of records) {
    lines.push([r.id, r.entity, r.corruption, ...types.map((t) => valueOf(r.identifiers, t))].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const out = one(args, 'out');
  if (!out)
    throw new Error(
      'usage: --csv FILE --id COLUMN (--entity-regex RE | --cluster COLUMN) --map ... --out FILE [--seed N] [--rate KIND=P ...] [--derive-email]',
    );
  const rates: Partial<CorruptionRates> = {};
  for (const spec of args.values.get('rate') ?? []) {
    const [kind, p] = spec.split('=');
    if (!CORRUPTION_KINDS.includes(kind as CorruptionKind)) throw new Error(`--rate: unknown kind ${kind}; one of ${CORRUPTION_KINDS.join(', ')}`);
    rates[kind as CorruptionKind] = Number(p);
  }
  const records = messyRecords(loadRecordsFromArgs(args), { seed: Number(one(args, 'seed') ?? '7'), rates, deriveEmail: args.flags.has('derive-email') });
  writeFileSync(out, messyCsv(records));
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.corruption, (counts.get(r.corruption) ?? 0) + 1);
  console.log(`wrote ${records.length} records to ${out}: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
