// Rules are hostile input: mutated rule files must never make loading throw, and whatever loads must
// run and explain without throwing. Deterministic pseudo-random mutations, no timing assertions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSigmaRules } from '../../../../engine/rules/sigma/index.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { ev, rule } from './helpers.ts';

const SPECIAL = ['|', ':', '*', '?', '\\', '-', '\n', ' ', '[', ']', '{', '}', '&', '*a', '!', '%', '"', "'", '#', '(', ')', ' not ', ' of ', 'them', '\t', '\u2013', '---\n'];

function mutator(seed: number) {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  return (text: string): string => {
    let t = text;
    const edits = 1 + rnd(4);
    for (let k = 0; k < edits; k++) {
      const at = rnd(t.length + 1);
      switch (rnd(3)) {
        case 0:
          t = t.slice(0, at) + SPECIAL[rnd(SPECIAL.length)] + t.slice(at);
          break;
        case 1:
          t = t.slice(0, at) + t.slice(at + 1 + rnd(8));
          break;
        default:
          t = t.slice(0, at);
      }
    }
    return t;
  };
}

const events = [
  ev({ process: 'cmd.exe /c whoami', process_path: 'C:\\Windows\\System32\\cmd.exe', parent_process_path: 'C:\\Windows\\explorer.exe' }, { Description: 'Windows Command Processor' }, '<Event/>'),
  ev({ process: 'powershell -enc SQBFAFgA', process_path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }),
  ev({}),
];

function exercise(texts: string[]): number {
  let loaded = 0;
  for (const text of texts) {
    let set;
    expect(() => (set = loadSigmaRules([{ path: 'm.yml', text }]))).not.toThrow();
    for (const r of set!.rules) {
      loaded++;
      const src = createMemorySource(events, [1]);
      const res = r.run(src);
      expect(res.error).toBeUndefined();
      for (let row = 0; row < events.length; row++) expect(() => r.explain(src, row)).not.toThrow();
    }
    for (const i of set!.issues) {
      expect(i.message.length).toBeGreaterThan(0);
      // The catch-all in the loader reports E_INTERNAL: reaching it means a bug, not a bad rule.
      expect(i.code, i.message).not.toBe('E_INTERNAL');
    }
  }
  return loaded;
}

const own = rule(`    selection_img:
        - Image|endswith: '\\cmd.exe'
        - OriginalFileName: 'Cmd.Exe'
    selection_cli:
        CommandLine|contains|windash:
            - ' -c '
            - '/c'
        CommandLine|re|i: 'who(am)?i'
    filter_main:
        Description|startswith: 'Legit'
        ProcessId|gt: 5
    keywords:
        - 'SQBFAFgA'
    condition: (all of selection_* and not 1 of filter_*) or keywords`);

describe('hostile rule text', () => {
  it('mutations of a self-written rule never throw', () => {
    const m = mutator(7);
    const loaded = exercise(Array.from({ length: 400 }, () => m(own)));
    // Some mutations leave a valid rule: the loaded path is exercised too.
    expect(loaded).toBeGreaterThan(0);
  });
});

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..', '../shared/data/sigma/rules-process-creation');

describe.skipIf(!existsSync(corpus))('hostile mutations of SigmaHQ rules (shared data)', () => {
  it('never throw', () => {
    const names = readdirSync(corpus).filter((n) => n.endsWith('.yml')).sort();
    const m = mutator(11);
    const texts: string[] = [];
    for (let i = 0; i < names.length; i += 12) {
      const text = readFileSync(join(corpus, names[i]!), 'utf8');
      for (let k = 0; k < 3; k++) texts.push(m(text));
    }
    expect(exercise(texts)).toBeGreaterThan(0);
  });
});
