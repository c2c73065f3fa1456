import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradeForScore } from '../../src/modules/scoring/grade.ts';

describe('gradeForScore (seed 002 §3.5.1)', () => {
  it.each([
    [100, 'A'], [90, 'A'], [89, 'B'], [80, 'B'], [79, 'C'], [70, 'C'], [69, 'D'], [60, 'D'],
    [59, null], [0, null],
  ] as const)('%i → %s', (score, grade) => {
    expect(gradeForScore(score)).toBe(grade);
  });

  it('has no grade without a score', () => {
    expect(gradeForScore(null)).toBeNull();
    expect(gradeForScore(undefined)).toBeNull();
    expect(gradeForScore(Number.NaN)).toBeNull();
  });

  it('never ranks a higher score below a lower one', () => {
    const rank = (g: string | null) => (g === null ? 0 : 'DCBA'.indexOf(g) + 1);
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b) =>
      a <= b ? rank(gradeForScore(a)) <= rank(gradeForScore(b)) : rank(gradeForScore(a)) >= rank(gradeForScore(b))));
  });
});
