// EVTX reader fuzzing in CI (test/fuzz/evtx.ts): mutated .evtx files never crash the reader, counts add up, every
// rejection is located, and each chunk slot read on its own gives the records the whole file gives.
import { describe, expect, it } from 'vitest';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzEvtx } from '../../fuzz/evtx.ts';

describe('EVTX reader on fuzzed files', () => {
  const n = iterations(300);
  it(`${n} mutated .evtx files`, () => {
    const res = fuzzEvtx(n, baseSeed());
    expect(res.failures, JSON.stringify(res.failures.slice(0, 5), null, 1)).toEqual([]);
    expect(res.tried).toBe(n);
    // Most inputs keep their file header and are read, not refused.
    expect(res.refused).toBeLessThan(n / 2);
  }, 300_000);
});
