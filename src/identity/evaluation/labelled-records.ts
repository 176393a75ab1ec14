// Any labelled CSV as evaluation records: an id column, the true entity (from a cluster
// column or a regex over the id) and column -> identifier-type mappings.
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { readCsvTable } from './csv.js';

export interface ColumnMapping {
  /** Columns joined with a space, blanks skipped: street_number+address_1. */
  columns: string[];
  type: IdentifierType;
}

export interface LabelledCsvOptions {
  idColumn: string;
  entityRegex?: RegExp;
  clusterColumn?: string;
  /** A column naming the record's kind (e.g. its corruption), reported on separately. */
  tagColumn?: string;
  mappings: ColumnMapping[];
}

export interface LabelledRecord {
  id: string;
  entity: string;
  identifiers: Identifier[];
  tag?: string;
}

/** Parses "street_number+address_1=STREET_ADDRESS". */
export function parseMapping(spec: string): ColumnMapping {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new Error(`--map needs COLUMN[+COLUMN...]=IDENTIFIER_TYPE, got "${spec}"`);
  const type = spec
    .slice(eq + 1)
    .trim()
    .toUpperCase();
  if (!(Object.values(IdentifierType) as string[]).includes(type)) {
    throw new Error(`unknown identifier type ${type}; one of ${Object.values(IdentifierType).join(', ')}`);
  }
  const columns = spec
    .slice(0, eq)
    .split('+')
    .map((c) => c.trim())
    .filter(Boolean);
  if (columns.length === 0) throw new Error(`--map "${spec}" names no column`);
  return { columns, type: type as IdentifierType };
}

export function loadLabelledRecords(csvText: string, options: LabelledCsvOptions): LabelledRecord[] {
  const { header, rows } = readCsvTable(csvText);
  const need = [
    options.idColumn,
    ...(options.clusterColumn ? [options.clusterColumn] : []),
    ...(options.tagColumn ? [options.tagColumn] : []),
    ...options.mappings.flatMap((m) => m.columns),
  ];
  for (const column of need) if (!header.includes(column)) throw new Error(`column "${column}" not in CSV header`);
  if (!options.entityRegex && !options.clusterColumn) throw new Error('need --entity-regex or --cluster');
  const records: LabelledRecord[] = [];
  for (const row of rows) {
    const id = row[options.idColumn];
    if (!id) continue;
    let entity: string | null | undefined;
    if (options.clusterColumn) entity = row[options.clusterColumn];
    else {
      const m = id.match(options.entityRegex!);
      entity = m ? (m[1] ?? m[0]) : null;
    }
    if (!entity) throw new Error(`record ${id}: no entity label`);
    const identifiers: Identifier[] = [];
    for (const mapping of options.mappings) {
      const parts = mapping.columns.map((c) => row[c]).filter((v): v is string => v !== null && v !== undefined);
      if (parts.length > 0) identifiers.push({ type: mapping.type, value: parts.join(' ') });
    }
    const tag = options.tagColumn ? row[options.tagColumn] : undefined;
    records.push(tag ? { id, entity, identifiers, tag } : { id, entity, identifiers });
  }
  return records;
}
