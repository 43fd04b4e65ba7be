// Reader fuzzing in CI: every format family's seeds (own fixtures, plus shared captures when present) get
// HOPSCOPE_FUZZ_ITERATIONS mutations (300 by default) with the invariants of test/fuzz/readers.ts.
import { describe, expect, it } from 'vitest';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzReaders } from '../../fuzz/readers.ts';
import { forcedFormatSeeds, ownSeeds, sharedSeeds } from '../../fuzz/seeds.ts';

const N = iterations(300);
const own = ownSeeds();

describe('reader fuzzing: own fixtures', () => {
  for (const seed of own) {
    it(`${seed.name}: ${N} mutations keep the invariants`, () => {
      const res = fuzzReaders(seed, own, N, baseSeed());
      expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
      expect(res.tried).toBe(N);
    }, 120_000);
  }
});

// Larger real captures cost more per input: a fifth of the iterations each, seeded the same way.
const shared = sharedSeeds();
describe.skipIf(shared.length === 0)('reader fuzzing: slices of the shared captures', () => {
  for (const seed of shared) {
    it(`${seed.name}: ${Math.ceil(N / 5)} mutations keep the invariants`, () => {
      const res = fuzzReaders(seed, own, Math.ceil(N / 5), baseSeed());
      expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    }, 120_000);
  }
});

// The user can force any format on any file: every pairing keeps the invariants (a tenth of the iterations).
describe('reader fuzzing: every own seed with every format forced', () => {
  it(`${forcedFormatSeeds().length} pairings × ${Math.ceil(N / 10)} mutations`, () => {
    for (const seed of forcedFormatSeeds()) {
      const res = fuzzReaders(seed, own, Math.ceil(N / 10), baseSeed());
      expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    }
  }, 180_000);
});
