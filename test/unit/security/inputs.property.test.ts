// Property-based tests over the pure input handlers: whatever a client sends, the only
// failure is the coded one the caller expects, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, normaliseIdentifier, normaliseQueryIdentifiers, normaliseRecordIdentifiers } from '../../../src/identity/index.js';
import { IdentifierType } from '../../../src/domain/vocabulary.js';
import { parseApiKey, parseBearer } from '../../../src/auth/index.js';
import { DomainError } from '../../../src/domain/errors.js';
import { toCoreFilter } from '../../../schema/admin/admin.resolver.js';
import type { AuditFilter } from '../../../schema/admin/audit.types.js';

const RUNS = { numRuns: 10_000 };
const TYPES = Object.values(IdentifierType);

/** Strings a client might send: any code points, and shapes close to real identifiers. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 600 }),
  fc.emailAddress(),
  fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/),
  fc.stringMatching(/^[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}$/),
  fc.constantFrom('', ' ', '\u0000', '\uFFFF', '\uD800', 'é'.normalize('NFD'), 'Ⅻ', '٣٤٥', '../../etc/passwd', "O'Brien; DROP TABLE x"),
);
const anyType = fc.oneof(fc.constantFrom(...TYPES), fc.string({ maxLength: 12 }), fc.constant(undefined), fc.constant(null));
const anyValue = fc.oneof(anyText, fc.integer(), fc.constant(null), fc.constant(undefined), fc.object({ maxDepth: 1 }));

function onlyInvalidIdentifier(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidIdentifierError);
  }
}

describe('normalisers over arbitrary input (10,000 cases each)', () => {
  it('normaliseIdentifier throws only InvalidIdentifierError, for every identifier type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), anyText, (type, value) => {
        onlyInvalidIdentifier(() => {
          const out = normaliseIdentifier({ type, value });
          expect(out.type).toBe(type);
          expect(typeof out.value).toBe('string');
        });
      }),
      RUNS,
    );
  });

  it('normaliseIdentifier throws only InvalidIdentifierError for unknown types and non-string values', () => {
    fc.assert(
      fc.property(anyType, anyValue, (type, value) => {
        onlyInvalidIdentifier(() => normaliseIdentifier({ type, value } as never));
      }),
      RUNS,
    );
  });

  it('normaliseQueryIdentifiers throws only InvalidIdentifierError', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.constantFrom(...TYPES), value: anyText }), { maxLength: 6 }), (ids) => {
        onlyInvalidIdentifier(() => normaliseQueryIdentifiers(ids));
      }),
      RUNS,
    );
  });

  it('normaliseRecordIdentifiers (tolerant) never throws and keeps only valid identifiers', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: anyType, value: anyValue }), { maxLength: 8 }), (raw) => {
        const out = normaliseRecordIdentifiers(raw as never);
        for (const id of out) expect(TYPES).toContain(id.type);
      }),
      RUNS,
    );
  });
});

describe('credential parsers over arbitrary input (10,000 cases each)', () => {
  it('parseBearer and parseApiKey never throw', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.constant(undefined), fc.constant(null)), (header) => {
        const token = parseBearer(header as string);
        if (token !== null) parseApiKey(token);
        parseApiKey(header as string);
      }),
      RUNS,
    );
  });
});

describe('audit filter over arbitrary input (10,000 cases)', () => {
  it('is accepted or refused with BAD_USER_INPUT, never another error', () => {
    const date = fc.date({ noInvalidDate: true });
    const text = fc.option(anyText, { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          actor: text,
          action: text,
          actions: fc.option(fc.array(anyText, { maxLength: 60 }), { nil: undefined }),
          target: text,
          targetType: text,
          controllerId: text,
          from: fc.option(date, { nil: undefined }),
          to: fc.option(date, { nil: undefined }),
        }),
        (filter) => {
          try {
            const core = toCoreFilter(filter as AuditFilter);
            for (const v of [core.actorId, core.targetId, core.targetType, core.controllerId, ...(core.actions ?? [])]) {
              if (v !== undefined) expect(v.includes('\u0000')).toBe(false);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe('BAD_USER_INPUT');
          }
        },
      ),
      RUNS,
    );
  });
});
