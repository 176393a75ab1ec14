// The record of processing (GDPR Art. 30(1)), built from what each source describes: one
// activity per source and record type, in the columns of the UK ICO's template, and the
// gaps a privacy office must close (no retention period, special categories without an
// Article 9 condition, a source that cannot be searched or cannot describe itself).
// Pure: the service gathers the sources; this decides what the map says.
import type { ControllerPolicy, ProcessingDescription, RetentionPolicy, SourceDescription } from '../../connectors/contract.js';
import { Capability, type DataCategory, type IdentifierType, isSpecialCategory } from '../domain/vocabulary.js';

/** One registered source as the data map needs it. */
export interface DataMapSource {
  id: string;
  name: string;
  kind: string;
  status: string;
  controllerIds: readonly string[];
  capabilities: readonly Capability[];
  identifierTypes: readonly IdentifierType[];
  /** Null when the source could not describe itself (unreachable, never reached). */
  description: SourceDescription | null;
}

/** One processing activity: a record type in a source (a row of the ICO template). */
export interface ProcessingActivity {
  sourceId: string;
  sourceName: string;
  sourceKind: string;
  recordType: string;
  purposes: string[];
  dataSubjects: string[];
  lawfulBasis: string | null;
  specialCategoryCondition: string | null;
  /** Categories of personal data other than special ones. */
  personalDataCategories: DataCategory[];
  specialCategories: DataCategory[];
  fields: string[];
  recipients: string[];
  transfers: string | null;
  retentionSummary: string;
  activePeriod: string | null;
  archivePeriod: string | null;
  maxAge: string | null;
  statutoryRetention: boolean;
  retentionBasis: string | null;
  erasure: RetentionPolicy['erasure'];
  controllerRole: ControllerPolicy['role'];
  controllers: string[];
  searchable: boolean;
  canErase: boolean;
  canCorrect: boolean;
  canRestrict: boolean;
}

export enum DataMapGapCode {
  /** The source could not describe itself: nothing is known of what it holds. */
  SOURCE_NOT_DESCRIBED = 'SOURCE_NOT_DESCRIBED',
  /** No retention period (active, archive or maximum age): R9 cannot be applied. */
  NO_RETENTION_PERIOD = 'NO_RETENTION_PERIOD',
  /** No purposes, data subjects or lawful basis stated (Art. 30(1)(b), Art. 6). */
  NO_PROCESSING_BASIS = 'NO_PROCESSING_BASIS',
  /** Special-category fields without an Article 9 condition. */
  SPECIAL_CATEGORY_WITHOUT_CONDITION = 'SPECIAL_CATEGORY_WITHOUT_CONDITION',
  /** The source cannot be searched for a person: requests cannot reach its records. */
  NO_DISCOVERY = 'NO_DISCOVERY',
}

export interface DataMapGap {
  sourceId: string;
  code: DataMapGapCode;
  message: string;
}

export interface DataMap {
  generatedAt: Date;
  activities: ProcessingActivity[];
  gaps: DataMapGap[];
}

/** The data map of these sources as of `now`: activities by source then record type, and every gap. */
export function buildDataMap(sources: readonly DataMapSource[], now: Date): DataMap {
  const ordered = [...sources].sort((a, b) => a.id.localeCompare(b.id));
  return {
    generatedAt: now,
    activities: ordered.flatMap(activitiesOf),
    gaps: ordered.flatMap(gapsOf),
  };
}

function activitiesOf(source: DataMapSource): ProcessingActivity[] {
  const d = source.description;
  if (!d) return [];
  const recordTypes = [...new Set(d.fields.map((f) => f.recordType))];
  return recordTypes.map((recordType) => {
    const fields = d.fields.filter((f) => f.recordType === recordType);
    const categories = [...new Set(fields.flatMap((f) => f.categories))].sort();
    const p: Partial<ProcessingDescription> = d.processing ?? {};
    return {
      sourceId: source.id,
      sourceName: source.name,
      sourceKind: source.kind,
      recordType,
      purposes: [...(p.purposes ?? [])],
      dataSubjects: [...(p.dataSubjects ?? [])],
      lawfulBasis: p.lawfulBasis ?? null,
      specialCategoryCondition: p.specialCategoryCondition ?? null,
      personalDataCategories: categories.filter((c) => !isSpecialCategory(c)),
      specialCategories: categories.filter(isSpecialCategory),
      fields: fields.map((f) => f.field),
      recipients: [...(p.recipients ?? [])],
      transfers: p.transfers ?? null,
      retentionSummary: d.retention.summary,
      activePeriod: d.retention.activePeriod ?? null,
      archivePeriod: d.retention.archivePeriod ?? null,
      maxAge: d.retention.maxAge ?? null,
      statutoryRetention: d.retention.statutory,
      retentionBasis: d.retention.basis ?? null,
      erasure: d.retention.erasure,
      controllerRole: d.controller.role,
      controllers: controllersOf(source, d.controller),
      searchable: isSearchable(source),
      canErase: source.capabilities.includes(Capability.ERASE),
      canCorrect: source.capabilities.includes(Capability.CORRECT) && fields.some((f) => f.correctable),
      canRestrict: source.capabilities.includes(Capability.RESTRICT),
    };
  });
}

function gapsOf(source: DataMapSource): DataMapGap[] {
  const gap = (code: DataMapGapCode, message: string): DataMapGap => ({ sourceId: source.id, code, message });
  const d = source.description;
  if (!d) return [gap(DataMapGapCode.SOURCE_NOT_DESCRIBED, `${source.name} could not describe what it holds`)];
  const gaps: DataMapGap[] = [];
  const r = d.retention;
  if (!r.activePeriod && !r.archivePeriod && !r.maxAge) {
    gaps.push(gap(DataMapGapCode.NO_RETENTION_PERIOD, `${source.name} states no retention period ("${r.summary}")`));
  }
  const p = d.processing;
  if (!p || p.purposes.length === 0 || p.dataSubjects.length === 0 || !p.lawfulBasis.trim()) {
    gaps.push(gap(DataMapGapCode.NO_PROCESSING_BASIS, `${source.name} states no purposes, data subjects or lawful basis`));
  }
  const special = [...new Set(d.fields.flatMap((f) => f.categories).filter(isSpecialCategory))];
  if (special.length > 0 && !p?.specialCategoryCondition?.trim()) {
    gaps.push(gap(DataMapGapCode.SPECIAL_CATEGORY_WITHOUT_CONDITION, `${source.name} holds ${special.sort().join(', ')} with no Article 9 condition stated`));
  }
  if (!isSearchable(source)) {
    gaps.push(gap(DataMapGapCode.NO_DISCOVERY, `${source.name} cannot be searched for a person: requests do not reach its records`));
  }
  return gaps;
}

const isSearchable = (source: DataMapSource): boolean => source.capabilities.includes(Capability.DISCOVER) && source.identifierTypes.length > 0;

function controllersOf(source: DataMapSource, policy: ControllerPolicy): string[] {
  const ids = new Set<string>(source.controllerIds);
  if (policy.defaultControllerId) ids.add(policy.defaultControllerId);
  return [...ids].sort();
}
