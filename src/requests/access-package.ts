// The access package (R1 access and portability): a zip with, per source, one JSON and one
// CSV file, a manifest holding the SHA-256 of every file, and a summary a person can read.
// Pure: records in, bytes out; the caller stores the bytes and serves the download link.
import { createHash } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { FieldDescription, RetentionPolicy, SourceRecord, SourceRules } from '../../connectors/contract.js';
import { DataCategory, isSpecialCategory, RecordAction, Relationship, SourceKind, sourceRulesOf } from '../domain/vocabulary.js';
import { isRelatedAppearance } from './decisions.js';
import { RequestRuleError, requireValidDate } from './errors.js';
import { assertIdentityVerified } from './state-machine.js';
import { maskIdentifierCardNumbers, sanitiseRecord, type FieldView, type Redaction } from './redaction.js';

export const PACKAGE_FORMAT = 'dsr-access-package/1';
export const MANIFEST_FILE = 'manifest.json';
export const SUMMARY_FILE = 'summary.txt';

export interface PackageDecision {
  recordId: string;
  action: RecordAction;
  basis?: string | null;
  retainUntil?: Date | null;
  reason?: string | null;
}

export interface PackageSource {
  source: { id: string; name: string; kind: SourceKind };
  records: SourceRecord[];
  fields: FieldDescription[];
  /** Only records decided RELEASE are copied; the rest are listed as withheld with the reason. */
  decisions: PackageDecision[];
  /** For "how long we keep it". */
  retention?: RetentionPolicy;
  /** For "why we hold it"; the source's rules' purpose otherwise. */
  purpose?: string;
  /** What the source describes of its data's rules (footage, purpose); its kind's otherwise. */
  rules?: SourceRules;
}

export interface AccessPackageInput {
  requestId: string;
  generatedAt: Date;
  /** R2: a package is built only for a request whose identity was verified. */
  verifiedAt: Date | null | undefined;
  sources: PackageSource[];
  /** R12: whether the person preparing the package may see special-category data. */
  canSeeSpecialCategories: boolean;
  /**
   * R1: the sources the request went without (proceedWithoutSources). The archive names
   * them and says it is not complete: the person may read it long after the letter.
   */
  notSearched?: readonly UnsearchedSource[];
}

/** A source the package could not cover, as the person is told: its name and why. */
export interface UnsearchedSource {
  sourceId: string;
  sourceName: string;
  reason: string;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export interface AccessManifest {
  format: typeof PACKAGE_FORMAT;
  requestId: string;
  generatedAt: string;
  algorithm: 'SHA-256';
  /** False when a source could not be searched (R1): then `notSearched` names it. */
  complete: boolean;
  notSearched: UnsearchedSource[];
  files: ManifestEntry[];
}

/** What one source contributed, without the data: what a principal who may not open the package is shown. */
export interface PackageSourceContents {
  sourceId: string;
  sourceName: string;
  sourceKind: SourceKind;
  recordTypes: { recordType: string; released: number; withheld: number }[];
  /** Data categories of the released fields. */
  categories: DataCategory[];
  /** The special categories among them (R12). */
  specialCategories: DataCategory[];
}

export interface AccessPackage {
  bytes: Uint8Array;
  manifest: AccessManifest;
  /** Digest of the whole archive, for the download record. */
  sha256: string;
  /** Per source: record types and categories (no values). */
  contents: PackageSourceContents[];
  /** Every special category the archive holds in clear: who may receive it depends on them (R12). */
  specialCategories: DataCategory[];
}

/**
 * R12: a package holding special categories goes only to a principal cleared for them.
 * `null` means the package's categories are unknown (built before they were recorded): cleared only.
 */
export function mayReceivePackage(specialCategories: readonly string[] | null, canSeeSpecialCategories: boolean): boolean {
  return canSeeSpecialCategories || (specialCategories !== null && specialCategories.length === 0);
}

interface ExportedRecord {
  recordId: string;
  recordType: string;
  relationship: Relationship;
  /** The person's own parent record (a certificate's learner); never another person's (R16). */
  parentRecordId?: string;
  /** R16: set instead of parentRecordId when the record is another person's. */
  partOf?: string;
  dates: SourceRecord['dates'];
  identifiers: SourceRecord['identifiers'];
  data: Record<string, unknown>;
  fields: Record<string, FieldView>;
  redactions: Redaction[];
  notes: string[];
}

interface WithheldRecord {
  recordId: string;
  recordType: string;
  action: RecordAction | null;
  reason: string;
  basis?: string;
  retainUntil?: string;
}

interface SourceExport {
  entry: PackageSource;
  slug: string;
  released: ExportedRecord[];
  withheld: WithheldRecord[];
  maskedCardValues: number;
}

/** What the copy says a related appearance is part of, instead of that record's id (R16). */
export const OTHER_PERSONS_RECORD_LABEL = 'a record about another person' as const;

/** Why data is held when neither the source nor its kind says. */
const DEFAULT_PURPOSE = 'to provide our services';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'source';
}

function exportSource(entry: PackageSource, index: number, canSeeSpecial: boolean): SourceExport {
  const byRecord = new Map(entry.decisions.map((d) => [d.recordId, d]));
  const released: ExportedRecord[] = [];
  const withheld: WithheldRecord[] = [];
  let maskedCardValues = 0;
  for (const record of entry.records) {
    const decision = byRecord.get(record.recordId);
    if (decision?.action !== RecordAction.RELEASE) {
      withheld.push({
        recordId: record.recordId,
        recordType: record.recordType,
        action: decision?.action ?? null,
        reason: decision ? (decision.reason ?? `decided ${decision.action}`) : 'no release decision was made for this record',
        ...(decision?.basis ? { basis: decision.basis } : {}),
        ...(decision?.retainUntil ? { retainUntil: decision.retainUntil.toISOString() } : {}),
      });
      continue;
    }
    const clean = sanitiseRecord(record, entry.source.kind, entry.fields, canSeeSpecial, entry.rules);
    const counter = { masked: clean.maskedCardValues };
    const identifiers = maskIdentifierCardNumbers(record.identifiers, entry.fields, counter);
    maskedCardValues += counter.masked;
    const parent = !record.parentRecordId
      ? {}
      : isRelatedAppearance(record.relationship)
        ? { partOf: OTHER_PERSONS_RECORD_LABEL }
        : { parentRecordId: record.parentRecordId };
    released.push({
      recordId: record.recordId,
      recordType: record.recordType,
      relationship: record.relationship,
      ...parent,
      dates: record.dates,
      identifiers,
      data: clean.data,
      fields: clean.fields,
      redactions: clean.redactions,
      notes: clean.notes,
    });
  }
  const slug = `${String(index + 1).padStart(2, '0')}-${slugOf(entry.source.name)}`;
  return { entry, slug, released, withheld, maskedCardValues };
}

// CSV: one row per (record, field): the only shape that fits record types with different fields.
const CSV_HEADER = ['record_id', 'record_type', 'relationship', 'parent_record_id', 'field', 'value', 'categories', 'special_category', 'note'];

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // A cell that a spreadsheet would run as a formula is prefixed with a quote. Excel runs
  // +… and -… as formulas as well (-1+HYPERLINK(…) calls out): only a signed number or a
  // phone number, digits and separators alone, stays as it is.
  if (/^[=@\t\r]/.test(text) || (/^[+-]/.test(text) && !/^[+-][\d\s()./-]*$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(exp: SourceExport): string {
  const rows: unknown[][] = [CSV_HEADER];
  for (const r of exp.released) {
    const base = [r.recordId, r.recordType, r.relationship, r.parentRecordId ?? r.partOf ?? ''];
    for (const id of r.identifiers) rows.push([...base, `identifier:${id.type}`, id.value, '', 'false', '']);
    for (const [field, value] of Object.entries(r.data)) {
      const view = r.fields[field];
      const note = r.redactions.find((x) => x.field === field)?.reason ?? '';
      rows.push([...base, field, value, view?.categories.join(' ') ?? '', String(view?.special ?? false), note]);
    }
  }
  for (const w of exp.withheld) {
    rows.push([w.recordId, w.recordType, '', '', '', '', '', '', `withheld: ${w.reason}`]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function toJson(exp: SourceExport, generatedAt: Date): string {
  const { source, retention } = exp.entry;
  return (
    JSON.stringify(
      {
        format: PACKAGE_FORMAT,
        generatedAt: generatedAt.toISOString(),
        source: { id: source.id, name: source.name, kind: source.kind },
        retention: retention?.summary ?? null,
        records: exp.released,
        withheld: exp.withheld,
      },
      null,
      2,
    ) + '\n'
  );
}

const CATEGORY_LABEL: Partial<Record<DataCategory, string>> = {
  [DataCategory.CASE_NOTES]: 'case notes',
  [DataCategory.CALL_RECORDING]: 'call recordings',
  [DataCategory.PAYMENT_CARD]: 'payment card (last four digits only)',
  [DataCategory.SERVICE_HISTORY]: 'service history',
  [DataCategory.BACKGROUND_CHECK]: 'background checks',
  [DataCategory.SEXUAL_ORIENTATION]: 'sexual orientation',
  [DataCategory.TRADE_UNION]: 'trade union membership',
};

function labelOf(c: DataCategory): string {
  return CATEGORY_LABEL[c] ?? c.toLowerCase();
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} x${n}`).join(', ');
}

function summaryOf(input: AccessPackageInput, exports: SourceExport[]): string {
  const lines: string[] = [];
  const found = exports.reduce((n, e) => n + e.released.length + e.withheld.length, 0);
  lines.push('COPY OF YOUR PERSONAL DATA', '');
  lines.push(`Request reference: ${input.requestId}`, `Prepared on: ${day(input.generatedAt)}`, '');
  // Only the systems holding records are listed below: never a count of the systems searched.
  lines.push(`We found ${found} record${found === 1 ? '' : 's'} about you in ${exports.length} system${exports.length === 1 ? '' : 's'}.`);
  const notSearched = input.notSearched ?? [];
  if (notSearched.length > 0) {
    lines.push(
      `This copy is not complete: ${notSearched.length === 1 ? 'one system' : `${notSearched.length} systems`} could not be searched, and what ${notSearched.length === 1 ? 'it holds' : 'they hold'} about you is not included in this copy:`,
    );
    for (const g of notSearched) lines.push(`   ${g.sourceName} could not be searched (${g.reason}).`);
  }
  lines.push(
    'For each system this archive holds a JSON file (for reuse by other services) and a CSV file',
    '(for spreadsheets). manifest.json lists the SHA-256 fingerprint of every file so you can check',
    'that nothing was changed.',
    '',
  );
  exports.forEach((exp, i) => {
    const { source, retention } = exp.entry;
    lines.push(`${i + 1}. ${source.name}`);
    lines.push(`   Files: sources/${exp.slug}.json, sources/${exp.slug}.csv`);
    const all = [...exp.released.map((r) => r.recordType), ...exp.withheld.map((r) => r.recordType)];
    lines.push(`   What we found: ${all.length === 0 ? 'nothing' : countBy(all)}`);
    const categories = new Set<DataCategory>();
    for (const r of exp.released) for (const v of Object.values(r.fields)) v.categories.forEach((c) => categories.add(c));
    if (categories.size > 0) lines.push(`   Kinds of data: ${[...categories].map(labelOf).join(', ')}`);
    const related = exp.released.filter((r) => isRelatedAppearance(r.relationship));
    if (related.length > 0) {
      lines.push(`   You also appear in other people's records: ${countBy(related.map((r) => r.relationship.toLowerCase().replace('_', ' ')))}`);
    }
    lines.push(`   Why we hold it: ${exp.entry.purpose ?? sourceRulesOf(source.kind, exp.entry.rules).purpose ?? DEFAULT_PURPOSE}`);
    lines.push(`   How long we keep it: ${retention?.summary ?? 'as our privacy notice states'}`);
    const special = exp.released.flatMap((r) => r.redactions.filter((x) => x.kind === 'SPECIAL_CATEGORY'));
    if (special.length > 0) lines.push(`   ${special.length} special-category field(s) are shown as [REDACTED]; ask us for them.`);
    const others = exp.released.filter((r) => r.redactions.some((x) => x.kind === 'OTHER_PEOPLE') || r.notes.length > 0);
    for (const r of others) lines.push(`   Record ${r.recordId}: ${r.notes.join(' ')}`);
    if (exp.maskedCardValues > 0 || categories.has(DataCategory.PAYMENT_CARD)) {
      lines.push('   Card numbers show at most their last four digits.');
    }
    for (const w of exp.withheld) {
      const until = w.retainUntil ? `, kept until ${w.retainUntil.slice(0, 10)}` : '';
      const basis = w.basis ? ` (${w.basis})` : '';
      lines.push(`   Not included: ${w.recordType} ${w.recordId}: ${w.reason}${basis}${until}`);
    }
    lines.push('');
  });
  lines.push('If anything is wrong or missing, reply to our letter: you may ask us to correct or erase it.');
  return lines.join('\n') + '\n';
}

function contentsOf(exp: SourceExport): PackageSourceContents {
  const types = new Map<string, { recordType: string; released: number; withheld: number }>();
  const typeOf = (t: string) => types.get(t) ?? types.set(t, { recordType: t, released: 0, withheld: 0 }).get(t)!;
  for (const r of exp.released) typeOf(r.recordType).released += 1;
  for (const w of exp.withheld) typeOf(w.recordType).withheld += 1;
  const categories = new Set<DataCategory>();
  // Only fields shown in clear count: a redacted field is not in the archive.
  for (const r of exp.released) {
    const redacted = new Set(r.redactions.map((x) => x.field));
    for (const [field, view] of Object.entries(r.fields)) if (!redacted.has(field)) view.categories.forEach((c) => categories.add(c));
  }
  const sorted = [...categories].sort();
  return {
    sourceId: exp.entry.source.id,
    sourceName: exp.entry.source.name,
    sourceKind: exp.entry.source.kind,
    recordTypes: [...types.values()],
    categories: sorted,
    specialCategories: sorted.filter(isSpecialCategory),
  };
}

/** Builds the zip. Deterministic for the same input (fixed entry times). */
export function buildAccessPackage(input: AccessPackageInput): AccessPackage {
  requireValidDate(input.generatedAt, 'The package time');
  assertIdentityVerified(input, 'build an access package');
  const exports = input.sources.map((s, i) => exportSource(s, i, input.canSeeSpecialCategories));
  const files = new Map<string, Uint8Array>();
  files.set(SUMMARY_FILE, strToU8(summaryOf(input, exports)));
  for (const exp of exports) {
    files.set(`sources/${exp.slug}.json`, strToU8(toJson(exp, input.generatedAt)));
    files.set(`sources/${exp.slug}.csv`, strToU8(toCsv(exp)));
  }
  const manifest: AccessManifest = {
    format: PACKAGE_FORMAT,
    requestId: input.requestId,
    generatedAt: input.generatedAt.toISOString(),
    algorithm: 'SHA-256',
    complete: (input.notSearched ?? []).length === 0,
    notSearched: (input.notSearched ?? []).map(({ sourceId, sourceName, reason }) => ({ sourceId, sourceName, reason })),
    files: [...files].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), bytes: bytes.length })),
  };
  // Zip times cannot precede 1980; the package time is the natural entry time.
  const mtime = input.generatedAt.getUTCFullYear() >= 1980 ? input.generatedAt : new Date('1980-01-01T00:00:00Z');
  const zippable: Zippable = { [MANIFEST_FILE]: strToU8(JSON.stringify(manifest, null, 2) + '\n') };
  for (const [path, bytes] of files) zippable[path] = bytes;
  const bytes = zipSync(zippable, { level: 6, mtime });
  const contents = exports.map(contentsOf);
  const specialCategories = [...new Set(contents.flatMap((c) => c.specialCategories))].sort();
  return { bytes, manifest, sha256: sha256Hex(bytes), contents, specialCategories };
}

export interface ManifestCheck {
  ok: boolean;
  manifest: AccessManifest;
  /** Listed files whose content no longer has the listed digest or size. */
  mismatched: string[];
  /** Listed files absent from the archive. */
  missing: string[];
  /** Files in the archive the manifest does not list. */
  unlisted: string[];
}

/** Checks every file of a package against its manifest. INVALID_PACKAGE when unreadable. */
export function verifyManifest(zipBytes: Uint8Array): ManifestCheck {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zipBytes);
  } catch {
    throw new RequestRuleError('INVALID_PACKAGE', 'The file is not a readable zip archive');
  }
  const raw = entries[MANIFEST_FILE];
  if (!raw) throw new RequestRuleError('INVALID_PACKAGE', `The archive has no ${MANIFEST_FILE}`);
  let manifest: AccessManifest;
  try {
    manifest = JSON.parse(strFromU8(raw)) as AccessManifest;
  } catch {
    throw new RequestRuleError('INVALID_PACKAGE', `${MANIFEST_FILE} is not valid JSON`);
  }
  if (!Array.isArray(manifest?.files)) throw new RequestRuleError('INVALID_PACKAGE', `${MANIFEST_FILE} lists no files`);
  const mismatched: string[] = [];
  const missing: string[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const bytes = entries[f.path];
    if (!bytes) missing.push(f.path);
    else if (sha256Hex(bytes) !== f.sha256 || bytes.length !== f.bytes) mismatched.push(f.path);
  }
  const unlisted = Object.keys(entries).filter((p) => p !== MANIFEST_FILE && !listed.has(p) && !p.endsWith('/'));
  return { ok: mismatched.length + missing.length + unlisted.length === 0, manifest, mismatched, missing, unlisted };
}
