// Explanations carry the values compared; a caller not allowed to see a field gets the
// levels and weights (the waterfall) without the values.
import type { EvidenceGroup } from './comparisons.js';
import type { MatchExplanation } from './model.js';

export const REDACTED = '[redacted]';

export function redactExplanation(explanation: MatchExplanation, maySee: (group: EvidenceGroup) => boolean): MatchExplanation {
  return {
    ...explanation,
    fields: explanation.fields.map((f) =>
      maySee(f.group) || (f.queryValue === null && f.recordValue === null)
        ? f
        : { ...f, queryValue: f.queryValue === null ? null : REDACTED, recordValue: f.recordValue === null ? null : REDACTED },
    ),
  };
}
