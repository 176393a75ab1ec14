import { describe, expect, it } from 'vitest';
import { WITHHELD, redactSpecialCategories } from '../../../src/auth/redaction.js';
import { Role } from '../../../src/auth/roles.js';
import { DataCategory } from '../../../src/domain/vocabulary.js';
import type { Principal } from '../../../src/auth/principal.js';

const who = (roles: Role[]): Principal => ({ kind: 'api-key', id: 'k', roles, controllerIds: [] });
const categories: Record<string, DataCategory | DataCategory[]> = {
  name: DataCategory.IDENTITY,
  diagnosis: DataCategory.HEALTH,
  religion: [DataCategory.RELIGION, DataCategory.CASE_NOTES],
  notes: DataCategory.CASE_NOTES,
};
const record = { name: 'Jan', diagnosis: 'asthma', religion: 'x', notes: 'called back', extra: 1 };

describe('special categories', () => {
  it('R12: special-category values are absent without SPECIAL_CATEGORY, with a withheld marker', () => {
    const { data, withheld } = redactSpecialCategories(who([Role.HANDLER]), record, (f) => categories[f]);
    expect(data).toEqual({ name: 'Jan', diagnosis: WITHHELD, religion: WITHHELD, notes: 'called back', extra: 1 });
    expect(withheld).toEqual(['diagnosis', 'religion']);
    expect(JSON.stringify(data)).not.toContain('asthma');
  });

  it('R12: special-category values are present with SPECIAL_CATEGORY', () => {
    const { data, withheld } = redactSpecialCategories(who([Role.HANDLER, Role.SPECIAL_CATEGORY]), record, (f) => categories[f]);
    expect(data).toEqual(record);
    expect(withheld).toEqual([]);
  });
});
