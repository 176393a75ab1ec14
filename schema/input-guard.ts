// PostgreSQL text cannot hold the NUL character, and no identifier, reason or name
// needs one: arguments carrying it are refused at the edge with a coded error, before
// any resolver (and any write) runs.
import type { MiddlewareFn } from 'type-graphql';
import { DomainError } from '../src/domain/errors.js';
import type { GraphQLContext } from './context.js';

export const RejectNulCharacters: MiddlewareFn<GraphQLContext> = async ({ args, info }, next) => {
  if (info.parentType.name === 'Query' || info.parentType.name === 'Mutation') {
    const path = findNul(args, '');
    if (path !== null) throw new DomainError('BAD_USER_INPUT', `${path || 'argument'}: the NUL character is not allowed`, { field: path });
  }
  return next();
};

function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value)) {
      const found = findNul(inner, path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return null;
}
