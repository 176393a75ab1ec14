// Loads labelled records into an evaluation source reached through the generic SQL
// connector: one table in a scratch schema, one text column per --map entry, registered
// with a mapping like any team's database, then indexed.
import pg from 'pg';
import type { SourceRegistry } from '../../sources/source-registry.js';
import type { IdentifierType } from '../../domain/vocabulary.js';
import type { LabelledRecord } from './labelled-records.js';

export const EVALUATION_SOURCE_ID = 'evaluation';

export interface EvaluationColumn {
  column: string;
  type: IdentifierType;
}

/** One column per identifier type the records carry, in the order first seen (c0_given_name, ...). */
export function evaluationColumns(records: readonly LabelledRecord[]): EvaluationColumn[] {
  const counts = new Map<IdentifierType, number>();
  for (const r of records) {
    const seen = new Map<IdentifierType, number>();
    for (const id of r.identifiers) seen.set(id.type, (seen.get(id.type) ?? 0) + 1);
    for (const [t, n] of seen) counts.set(t, Math.max(counts.get(t) ?? 0, n));
  }
  const out: EvaluationColumn[] = [];
  for (const [type, n] of counts) for (let i = 0; i < n; i++) out.push({ column: `${type.toLowerCase()}_${i}`, type });
  return out;
}

export async function loadEvaluationTable(url: string, records: readonly LabelledRecord[], columns: readonly EvaluationColumn[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS evaluation');
    await client.query('DROP TABLE IF EXISTS evaluation.records');
    await client.query(`CREATE TABLE evaluation.records (record_id text PRIMARY KEY, ${columns.map((c) => `${c.column} text`).join(', ')})`);
    for (let start = 0; start < records.length; start += 1000) {
      const chunk = records.slice(start, start + 1000);
      const arrays: (string | null)[][] = [chunk.map((r) => r.id), ...columns.map(() => [] as (string | null)[])];
      for (const r of chunk) {
        const used = new Map<IdentifierType, number>();
        const values = new Map<string, string>();
        for (const id of r.identifiers) {
          const i = used.get(id.type) ?? 0;
          used.set(id.type, i + 1);
          values.set(`${id.type.toLowerCase()}_${i}`, id.value);
        }
        columns.forEach((c, k) => arrays[k + 1]!.push(values.get(c.column) ?? null));
      }
      const list = ['record_id', ...columns.map((c) => c.column)];
      await client.query(
        `INSERT INTO evaluation.records (${list.join(', ')}) SELECT * FROM unnest(${list.map((_, i) => `$${i + 1}::text[]`).join(', ')})`,
        arrays,
      );
    }
  } finally {
    await client.end();
  }
}

/** Registers the table as a generic SQL source (which indexes it). */
export async function registerEvaluationSource(
  registry: SourceRegistry,
  url: string,
  columns: readonly EvaluationColumn[],
  passwordEnv?: string,
): Promise<void> {
  const clean = new URL(url);
  clean.password = '';
  await registry.register(
    {
      id: EVALUATION_SOURCE_ID,
      name: 'Evaluation records',
      kind: 'OTHER',
      type: 'sql',
      connection: { url: clean.toString(), ...(passwordEnv ? { passwordEnv } : {}), connectTimeoutMs: 10_000 },
      controller: { role: 'CONTROLLER' },
      mapping: {
        recordTypes: [
          {
            name: 'record',
            table: 'evaluation.records',
            primaryKey: 'record_id',
            identifiers: Object.fromEntries(columns.map((c) => [c.column, c.type])),
            columns: Object.fromEntries(columns.map((c) => [c.column, { categories: ['IDENTITY'] }])),
          },
        ],
      },
    },
    'evaluation',
  );
}
