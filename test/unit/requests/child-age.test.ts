import { describe, expect, it } from 'vitest';
import { childAgeFor, parseChildAges } from '../../../src/requests/child-age.js';
import { requestVariables } from '../../../src/requests/services/request-settings.js';

describe('R16: the child age limit per jurisdiction', () => {
  const policy = { defaultAge: 18, byJurisdiction: parseChildAges('US=13, gb-sct = 16') };

  it('R16: 18 unless the jurisdiction sets another; a region falls back to its country', () => {
    expect(childAgeFor('FR', policy)).toEqual({ age: 18 });
    expect(childAgeFor('us', policy)).toEqual({ age: 13, setBy: 'US' });
    expect(childAgeFor('US-NY', policy)).toEqual({ age: 13, setBy: 'US' });
    expect(childAgeFor('GB-SCT', policy)).toEqual({ age: 16, setBy: 'GB-SCT' });
    expect(childAgeFor('GB', policy)).toEqual({ age: 18 });
  });

  it('R16: a malformed table or an unknown jurisdiction fails at start, naming the entry', () => {
    expect(() => parseChildAges('US:13')).toThrow('"US:13"');
    expect(() => parseChildAges('US=0')).toThrow('"US=0"');
    expect(() => parseChildAges('US=30')).toThrow('"US=30"');
    const parsed = requestVariables.safeParse({ DSR_CHILD_AGE_BY_JURISDICTION: 'XX=13' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('XX');
    const ok = requestVariables.parse({ DSR_CHILD_AGE: '16', DSR_CHILD_AGE_BY_JURISDICTION: 'US=13' });
    expect(ok.DSR_CHILD_AGE).toBe(16);
    expect(ok.DSR_CHILD_AGE_BY_JURISDICTION).toEqual({ US: 13 });
  });
});
