// Builds field descriptions with the special-category flag derived, never typed by hand (R12).
import type { FieldDescription } from '../contract.js';
import { isSpecialCategory, type DataCategory, type IdentifierType } from '../../src/domain/vocabulary.js';

export function field(
  recordType: string,
  name: string,
  categories: DataCategory[],
  options: { correctable?: boolean; identifierType?: IdentifierType } = {},
): FieldDescription {
  return {
    recordType,
    field: name,
    categories,
    special: categories.some(isSpecialCategory),
    correctable: options.correctable ?? false,
    ...(options.identifierType ? { identifierType: options.identifierType } : {}),
  };
}
