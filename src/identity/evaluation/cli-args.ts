// Shared command-line handling for the evaluation and estimation scripts.
import { readFileSync } from 'node:fs';
import { loadLabelledRecords, parseMapping, type ColumnMapping, type LabelledRecord } from './labelled-records.js';

export interface ParsedArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0 && !arg.startsWith('--map') && !arg.startsWith('--entity-regex')) {
      const k = arg.slice(2, eq);
      values.set(k, [...(values.get(k) ?? []), arg.slice(eq + 1)]);
      continue;
    }
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.add(name);
    else {
      values.set(name, [...(values.get(name) ?? []), next]);
      i++;
    }
  }
  return { values, flags };
}

export function one(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

/** --csv FILE [--csv FILE] --id COLUMN (--entity-regex RE | --cluster COLUMN) --map SPEC... */
export function loadRecordsFromArgs(args: ParsedArgs): LabelledRecord[] {
  const files = args.values.get('csv') ?? [];
  const idColumn = one(args, 'id');
  const regex = one(args, 'entity-regex');
  const cluster = one(args, 'cluster');
  const kind = one(args, 'kind');
  const mappings: ColumnMapping[] = (args.values.get('map') ?? []).map(parseMapping);
  if (files.length === 0 || !idColumn || (!regex && !cluster) || mappings.length === 0) {
    throw new Error(
      'usage: --csv FILE [--csv FILE ...] --id COLUMN (--entity-regex REGEX | --cluster COLUMN) --map COLUMN[+COLUMN...]=IDENTIFIER_TYPE [--map ...]',
    );
  }
  const records: LabelledRecord[] = [];
  files.forEach((file, i) => {
    const loaded = loadLabelledRecords(readFileSync(file, 'utf8'), {
      idColumn,
      mappings,
      ...(regex ? { entityRegex: new RegExp(regex) } : {}),
      ...(cluster ? { clusterColumn: cluster } : {}),
      ...(kind ? { tagColumn: kind } : {}),
    });
    // Ids need only be unique per file; prefix when several files are loaded.
    for (const r of loaded) records.push(files.length > 1 ? { ...r, id: `${i}:${r.id}` } : r);
  });
  return records;
}

/** Stable split of entities: FNV-1a of the label, as a fraction in [0, 1). */
export function entityFraction(entity: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < entity.length; i++) {
    h ^= entity.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** --split train|test|all with --split-share S: train = entities whose fraction < S. */
export function filterSplit(records: LabelledRecord[], args: ParsedArgs): LabelledRecord[] {
  const split = one(args, 'split') ?? 'all';
  const share = Number(one(args, 'split-share') ?? '0.5');
  if (split === 'all') return records;
  if (split !== 'train' && split !== 'test') throw new Error('--split must be train, test or all');
  return records.filter((r) => entityFraction(r.entity) < share === (split === 'train'));
}
