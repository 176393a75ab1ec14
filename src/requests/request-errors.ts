// Coded errors of the request use cases (the state machine and the rules raise theirs from ./errors.ts).
import { DomainError } from '../domain/errors.js';

export const requestNotFound = (id: string) => new DomainError('REQUEST_NOT_FOUND', `No request ${id}`, { requestId: id });

export const concurrentUpdate = (id: string) =>
  new DomainError('CONCURRENT_UPDATE', 'The request was changed by someone else meanwhile; reload it and try again', { requestId: id });

export const badInput = (message: string, details: Record<string, unknown> = {}) => new DomainError('BAD_USER_INPUT', message, details);

export const outsideScope = () =>
  new DomainError(
    'FORBIDDEN',
    'This request holds records or unsearched sources of controllers outside your scope; a handler who may see the whole request must do this',
  );

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** R11: a completed erasure keeps only its minimal record; the person's identifiers are gone. */
export const identifiersDestroyed = (id: string) =>
  new DomainError('IDENTIFIERS_DESTROYED', 'The identifiers of this request were destroyed when its erasure completed (R11)', { requestId: id });
