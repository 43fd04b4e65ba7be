import { describe, expect, it } from 'vitest';
import { detect, renderMessage, UNKNOWN_HOST } from '../../../engine/detect/run.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';
import type { CompiledRule } from '../../../engine/rules/types.ts';
import { createMemorySource } from '../../../engine/store/memory-view.ts';
import { ev, fakeRule, meta } from './fixtures.ts';

const PSEXEC_MSG =
  'An instance of $parent_process_name$ spawning $process_name$ was identified on endpoint $dest$ by user $user$ running the utility for possibly the first time.';

const events = [
  ev('2024-05-01T08:00:00.100Z', { dest: 'WS1', user: 'alice', process_name: 'psexec.exe', parent_process_name: 'cmd.exe', process: 'psexec -accepteula \\\\WS2 cmd' }),
  ev('2024-05-01T08:00:00.900Z', { dest: 'WS1', user: 'bob', process_name: 'psexec.exe', parent_process_name: 'cmd.exe', process: 'psexec -accepteula \\\\WS2 whoami' }),
  ev('2024-05-01T08:00:01.000Z', { dest: 'WS1', process_name: 'psexec.exe', parent_process_name: 'explorer.exe', process: 'psexec -accepteula' }),
  ev('2024-05-01T08:00:00.500Z', { dest: 'WS2', user: 'carol', process_name: 'psexec64.exe', parent_process_name: 'cmd.exe', process: 'psexec64 -accepteula' }),
  ev('2024-05-01T08:00:00.200Z', { process_name: 'psexec.exe', process: 'psexec -accepteula' }),
  ev('2024-05-01T08:05:00.000Z', { dest: 'WS3', process_name: 'notepad.exe', process: 'notepad.exe' }),
];

const psexec = fakeRule(meta('psexec-accepteula', { riskScore: 35, messageTemplate: PSEXEC_MSG }), (get) =>
  (get('process') ?? '').toLowerCase().includes('accepteula'),
);
const cmdParent = fakeRule(meta('cmd-parent', { riskScore: 20, techniques: ['T1059.003'] }), (get) => get('parent_process_name') === 'cmd.exe');

describe('detect: findings per rule x host x bin', () => {
  it('groups matching rows by host and 1 s UTC bin, sorted by bin, host, rule', () => {
    const res = detect(createMemorySource(events), [psexec, cmdParent], { links: false });
    expect(res.ruleErrors).toEqual([]);
    expect(res.findings.map((f) => [f.binStartMs, f.host, f.ruleId, f.eventCount])).toEqual([
      [Date.parse('2024-05-01T08:00:00Z'), UNKNOWN_HOST, 'psexec-accepteula', 1],
      [Date.parse('2024-05-01T08:00:00Z'), 'WS1', 'cmd-parent', 2],
      [Date.parse('2024-05-01T08:00:00Z'), 'WS1', 'psexec-accepteula', 2],
      [Date.parse('2024-05-01T08:00:00Z'), 'WS2', 'cmd-parent', 1],
      [Date.parse('2024-05-01T08:00:00Z'), 'WS2', 'psexec-accepteula', 1],
      [Date.parse('2024-05-01T08:00:01Z'), 'WS1', 'psexec-accepteula', 1],
    ]);
    const f = res.findings[2]!;
    expect(f.id).toBe(`psexec-accepteula|WS1|${Date.parse('2024-05-01T08:00:00Z')}`);
    expect(f.binEndMs - f.binStartMs).toBe(1000);
    expect(f.riskScore).toBe(35);
    expect(f.techniques).toEqual(['T1021.002']);
    expect(f.events.map((e) => [e.row, e.timeMs])).toEqual([
      [0, Date.parse('2024-05-01T08:00:00.100Z')],
      [1, Date.parse('2024-05-01T08:00:00.900Z')],
    ]);
  });

  it('honours a wider bin span', () => {
    const res = detect(createMemorySource(events), [psexec], { binSpanSec: 60, links: false });
    const ws1 = res.findings.filter((f) => f.host === 'WS1');
    expect(ws1).toHaveLength(1);
    expect(ws1[0]!.eventCount).toBe(3);
    expect(ws1[0]!.binEndMs - ws1[0]!.binStartMs).toBe(60_000);
  });

  it('refuses a non-positive bin span', () => {
    expect(() => detect(createMemorySource(events), [psexec], { binSpanSec: 0 })).toThrow(HopscopeError);
    expect(() => detect(createMemorySource(events), [psexec], { binSpanSec: Number.NaN })).toThrow(/binSpanSec/);
  });

  it('renders risk messages with distinct sorted values and [field unknown] for gaps', () => {
    const res = detect(createMemorySource(events), [psexec], { links: false });
    const byHost = new Map(res.findings.filter((f) => f.binStartMs === Date.parse('2024-05-01T08:00:00Z')).map((f) => [f.host, f.message]));
    expect(byHost.get('WS1')).toBe(
      'An instance of cmd.exe spawning psexec.exe was identified on endpoint WS1 by user alice, bob running the utility for possibly the first time.',
    );
    expect(byHost.get(UNKNOWN_HOST)).toBe(
      'An instance of [parent_process_name unknown] spawning psexec.exe was identified on endpoint [dest unknown] by user [user unknown] running the utility for possibly the first time.',
    );
  });

  it('prefers the rule output rowFields over stored fields for messages', () => {
    const rule = fakeRule(meta('r', { messageTemplate: 'user=$user$ count=$count$' }), (get) => get('dest') === 'WS2', {
      rowFields: () => ({ user: 'CORP\\carol', count: '7' }),
    });
    const res = detect(createMemorySource(events), [rule], { links: false });
    expect(res.findings.map((f) => f.message)).toEqual(['user=CORP\\carol count=7']);
  });

  it('splits newline-separated multi-values from rule output, but not stored values', () => {
    const multi = [ev('2024-05-01T08:00:00Z', { dest: 'H', process: 'powershell -c "a\nb"' })];
    const rule = fakeRule(meta('m', { messageTemplate: '$user$ | $process$' }), () => true, { rowFields: () => ({ user: 'zed\nanna\nzed' }) });
    const res = detect(createMemorySource(multi), [rule], { links: false });
    expect(res.findings[0]!.message).toBe('anna, zed | powershell -c "a\nb"');
  });

  it('falls back to the title when a rule has no message template', () => {
    const res = detect(createMemorySource(events), [cmdParent], { links: false });
    expect(res.findings[0]!.message).toBe('Rule cmd-parent');
  });

  it('is deterministic and independent of segment boundaries', () => {
    const a = detect(createMemorySource(events), [cmdParent, psexec], { links: false });
    const b = detect(createMemorySource(events, [1, 2, 2]), [psexec, cmdParent], { links: false });
    const c = detect(createMemorySource(events, undefined, { dictionary: false }), [psexec, cmdParent], { links: false });
    expect(JSON.stringify(b.findings)).toBe(JSON.stringify(a.findings));
    expect(JSON.stringify(c.findings)).toBe(JSON.stringify(a.findings));
    expect(JSON.stringify(c.hosts)).toBe(JSON.stringify(a.hosts));
  });

  it('uses the locate callback, then _evidence/_record columns, for event references', () => {
    const located = detect(createMemorySource(events), [cmdParent], { links: false, locate: (row) => ({ evidence: 2, record: 100 + row }) });
    expect(located.findings[0]!.events.map((e) => [e.evidence, e.record])).toEqual([
      [2, 100],
      [2, 101],
    ]);
    const withCols = [ev('2024-05-01T08:00:00Z', { dest: 'H', parent_process_name: 'cmd.exe' }, { _evidence: '3', _record: '42' })];
    const cols = detect(createMemorySource(withCols), [cmdParent], { links: false });
    expect(cols.findings[0]!.events[0]).toMatchObject({ evidence: 3, record: 42 });
    const plain = detect(createMemorySource(events), [cmdParent], { links: false });
    expect(plain.findings[0]!.events.map((e) => [e.evidence, e.record])).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });
});

describe('detect: rule failures and cancellation', () => {
  const failing: CompiledRule = {
    meta: meta('returns-error'),
    run: () => ({ ruleId: 'returns-error', rows: new Uint32Array([0]), elapsedMs: 3, error: { code: 'E_RULE_BUDGET', message: 'budget exceeded' } }),
    explain: () => ({ matched: false, steps: [] }),
  };
  const throwing: CompiledRule = {
    meta: meta('throws'),
    run: () => {
      throw new HopscopeError('E_RULE_REGEX', 'bad regex', { line: 3 });
    },
    explain: () => ({ matched: false, steps: [] }),
  };
  const unordered: CompiledRule = {
    meta: meta('unordered'),
    run: () => ({ ruleId: 'unordered', rows: new Uint32Array([2, 1]), elapsedMs: 0 }),
    explain: () => ({ matched: false, steps: [] }),
  };

  it('reports erroring rules and keeps running the others', () => {
    const progress: string[] = [];
    const res = detect(createMemorySource(events), [failing, throwing, psexec, unordered], {
      links: false,
      onRule: (id, done, total) => progress.push(`${id}:${done}/${total}`),
    });
    expect(res.ruleErrors.map((e) => [e.ruleId, e.error.code])).toEqual([
      ['returns-error', 'E_RULE_BUDGET'],
      ['throws', 'E_RULE_REGEX'],
      ['unordered', 'E_INTERNAL'],
    ]);
    expect(new Set(res.findings.map((f) => f.ruleId))).toEqual(new Set(['psexec-accepteula']));
    expect(res.ruleStats.map((s) => [s.ruleId, s.matches])).toEqual([
      ['returns-error', 0],
      ['throws', 0],
      ['psexec-accepteula', 5],
      ['unordered', 2],
    ]);
    expect(progress).toEqual(['returns-error:1/4', 'throws:2/4', 'psexec-accepteula:3/4', 'unordered:4/4']);
  });

  it('skips a second rule with the same id', () => {
    const res = detect(createMemorySource(events), [psexec, psexec], { links: false });
    expect(res.ruleErrors).toHaveLength(1);
    expect(res.ruleErrors[0]!.error.code).toBe('E_USAGE');
    expect(res.findings).toHaveLength(4);
  });

  it('aborts with E_CANCELLED when cancelled', () => {
    let calls = 0;
    const run = () => detect(createMemorySource(events), [psexec, cmdParent], { isCancelled: () => ++calls > 1 });
    expect(run).toThrow(expect.objectContaining({ code: 'E_CANCELLED' }));
    const cancelledByRule: CompiledRule = {
      meta: meta('c'),
      run: () => ({ ruleId: 'c', rows: new Uint32Array(), elapsedMs: 0, error: { code: 'E_CANCELLED', message: 'stop' } }),
      explain: () => ({ matched: false, steps: [] }),
    };
    expect(() => detect(createMemorySource(events), [cancelledByRule])).toThrow(expect.objectContaining({ code: 'E_CANCELLED' }));
  });
});

describe('detect: host risk', () => {
  it('sums finding risk per host, counts every event, ranks top rules', () => {
    const res = detect(createMemorySource(events), [psexec, cmdParent], { links: false });
    expect(res.hosts.map((h) => [h.host, h.riskScore, h.findings, h.events])).toEqual([
      ['WS1', 35 * 2 + 20, 3, 3],
      ['WS2', 55, 2, 1],
      [UNKNOWN_HOST, 35, 1, 1],
      ['WS3', 0, 0, 1],
    ]);
    // WS2's one event is hit by both rules: the RBA sum counts it twice, the distinct score once (the higher risk).
    expect(res.hosts.find((h) => h.host === 'WS2')!.riskDistinct).toBe(35);
    expect(res.hosts.find((h) => h.host === 'WS3')!.riskDistinct).toBe(0);
    const ws1 = res.hosts[0]!;
    expect(ws1.riskDistinct).toBeLessThanOrEqual(ws1.riskScore);
    expect(ws1.topRules).toEqual([
      { ruleId: 'psexec-accepteula', findings: 2, riskScore: 70 },
      { ruleId: 'cmd-parent', findings: 1, riskScore: 20 },
    ]);
    expect(ws1.firstMs).toBe(Date.parse('2024-05-01T08:00:00.100Z'));
    expect(ws1.lastMs).toBe(Date.parse('2024-05-01T08:00:01.000Z'));
  });
});

describe('renderMessage', () => {
  it('caps long value lists', () => {
    const many = Array.from({ length: 12 }, (_, i) => ev('2024-05-01T08:00:00Z', { dest: 'H', user: `u${String(i).padStart(2, '0')}` }));
    const src = createMemorySource(many);
    const msg = renderMessage('$user$', src, many.map((_, i) => i));
    expect(msg).toBe('u00, u01, u02, u03, u04, u05, u06, u07, u08, u09 (+2 more)');
  });
  it('leaves text without placeholders and lone dollars alone', () => {
    const src = createMemorySource(events);
    expect(renderMessage('cost $5 on $dest$ $', src, [0])).toBe('cost $5 on WS1 $');
  });
});
