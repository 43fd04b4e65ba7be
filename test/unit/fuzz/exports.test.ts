// Export fuzzing in CI: reports full of hostile log text render in every format; HTML never carries data as
// markup or invisible/bidi characters, no CSV cell starts a formula, JSON and NDJSON parse back.
import { describe, expect, it } from 'vitest';
import { baseSeed, iterations } from '../../fuzz/lib.ts';
import { exportProblems, fuzzExports } from '../../fuzz/exports.ts';

describe('exports of hostile reports', () => {
  it('an injected tag as the report title is escaped in every format', () => {
    expect(exportProblems({
      tool: { name: 'Hopscope', version: '0' }, evidence: [], rules: [], findings: [], hosts: [], generatedAtMs: 0, title: '<x-hopscope-injected>',
    })).toEqual([]);
  });

  it(`${iterations(300)} random reports`, () => {
    const res = fuzzExports(iterations(300), baseSeed());
    expect(res.failures, JSON.stringify(res.failures, null, 1)).toEqual([]);
    expect(res.tried).toBe(iterations(300));
  }, 120_000);
});
