// The model's parameters: m/u per comparison level, the prior, default thresholds and
// term-frequency tables. Produced by src/identity/scripts/estimate-parameters.ts and
// versioned, so every explanation can say which parameters scored it.
import { z } from 'zod';
import { COMPARISONS, type ComparisonField } from './comparisons.js';
// Imported (not read from disk) so the build copies it to dist/ beside this module.
import shippedParameters from './parameters.v3.json' with { type: 'json' };

const levelSchema = z.object({ label: z.string(), m: z.number().gt(0).lte(1), u: z.number().gt(0).lte(1) });
const tfSchema = z.object({ total: z.number().positive(), counts: z.record(z.string(), z.number().nonnegative()) });

export const parametersSchema = z.object({
  version: z.string().min(1),
  method: z.string(),
  trainedOn: z.string().optional(),
  estimatedAt: z.string().optional(),
  /** λ: probability that two records drawn at random are the same person. */
  probabilityTwoRandomRecordsMatch: z.number().gt(0).lt(1),
  /**
   * N_ref: how many records λ was estimated on. A source larger than this scores with
   * λ × N_ref / N_s (prior.ts); absent, λ is used whatever a source's size.
   */
  priorRecords: z.number().int().positive().optional(),
  thresholds: z.object({ match: z.number().gt(0).lt(1), review: z.number().gt(0).lt(1) }),
  comparisons: z.record(z.string(), z.object({ levels: z.array(levelSchema) })),
  termFrequencies: z.record(z.string(), tfSchema).optional(),
});

export type ModelParameters = z.infer<typeof parametersSchema>;
export type TermFrequencyTable = z.infer<typeof tfSchema>;
/** Per tf-adjusted field: counts of each normalised value and the total they sum to. */
export type TermFrequencies = Partial<Record<ComparisonField, TermFrequencyTable>>;

/** Validates parameters against the comparison definitions (same fields, labels, order). */
export function checkParameters(input: unknown): ModelParameters {
  const params = parametersSchema.parse(input);
  if (params.thresholds.review > params.thresholds.match) throw new Error('review threshold above match threshold');
  for (const c of COMPARISONS) {
    const levels = params.comparisons[c.field]?.levels;
    if (!levels) throw new Error(`parameters ${params.version}: no levels for ${c.field}`);
    const want = c.levels.map((l) => l.label).join('|');
    const got = levels.map((l) => l.label).join('|');
    if (want !== got) throw new Error(`parameters ${params.version}: ${c.field} levels ${got} do not match ${want}`);
  }
  return params;
}

let cached: ModelParameters | undefined;

/** The shipped parameters (parameters.v3.json beside this file), validated once. */
export function defaultParameters(): ModelParameters {
  cached ??= checkParameters(shippedParameters);
  return cached;
}
