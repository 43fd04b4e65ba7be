import { describe, expect, it } from 'vitest';
import { explainFinding, whyNot } from '../../../engine/detect/explain.ts';
import { detect } from '../../../engine/detect/run.ts';
import type { CompiledRule } from '../../../engine/rules/types.ts';
import { createMemorySource } from '../../../engine/store/memory-view.ts';
import { ev, fakeRule, meta } from './fixtures.ts';

const events = [
  ev('2024-05-01T08:00:00Z', { dest: 'H', process: 'psexec -accepteula' }),
  ev('2024-05-01T08:00:00.5Z', { dest: 'H', process: 'psexec -accepteula -s' }),
  ev('2024-05-01T08:00:03Z', { dest: 'H', process: 'notepad.exe' }),
];
const rule = fakeRule(meta('psexec'), (get) => (get('process') ?? '').includes('accepteula'));

describe('explain', () => {
  it('returns the rule steps for each event of a finding', () => {
    const source = createMemorySource(events);
    const [finding] = detect(source, [rule], { links: false }).findings;
    const ex = explainFinding(source, rule, finding!);
    expect(ex.map((e) => [e.row, e.matched, e.steps[0]!.fields['process']])).toEqual([
      [0, true, 'psexec -accepteula'],
      [1, true, 'psexec -accepteula -s'],
    ]);
    expect(explainFinding(source, rule, finding!, 1)).toHaveLength(1);
  });

  it('explains a non-matching row, out-of-range rows and failing explainers', () => {
    const source = createMemorySource(events);
    expect(whyNot(source, rule, 2)).toMatchObject({ row: 2, matched: false, timeMs: Date.parse('2024-05-01T08:00:03Z') });
    expect(whyNot(source, rule, 9).error?.code).toBe('E_USAGE');
    const broken: CompiledRule = { ...rule, explain: () => { throw new Error('boom'); } };
    expect(whyNot(source, broken, 0)).toMatchObject({ matched: false, error: { code: 'E_INTERNAL', message: 'boom' } });
  });
});
