// Filter-language fuzzing in CI: random and mutated filter strings compile to a located E_USAGE or to a
// predicate that evaluates every row of hostile events; deep nesting is refused, not a stack overflow.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../engine/query/filter.ts';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzFilter } from '../../fuzz/filter.ts';

describe('filter language', () => {
  it('4,000 nested parentheses (inside the API limit of 4,096 characters) or 2,000 NOTs are a located E_USAGE (was RangeError)', () => {
    for (const text of ['('.repeat(4000) + 'x' + ')'.repeat(4000), 'NOT '.repeat(2000) + 'x']) {
      let err: unknown;
      try {
        compileFilter(text);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'E_USAGE', location: { column: expect.any(Number) } });
    }
    // Reasonable nesting still works.
    expect(compileFilter('('.repeat(100) + 'x' + ')'.repeat(100)).matchesAll).toBe(false);
  });

  it(`${iterations(300) * 10} random filters`, () => {
    const res = fuzzFilter(iterations(300) * 10, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeLessThan(res.tried);
  }, 120_000);
});
