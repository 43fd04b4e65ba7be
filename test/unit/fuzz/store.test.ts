// Store fuzzing in CI: records the readers make of mutated exports, stored by the columnar SegmentBuilder as the
// app does, read back equal to the reference memory view (every column, time, and kept raw text).
import { describe, expect, it } from 'vitest';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzStore } from '../../fuzz/store.ts';
import { ownSeeds, sharedSeeds } from '../../fuzz/seeds.ts';

const N = Math.ceil(iterations(300) / 3);
const own = ownSeeds();
const shared = sharedSeeds(8000);

describe('store parity on fuzzed records', () => {
  for (const seed of [...own, ...shared]) {
    const n = seed.name.startsWith('shared:') ? Math.ceil(N / 5) : N;
    it(`${seed.name}: ${n} inputs`, () => {
      const res = fuzzStore(seed, own, n, baseSeed());
      expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
      expect(res.tried).toBe(n);
    }, 120_000);
  }
});
