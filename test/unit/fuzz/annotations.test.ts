// Annotation-change fuzzing in CI: changes from the renderer never throw anything but a HopscopeError.
import { describe, expect, it } from 'vitest';
import { applyChanges, emptyDoc } from '../../../engine/case/annotations.ts';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { fuzzAnnotations } from '../../fuzz/annotations.ts';

describe('annotation changes', () => {
  it('a change without a target, or with a BigInt op (structured clone carries them), is an E_CASE refusal (were TypeErrors)', () => {
    for (const change of [{ op: 'clear', atIso: '2024-05-02T10:00:00Z' }, { op: 'clear', target: null, atIso: '2024-05-02T10:00:00Z' }, { op: 1n, target: { kind: 'finding', id: 'f' }, atIso: '2024-05-02T10:00:00Z' }]) {
      expect(() => applyChanges(emptyDoc(), [change as never])).toThrow(expect.objectContaining({ code: 'E_CASE' }));
    }
  });

  it(`${iterations(300) * 10} random change lists`, () => {
    const res = fuzzAnnotations(iterations(300) * 10, baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.refused).toBeLessThan(res.tried);
  }, 120_000);
});
