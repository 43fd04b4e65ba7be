// Filter-language fuzz target: random and mutated search strings from the UI's filter box. Oracle: compiling
// throws only a located E_USAGE; a compiled filter evaluates every row of a view of hostile events.

import type { CanonicalEvent } from '../../engine/model/fields.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { compileFilter } from '../../engine/query/filter.ts';
import { createMemoryView } from '../../engine/store/memory-view.ts';
import { BOUNDARY, inputSeed, mutateText, Rand } from './lib.ts';
import type { TargetResult } from './readers.ts';

const TOKENS = [
  'cmd.exe', '"a phrase"', '"unterminated', '/who(am)?i/i', '/(a+)+$/', '/[/', '/x/zz', 'dest:WS1', 'dest=WS*', 'process!=*a?b*', 'user:""',
  'process_name:*', 'time>=2024-05-01T00:00:00Z', '_time<1714550400000', 'time=garbage', 'time>', 'NOT', 'AND', 'OR', '(', ')', '((', '))',
  '@timestamp:x', '__proto__:x', 'constructor=1', 'C:\\Windows\\', '08:00:17', ':', '=', '!=', '*', '?', '\\', '"', '/', ' ', '\t', '\u0000', '\uD800',
];

let rec = 0;
function ev(fields: CanonicalEvent['fields'], raw?: string): CanonicalEvent {
  rec++;
  const e: CanonicalEvent = { timeMs: 1_714_550_400_000 + rec * 1000, fields, original: { CommandLine: fields.process ?? '' }, source: 'sysmon', locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 } };
  if (raw !== undefined) e.raw = raw;
  return e;
}

const VIEW = createMemoryView([
  ev({ dest: 'WS1', process: 'cmd.exe /c whoami', process_name: 'cmd.exe', user: 'CORP\\a' }, '<Event>cmd</Event>'),
  ev({ dest: 'ws2', process: 'a'.repeat(50_000) + '!' }),
  ev({ process: '\uD800\u0000' + '*?'.repeat(100) }),
  ev({}),
]);

function randomFilter(r: Rand): string {
  if (r.chance(0.3)) return mutateText(r.pick(TOKENS) + ' ' + r.pick(TOKENS) + ' ' + r.pick(TOKENS), r);
  const parts: string[] = [];
  for (let i = 0, n = 1 + r.int(8); i < n; i++) parts.push(r.chance(0.85) ? r.pick(TOKENS) : r.pick(BOUNDARY).slice(0, 300));
  if (r.chance(0.05)) parts.push('('.repeat(300 + r.int(3000)), 'x');
  if (r.chance(0.05)) parts.push('NOT '.repeat(300 + r.int(1700)), 'x');
  return parts.join(r.chance(0.7) ? ' ' : '').slice(0, 8192);
}

export function fuzzFilter(n: number, base: number): TargetResult {
  const target = 'query:filter';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const text = randomFilter(new Rand(s));
    res.tried++;
    let problem: string | null = null;
    try {
      const f = compileFilter(text);
      const test = f.forView(VIEW);
      for (let row = 0; row < VIEW.rowCount; row++) test(row);
    } catch (err) {
      if (!(err instanceof HopscopeError)) problem = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      else if (err.code !== 'E_USAGE' || err.location?.column === undefined) problem = `refusal ${err.code} without a column: ${err.message}`;
      else res.refused++;
    }
    if (problem) res.failures.push({ target, seed: s, message: `${problem}; filter ${JSON.stringify(text.slice(0, 200))}` });
  }
  return res;
}
