// Malformed SPL never crashes the loader: random token soups either compile (and run) or fail with a
// located HopscopeError, never a TypeError or an unlocated error.

import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../../engine/model/errors.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { compileSpl } from '../../../../engine/rules/spl/compile.ts';
import { parseMacrosConf } from '../../../../engine/rules/spl/macros.ts';
import { macroFiles, sysmon1 } from './fixtures.ts';

const MACROS = parseMacrosConf(macroFiles()[0]!.text, 'macros.conf');
const VOCAB = [
  '|', '(', ')', ',', '=', '!=', '<', '>=', '"', '"x"', '"a\\"b"', '*', 'NOT', 'OR', 'AND', 'IN', 'TERM(', 'by', 'as',
  'where', 'search', 'eval', 'stats', 'tstats', 'table', 'rename', 'bin', 'span=1s', 'convert', 'ctime(', 'regex',
  'fields', 'sort', 'fillnull', 'from', 'datamodel=Endpoint.Processes', 'count', 'values(*)', 'min(_time)', 'match(',
  'process', 'Processes.process', 'dest', '_time', 'cmd.exe', '"(?i)cmd"', '"(?>x)"', '`process_psexec`',
  '`drop_dm_object_name(Processes)`', '`nope`', '`', 'if(', 'case(', '1', '-', '+', '.', "'dest'", '\n',
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SPL parser robustness', () => {
  it('compiles or refuses with a located error, for 3000 random token soups', () => {
    const r = rng(42);
    const source = createMemorySource([
      sysmon1({ time: '2024-01-01T00:00:00Z', host: 'H', image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c x', parentImage: 'C:\\Windows\\explorer.exe' }),
    ]);
    let compiled = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(r() * 12);
      let text = '';
      for (let k = 0; k < n; k++) text += VOCAB[Math.floor(r() * VOCAB.length)]! + (r() < 0.7 ? ' ' : '');
      try {
        const p = compileSpl({ text, macros: MACROS, file: 'fuzz.spl' });
        const res = p.run(source);
        if (res.error) expect(res.error.code).not.toBe('E_INTERNAL');
        compiled++;
      } catch (err) {
        if (!(err instanceof HopscopeError)) throw new Error(`crash on ${JSON.stringify(text)}: ${String(err)}`);
        expect(err.location?.file, text).toBeDefined();
        expect(err.location?.line, text).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(compiled).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('refuses hostile nesting with a located error instead of exhausting the stack', () => {
    const chain = '* | where ' + Array.from({ length: 50_000 }, (_, i) => `dest="h${i}"`).join(' OR ');
    const c = (() => {
      try {
        compileSpl({ text: chain, macros: MACROS, file: 'deep.spl' });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect((c as HopscopeError).message).toMatch(/operators in one chain/);
    // A long but sane chain still works.
    const ok = compileSpl({ text: '* | where ' + Array.from({ length: 500 }, (_, i) => `dest="h${i}"`).join(' OR '), macros: MACROS });
    expect(ok.eventStages).toHaveLength(2); // search: * and the where
    for (const text of ['('.repeat(100_000) + 'x', '* | where ' + '('.repeat(100_000) + '1', '* | where ' + 'NOT '.repeat(50_000) + 'x', 'NOT '.repeat(50_000) + 'x']) {
      let caught: unknown;
      try {
        compileSpl({ text, macros: MACROS, file: 'deep.spl' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HopscopeError);
      expect((caught as HopscopeError).message).toMatch(/nests deeper/);
      expect((caught as HopscopeError).location?.file).toBe('deep.spl');
    }
  });
});
