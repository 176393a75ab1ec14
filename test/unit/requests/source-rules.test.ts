import { describe, expect, it } from 'vitest';
import type { FieldDescription, RetentionPolicy } from '../../../connectors/contract.js';
import { DataCategory, RecordAction, Relationship, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import { decideRecord, legalHoldOf, retentionEndOf } from '../../../src/requests/decisions.js';
import { validateCorrections } from '../../../src/requests/rectification.js';
import { sanitiseRecord } from '../../../src/requests/redaction.js';

// A source of kind OTHER (a seventh system, or one registered by configuration) gets the
// rules it describes, with no change to the gateway's rules: the rules read the description.
const now = new Date('2025-06-01T12:00:00Z');
const plain: RetentionPolicy = { summary: 'as the notice states', statutory: false, erasure: 'DELETE' };
const record = (sourceRules: object, over: object = {}) => ({
  sourceKind: SourceKind.OTHER,
  sourceRules,
  recordType: 'file',
  relationship: Relationship.SUBJECT,
  dates: { lastActivityAt: '2024-01-01T00:00:00Z' },
  ...over,
});

describe('rules a source describes (SourceRules)', () => {
  it('R14: a source whose rules annotate corrections is annotated, never overwritten', () => {
    const fields: FieldDescription[] = [{ recordType: 'file', field: 'note', categories: [DataCategory.HEALTH], special: true, correctable: false }];
    const plan = validateCorrections({
      sourceKind: SourceKind.OTHER,
      sourceRules: { annotatesCorrections: true },
      fields,
      corrections: [{ field: 'note', value: 'x', reason: 'r' }],
    });
    expect(plan.action).toBe(RecordAction.ANNOTATE);
    expect(decideRecord({ requestType: RequestType.RECTIFICATION, retention: plain, now, record: record({ annotatesCorrections: true }) }).action).toBe(
      RecordAction.ANNOTATE,
    );
    expect(decideRecord({ requestType: RequestType.RECTIFICATION, retention: plain, now, record: record({}) }).action).toBe(RecordAction.CORRECT);
  });

  it('R8: statutory retention a source describes holds its records for the periods it names', () => {
    const rules = { statutoryRetention: { periods: ['P3Y', 'P30Y'] } };
    expect(retentionEndOf({ lastActivityAt: '2024-01-01T00:00:00Z' }, plain, SourceKind.OTHER, rules)).toEqual(new Date('2057-01-01T00:00:00Z'));
    expect(legalHoldOf(record(rules), plain, now)?.until).toEqual(new Date('2057-01-01T00:00:00Z'));
    expect(decideRecord({ requestType: RequestType.ERASURE, retention: plain, now, record: record(rules) }).action).toBe(RecordAction.RETAIN);
    expect(decideRecord({ requestType: RequestType.ERASURE, retention: plain, now, record: record({}) }).action).toBe(RecordAction.ERASE);
  });

  it('R9: footage a source describes is purged past its maximum age and its segments erased before', () => {
    const footage = { maxAge: 'P90D', summary: '90 days', statutory: false, erasure: 'DELETE' } as const;
    const old = decideRecord({
      requestType: RequestType.ERASURE,
      retention: footage,
      now,
      record: record({ footage: true }, { dates: { lastActivityAt: '2025-01-01T00:00:00Z' } }),
    });
    expect(old.action).toBe(RecordAction.PURGE);
    const young = decideRecord({
      requestType: RequestType.ERASURE,
      retention: footage,
      now,
      record: record({ footage: true }, { dates: { lastActivityAt: '2025-05-20T00:00:00Z' } }),
    });
    expect(young.rules).toEqual(['R9']);
  });

  it('R16: undescribed data of a footage source is withheld while other people are in the frames', () => {
    const clip = {
      recordId: 'v',
      recordType: 'clip',
      relationship: Relationship.VISITOR,
      identifiers: [],
      dates: {},
      data: { frames: 'blob://1' },
      facts: { bystanders: 2 },
    };
    expect(sanitiseRecord(clip, SourceKind.OTHER, [], true, { footage: true }).data.frames).toBe('[WITHHELD]');
    expect(sanitiseRecord(clip, SourceKind.OTHER, [], true, {}).data.frames).toBe('blob://1');
  });

  it('R16: a child’s data in a source that describes itself as an online service is deleted at once', () => {
    const child = record({ onlineService: true }, { facts: { age: 12 } });
    expect(decideRecord({ requestType: RequestType.RESTRICTION, retention: plain, now, record: child }).action).toBe(RecordAction.ERASE);
    expect(decideRecord({ requestType: RequestType.RESTRICTION, retention: plain, now, record: record({}, { facts: { age: 12 } }) }).action).toBe(
      RecordAction.RESTRICT,
    );
  });
});
