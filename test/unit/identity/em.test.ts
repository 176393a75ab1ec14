import { describe, expect, it } from 'vitest';
import { emPerBlockingRule, expectationMaximisation, type ComparisonVector } from '../../../src/identity/matching/em.js';
import { seededRandom } from '../../../src/identity/evaluation/messy-generator.js';

describe('unlabelled estimation of m (expectation-maximisation)', () => {
  it('recovers the m probabilities and the share of matches of a known mixture, given u', () => {
    const random = seededRandom(99);
    const m = [
      [0.85, 0.1, 0.05],
      [0.7, 0.3],
      [0.9, 0.05, 0.05],
    ];
    const u = [
      [0.01, 0.09, 0.9],
      [0.05, 0.95],
      [0.001, 0.02, 0.979],
    ];
    const draw = (p: number[]) => {
      let r = random();
      for (let i = 0; i < p.length; i++) {
        if (r < p[i]!) return i;
        r -= p[i]!;
      }
      return p.length - 1;
    };
    const pairs: ComparisonVector[] = [];
    for (let i = 0; i < 20_000; i++) {
      const match = random() < 0.3;
      // Some fields missing on one side: no evidence either way.
      pairs.push((match ? m : u).map((levels) => (random() < 0.1 ? null : draw(levels))));
    }
    const start = m.map((levels) => levels.map(() => 1 / levels.length));
    const em = expectationMaximisation(pairs, u, start);
    expect(em.matchShare).toBeGreaterThan(0.28);
    expect(em.matchShare).toBeLessThan(0.32);
    em.m.forEach((levels, f) => levels.forEach((x, l) => expect(Math.abs(x - m[f]![l]!)).toBeLessThan(0.03)));
  });

  it('per blocking rule: a field a rule blocked on is estimated only by the other rules', () => {
    const random = seededRandom(7);
    const m = [
      [0.85, 0.1, 0.05],
      [0.7, 0.3],
      [0.9, 0.05, 0.05],
    ];
    const u = [
      [0.01, 0.09, 0.9],
      [0.05, 0.95],
      [0.001, 0.02, 0.979],
    ];
    const draw = (p: number[]) => {
      let r = random();
      for (let i = 0; i < p.length; i++) {
        if (r < p[i]!) return i;
        r -= p[i]!;
      }
      return p.length - 1;
    };
    // Each rule's pairs all agree exactly on the field it blocked on, matches or not.
    const session = (blocked: number) => {
      const pairs: ComparisonVector[] = [];
      for (let i = 0; i < 20_000; i++) {
        const match = random() < 0.3;
        pairs.push((match ? m : u).map((levels, f) => (f === blocked ? 0 : draw(levels))));
      }
      return pairs;
    };
    const sessions = [
      { rule: 'A', pairs: session(0), blockedFields: [0] },
      { rule: 'B', pairs: session(1), blockedFields: [1] },
    ];
    const start = m.map((levels) => levels.map(() => 1 / levels.length));
    const out = emPerBlockingRule(sessions, u, start);
    expect(out.estimatedBy).toEqual([['B'], ['A'], ['A', 'B']]);
    out.m.forEach((levels, f) => levels.forEach((x, l) => expect(Math.abs(x - m[f]![l]!), `m[${f}][${l}]`).toBeLessThan(0.03)));
    // One EM over the union is misled by the agreement the rules forced on everyone.
    const union = expectationMaximisation([...sessions[0]!.pairs, ...sessions[1]!.pairs], u, start);
    expect(Math.abs(union.m[0]![0]! - m[0]![0]!)).toBeGreaterThan(0.1);
  });
});
