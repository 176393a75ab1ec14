// The data map as CSV, one row per processing activity, headed as the UK ICO's
// record-of-processing template names its columns; the source's gaps in the last column.
import { stringify } from 'csv-stringify/sync';
import type { DataMap, ProcessingActivity } from './data-map.js';

const list = (values: readonly string[]): string => values.join('; ');

/**
 * A spreadsheet runs a cell that starts with =, +, - or @ as a formula; source names and
 * descriptions come from source teams, so such a cell is opened with a quote mark.
 */
export const inertCell = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

const COLUMNS: ReadonlyArray<[header: string, value: (a: ProcessingActivity) => string]> = [
  ['Source', (a) => a.sourceName],
  ['Source id', (a) => a.sourceId],
  ['Record type', (a) => a.recordType],
  ['Purposes of processing', (a) => list(a.purposes)],
  ['Categories of individuals', (a) => list(a.dataSubjects)],
  ['Categories of personal data', (a) => list(a.personalDataCategories)],
  ['Special category data', (a) => list(a.specialCategories)],
  ['Fields', (a) => list(a.fields)],
  ['Article 6 lawful basis', (a) => a.lawfulBasis ?? ''],
  ['Article 9 condition', (a) => a.specialCategoryCondition ?? ''],
  ['Categories of recipients', (a) => list(a.recipients)],
  ['International transfers and safeguards', (a) => a.transfers ?? ''],
  ['Retention schedule', (a) => a.retentionSummary],
  ['Retention periods', (a) => list([a.activePeriod, a.archivePeriod, a.maxAge].filter((p): p is string => Boolean(p)))],
  ['Retention required by law', (a) => (a.statutoryRetention ? 'yes' : 'no')],
  ['Retention basis', (a) => a.retentionBasis ?? ''],
  ['Erasure', (a) => a.erasure],
  ['Controller or processor', (a) => a.controllerRole],
  ['Controllers', (a) => list(a.controllers)],
  ['Searchable for a person', (a) => (a.searchable ? 'yes' : 'no')],
  ['Erasure supported', (a) => (a.canErase ? 'yes' : 'no')],
  ['Correction supported', (a) => (a.canCorrect ? 'yes' : 'no')],
  ['Restriction supported', (a) => (a.canRestrict ? 'yes' : 'no')],
];

export function dataMapCsv(map: DataMap): string {
  const gapsOf = (sourceId: string) => list(map.gaps.filter((g) => g.sourceId === sourceId).map((g) => g.code));
  const header = [...COLUMNS.map(([h]) => h), 'Gaps'];
  const rows = map.activities.map((a) => [...COLUMNS.map(([, value]) => value(a)), gapsOf(a.sourceId)]);
  // A source that could not describe itself has no activity but must still be seen with its gap.
  const undescribed = [...new Set(map.gaps.map((g) => g.sourceId))].filter((id) => !map.activities.some((a) => a.sourceId === id));
  for (const id of undescribed) rows.push([...COLUMNS.map(([h]) => (h === 'Source id' ? id : '')), gapsOf(id)]);
  return stringify([header, ...rows.map((row) => row.map(inertCell))]);
}
