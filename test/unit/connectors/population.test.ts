import { describe, expect, it } from 'vitest';
import { personAt, householdMembers } from '../../../src/population/person.js';
import { appearanceOf } from '../../../src/population/appearance.js';
import { seededRandom } from '../../../src/population/random.js';
import { phoneFormat, typo } from '../../../src/population/variation.js';

describe('population people', () => {
  it('person i is a pure function of (seed, i)', () => {
    expect(personAt(42, 17)).toEqual(personAt(42, 17));
    expect(personAt(42, 17)).not.toEqual(personAt(43, 17));
  });

  it('nobody is born after the reference year (a date of birth in the future is refused by discovery)', () => {
    const born = Array.from({ length: 5000 }, (_, i) => personAt(42, i).dateOfBirth);
    expect(born.filter((d) => d > '2025-12-31')).toEqual([]);
    expect(born.some((d) => d.startsWith('2025-'))).toBe(true);
  });

  it('household members share the family address', () => {
    let shared = 0;
    for (let i = 0; i < 60; i++) {
      const p = personAt(1, i);
      for (const m of householdMembers(1, p, 60)) {
        expect(m.address).toEqual(p.address);
        shared++;
      }
    }
    expect(shared).toBeGreaterThan(10);
  });

  it('appearances vary: over many draws some names, emails and phones differ from the truth', () => {
    const p = personAt(5, 4);
    const rng = seededRandom('t');
    const draws = Array.from({ length: 400 }, () => appearanceOf(rng, p));
    expect(draws.some((d) => d.familyName !== p.familyName)).toBe(true);
    expect(draws.some((d) => d.email === null)).toBe(true);
    expect(draws.some((d) => d.phone !== null && d.phone !== p.phone)).toBe(true);
    expect(draws.filter((d) => d.givenName === p.givenName && d.familyName === p.familyName).length).toBeGreaterThan(200);
  });

  it('phone formats keep the same digits; typos change one letter position at most by one edit', () => {
    const rng = seededRandom('p');
    for (let i = 0; i < 50; i++) {
      const f = phoneFormat(rng, '+447700900123');
      expect(f.replace(/\D/g, '').replace(/^44/, '0').replace(/^0?/, '0')).toBe('07700900123');
      const t = typo(rng, 'Henderson');
      expect(Math.abs(t.length - 'Henderson'.length)).toBeLessThanOrEqual(1);
    }
  });
});
