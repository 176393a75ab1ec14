import { describe, expect, it } from 'vitest';
import type { SourceDescription } from '../../../connectors/contract.js';
import { describesOtherwise } from '../../../connectors/remote/approved-description.js';
import { Capability, DataCategory, SourceKind } from '../../../src/domain/vocabulary.js';

const approved = {
  description: {
    kind: SourceKind.TRAINING,
    name: 'Training',
    fields: [
      { recordType: 'learner', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: true },
      { recordType: 'learner', field: 'needs', categories: [DataCategory.HEALTH, DataCategory.TRAINING], special: true, correctable: false },
    ],
    retention: { summary: '1 year', maxAge: 'P1Y', statutory: false, erasure: 'DELETE' },
    controller: { role: 'CONTROLLER' },
    rules: { onlineService: true },
  } satisfies SourceDescription,
  capabilities: [Capability.DISCOVER, Capability.EXPORT],
};

describe('describesOtherwise', () => {
  it('the same description, its lists in another order and members left undefined, is not a change', () => {
    const d = approved.description;
    const reordered = {
      description: {
        ...d,
        fields: [{ ...d.fields[1]!, categories: [DataCategory.TRAINING, DataCategory.HEALTH] }, d.fields[0]!],
        retention: { ...d.retention, basis: undefined },
      },
      capabilities: [Capability.EXPORT, Capability.DISCOVER],
    };
    expect(describesOtherwise(approved, reordered)).toBe(false);
  });

  it.each([
    ['a special-category flag dropped', (d: SourceDescription) => ({ ...d, fields: d.fields.map((f) => ({ ...f, special: false })) })],
    ['a category changed', (d: SourceDescription) => ({ ...d, fields: d.fields.map((f) => ({ ...f, categories: [DataCategory.TRAINING] })) })],
    ['a field added', (d: SourceDescription) => ({ ...d, fields: [...d.fields, { ...d.fields[0]!, field: 'phone' }] })],
    ['retention shortened', (d: SourceDescription) => ({ ...d, retention: { ...d.retention, maxAge: 'P1D' } })],
    ['retention run without approval', (d: SourceDescription) => ({ ...d, retention: { ...d.retention, autoExecute: true } })],
    ['a rule dropped', (d: SourceDescription) => ({ ...d, rules: {} })],
    ['another kind', (d: SourceDescription) => ({ ...d, kind: SourceKind.CLINIC })],
    ['another controller role', (d: SourceDescription) => ({ ...d, controller: { role: 'PROCESSOR' as const } })],
  ])('%s is a change', (_, change) => {
    expect(describesOtherwise(approved, { ...approved, description: change(approved.description) })).toBe(true);
  });

  it('a capability offered since is a change', () => {
    expect(describesOtherwise(approved, { ...approved, capabilities: [...approved.capabilities, Capability.ERASE] })).toBe(true);
  });
});
