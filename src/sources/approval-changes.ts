// What an administrator approving a source would change: the waiting registration or
// description against the one the source is held to, aspect by aspect, so the approval view
// shows the difference rather than a code. Connection settings are named, never shown. Pure.
import type { FieldDescription, RetentionPolicy, SourceDescription } from '../../connectors/contract.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.js';
import type { DeclaredSource, RegistrationColumns, SourceEntity } from './source.entity.js';

export type ChangeKind = 'ADDED' | 'REMOVED' | 'CHANGED';

export interface SourceChange {
  /** What changes: identifierTypes, capabilities, fields, kind, retention, controller, rules, processing, name, controllerIds, phoneCountry, connection. */
  aspect: string;
  change: ChangeKind;
  before: string | null;
  after: string | null;
}

type Declared = Omit<DeclaredSource, 'proposed' | 'approvedBefore'>;

/**
 * The changes approving this source would make: its waiting change against what it is held
 * to; for a source never approved, everything it declares (nothing was approved); none else.
 */
export function changesAwaitingApproval(
  source: Pick<SourceEntity, 'declared' | 'approvedAt' | 'name' | 'kind' | 'connectorType' | 'config' | 'controllerIds' | 'phoneCountry'>,
): SourceChange[] {
  const declared = source.declared;
  if (!declared) return [];
  if (source.approvedAt === null) return declaredChanges(null, declared);
  if (!declared.proposed) return [];
  const { registration, ...proposed } = declared.proposed;
  const held: RegistrationColumns = { ...source, phoneCountry: source.phoneCountry };
  return [...(registration ? registrationChanges(held, registration) : []), ...declaredChanges(declared, proposed)];
}

function declaredChanges(before: Declared | null, after: Declared): SourceChange[] {
  const b = before?.description;
  const a = after.description;
  return [
    ...listChanges('identifierTypes', before?.identifierTypes ?? [], after.identifierTypes),
    ...listChanges('capabilities', before?.capabilities ?? [], after.capabilities),
    ...fieldChanges(b?.fields ?? [], a.fields ?? []),
    ...valueChange('kind', b?.kind ?? null, a.kind),
    ...valueChange('retention', b ? retentionText(b.retention) : null, retentionText(a.retention)),
    ...valueChange('controller', b ? controllerText(b.controller) : null, controllerText(a.controller)),
    ...valueChange('rules', jsonOrNull(b?.rules), jsonOrNull(a.rules)),
    ...valueChange('processing', jsonOrNull(b?.processing), jsonOrNull(a.processing)),
  ];
}

function registrationChanges(before: RegistrationColumns, after: RegistrationColumns): SourceChange[] {
  const settings = (r: RegistrationColumns) =>
    canonicalJson({ type: r.connectorType, connection: r.config.connection ?? null, mapping: r.config.mapping ?? null });
  return [
    ...valueChange('name', before.name, after.name),
    ...listChanges('controllerIds', before.controllerIds, after.controllerIds),
    ...valueChange('phoneCountry', before.phoneCountry, after.phoneCountry ?? before.phoneCountry),
    // Where and how it is reached: named as changed, never shown (it may name hosts and secrets' variables).
    ...(settings(before) === settings(after) ? [] : [{ aspect: 'connection', change: 'CHANGED' as const, before: null, after: null }]),
  ];
}

function listChanges(aspect: string, before: readonly string[], after: readonly string[]): SourceChange[] {
  return [
    ...after.filter((v) => !before.includes(v)).map((v) => ({ aspect, change: 'ADDED' as const, before: null, after: v })),
    ...before.filter((v) => !after.includes(v)).map((v) => ({ aspect, change: 'REMOVED' as const, before: v, after: null })),
  ];
}

function fieldChanges(before: FieldDescription[], after: FieldDescription[]): SourceChange[] {
  const key = (f: FieldDescription) => `${f.recordType}.${f.field}`;
  const text = (f: FieldDescription) =>
    `${key(f)}: ${[...f.categories].sort().join(', ')}${f.special ? ' (special category)' : ''}${f.correctable ? ', correctable' : ''}${f.identifierType ? `, identifies by ${f.identifierType}` : ''}`;
  const was = new Map(before.map((f) => [key(f), text(f)]));
  const now = new Map(after.map((f) => [key(f), text(f)]));
  return [
    ...[...now].flatMap(([k, t]): SourceChange[] => valueChange('fields', was.get(k) ?? null, t)),
    ...[...was].flatMap(([k, t]): SourceChange[] => (now.has(k) ? [] : valueChange('fields', t, null))),
  ];
}

function valueChange(aspect: string, before: string | null, after: string | null): SourceChange[] {
  if (before === after) return [];
  const change: ChangeKind = before === null ? 'ADDED' : after === null ? 'REMOVED' : 'CHANGED';
  return [{ aspect, change, before, after }];
}

function retentionText(r: RetentionPolicy): string {
  const periods = [r.activePeriod && `active ${r.activePeriod}`, r.archivePeriod && `archive ${r.archivePeriod}`, r.maxAge && `at most ${r.maxAge}`].filter(
    Boolean,
  );
  return [
    r.summary,
    ...periods,
    r.statutory ? `statutory${r.basis ? ` (${r.basis})` : ''}` : 'not statutory',
    `erasure ${r.erasure}`,
    ...(r.autoExecute ? ['runs without a handler'] : []),
  ].join('; ');
}

function controllerText(c: SourceDescription['controller']): string {
  return `${c.role}${c.defaultControllerId ? ` for ${c.defaultControllerId}` : ''}`;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : canonicalJson(value);
}

/**
 * What an approval is given for: a digest of the registration and everything it declares (or
 * waits with), so approving what the view showed cannot approve a change made since.
 */
export function approvalTokenOf(source: Pick<SourceEntity, 'config' | 'declared' | 'controllerIds' | 'phoneCountry'>): string {
  const { config, declared, controllerIds, phoneCountry } = source;
  return createHash('sha256').update(canonicalJson({ config, declared, controllerIds, phoneCountry })).digest('hex').slice(0, 32);
}
