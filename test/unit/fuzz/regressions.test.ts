// Regression tests for bugs the fuzzers found: each input is the minimised failing case, checked with the
// invariant that failed (named in the test), so the fix stays in place.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';

describe('fuzz regressions: readers', () => {
  it('CSV: a second "#TYPE" line is the header whatever the chunking (was skipped only when chunked)', () => {
    const text = '#TYPE x\r\n#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\nMessage,Id\r\n"m",1\r\n';
    const outcome = (chunkChars?: number): string => {
      try {
        const r = ingestText(text, { chunkChars });
        return JSON.stringify(r.stats);
      } catch (err) {
        return (err as { code?: string }).code ?? 'crash';
      }
    };
    const whole = outcome();
    expect(whole).toBe('E_FORMAT');
    for (const c of [1, 5, 9, 12, 40]) expect(outcome(c)).toBe(whole);
  });
});
