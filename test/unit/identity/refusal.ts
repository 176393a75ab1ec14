// How the normaliser tests read a refusal: the InvalidIdentifierError a call throws.
import { expect } from 'vitest';
import { InvalidIdentifierError } from '../../../src/identity/errors.js';

/** The refusal `run` throws; fails the test when it accepts the value. */
export function refusalOf(run: () => unknown): InvalidIdentifierError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidIdentifierError);
    return e as InvalidIdentifierError;
  }
  throw new Error('expected a refusal');
}

/** "IDENTIFIER_TYPE: reason" of the refusal `run` throws. */
export function typedReasonOf(run: () => unknown): string {
  const e = refusalOf(run);
  return `${e.identifierType}: ${e.reason}`;
}
