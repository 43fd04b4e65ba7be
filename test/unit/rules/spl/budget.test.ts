// SPL evaluation has a memory budget and a work-based time budget (issue 16, items 3 and 4): values an expression
// makes are cut to VALUE_MAX_CHARS, one eval stores at most ROW_MAX_CHARS in a row, the rows of a run hold at most
// RUN_MAX_CHARS of computed values, and the clock is read by characters of work, not only every 1,024 rows, so a
// handful of costly rows is stopped on time. Clocks are injected: no wall-clock asserts.
import { describe, expect, it } from 'vitest';
import { detect } from '../../../../engine/detect/run.ts';
import type { CanonicalEvent, CanonicalField } from '../../../../engine/model/fields.ts';
import { loadRulePack } from '../../../../engine/rules/pack.ts';
import { VALUE_MAX_CHARS } from '../../../../engine/rules/spl/eval-expr.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';

let rec = 0;
function ev(fields: Partial<Record<CanonicalField, string>>, timeMs = 1_714_550_400_000): CanonicalEvent {
  rec++;
  return { timeMs: timeMs + rec * 10, fields, original: {}, source: 'sysmon', locator: { evidence: 0, record: rec, line: rec, byteOffset: 0 } };
}

const splFile = (id: string, search: string): { path: string; text: string } => ({
  path: `user/${id}.yml`,
  text: ['id: ' + id, 'title: ' + id, 'language: spl', 'risk_score: 10', 'search: |-', '  ' + search, ''].join('\n'),
});

function rule(id: string, search: string) {
  const set = loadRulePack([splFile(id, search)], []);
  expect(set.issues).toEqual([]);
  return set.rules[0]!;
}

const events = (n: number, len: number): CanonicalEvent[] =>
  Array.from({ length: n }, (_, i) => ev({ dest: `WS${i % 3}`, process: `cmd.exe /c ${i} ` + 'a'.repeat(len), process_name: 'cmd.exe' }));

describe('SPL memory budget', () => {
  it('eval x=x . x chained twelve times keeps every value within the cap and still finds', () => {
    let search = 'process_name="cmd.exe" | eval x=process . process';
    for (let i = 0; i < 12; i++) search += ' | eval x=x . x';
    search += ' | where len(x) > 0 | stats count by dest, x';
    const r = rule('doubling', search);
    const res = r.run(createMemorySource(events(40, 10_000)));
    expect(res.error).toBeUndefined();
    expect(res.rows.length).toBe(40);
    for (const rec of res.rowFields!.values()) expect(rec['x']!.length).toBeLessThanOrEqual(VALUE_MAX_CHARS);
  }, 60_000);

  it('four nested replace() that multiply 100,000-character values return their finding (was: no finding)', () => {
    const x10 = (e: string) => `replace(${e}, "(a)", "\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1")`;
    const r = rule('replace4', `process_name="cmd.exe" | eval x=${x10(x10(x10(x10('process'))))} | where len(x) > 0 | table dest, x`);
    const res = r.run(createMemorySource(events(4, 100_000)));
    expect(res.error).toBeUndefined();
    expect(res.rows.length).toBe(4);
    for (const rec of res.rowFields!.values()) expect(rec['x']!.length).toBeLessThanOrEqual(VALUE_MAX_CHARS);
  }, 60_000);

  it('values stored across the rows of one run are counted: past the budget the rule stops with E_RULE_BUDGET', () => {
    // 1,100 rows x 4 fields x 64 Ki characters = 281 Mi characters > RUN_MAX_CHARS (256 Mi).
    const r = rule('hoard', 'process_name="cmd.exe" | eval a=process . process, b=a . "b", c=a . "c", d=a . "d"');
    const res = r.run(createMemorySource(events(1100, 32 * 1024)));
    expect(res.error?.code).toBe('E_RULE_BUDGET');
    expect(res.error?.message).toMatch(/memory budget/);
  }, 60_000);

  it('multivalue by-fields that fan out past 10,000 groups for one row stop the rule with E_RULE_BUDGET', () => {
    const r = rule('fanout', 'process_name="cmd.exe" | eval a=split(process, ""), b=split(process, "") | stats count by a, b');
    const res = r.run(createMemorySource(events(1, 2_000)));
    expect(res.error?.code).toBe('E_RULE_BUDGET');
  });

  it('ordinary replace() keeps its meaning (groups, $ literal, no match, case-insensitive)', () => {
    const r = rule('plain', 'process_name="cmd.exe" | eval x=replace(process, "^(cmd)\\.exe (/c)", "\\2 $ \\1"), y=replace(process, "(?i)ZZZ", "q"), z=replace(dest, "(?i)ws", "host-") | table x, y, z');
    const res = r.run(createMemorySource([ev({ dest: 'WS7', process: 'cmd.exe /c dir', process_name: 'cmd.exe' })]));
    expect(res.error).toBeUndefined();
    expect([...res.rowFields!.values()][0]).toMatchObject({ x: '/c $ cmd dir', y: 'cmd.exe /c dir', z: 'host-7' });
  });
});

describe('SPL work budget', () => {
  it('a few costly rows read the clock by work: three nested replace() over 100,000-character values stop on budget', () => {
    const r = rule('costly', 'process_name="cmd.exe" | eval x=replace(replace(replace(process, "a", "bb"), "b", "cc"), "c", "dd") | where len(x) > 0');
    let t = 0;
    let reads = 0;
    // Each reading of the clock is 1 s later; the budget is 10 s, and 20 rows are far fewer than 1,024.
    const now = (): number => (reads++, (t += 1000));
    const res = detect(createMemorySource(events(20, 100_000)), [r], { budgetMs: 10_000, now, links: false });
    expect(res.ruleErrors.map((e) => [e.ruleId, e.error.code])).toEqual([['costly', 'E_RULE_BUDGET']]);
    expect(reads).toBeGreaterThan(10);
  }, 60_000);

  it('the leading search charges the event text it scans', () => {
    const r = rule('text', '"*needle*" | stats count by dest');
    let t = 0;
    const now = (): number => (t += 1000);
    const res = detect(createMemorySource(events(400, 20_000)), [r], { budgetMs: 5_000, now, links: false });
    expect(res.ruleErrors.map((e) => e.error.code)).toEqual(['E_RULE_BUDGET']);
  }, 60_000);
});
