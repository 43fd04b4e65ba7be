// Findings order and grouping: risk or time order with deterministic ties; groups by host or rule with counts,
// ordered by their highest risk.
import { describe, expect, it } from 'vitest';
import { groupFindings, sortFindings } from '../../renderer/panels/sort-findings.ts';
import type { Finding } from '../../engine/detect/types.ts';

const f = (id: string, host: string, ruleId: string, t: number, riskScore: number): Finding => ({ id, ruleId, host, binStartMs: t, binEndMs: t + 1000, eventCount: 1, riskScore, message: '', techniques: [], events: [] });
const list = [f('a', 'DC01', 'smbexec', 3000, 63), f('b', 'WKS1', 'psexec', 1000, 35), f('c', 'DC01', 'wmiexec', 2000, 56), f('d', 'SQL2', 'wmiexec', 2000, 56)];

describe('findings order and groups', () => {
  it('sorts by risk (ties by time, id) or by time (ties by risk, id)', () => {
    expect(sortFindings(list, 'risk').map((x) => x.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(sortFindings(list, 'time').map((x) => x.id)).toEqual(['b', 'c', 'd', 'a']);
  });

  it('groups by host or rule, keeping the sort inside and counting each group', () => {
    const byHost = groupFindings(sortFindings(list, 'time'), 'host');
    expect(byHost.map((g) => [g.key, g.findings.map((x) => x.id)])).toEqual([
      ['DC01', ['c', 'a']],
      ['SQL2', ['d']],
      ['WKS1', ['b']],
    ]);
    const byRule = groupFindings(sortFindings(list, 'risk'), 'rule');
    expect(byRule.map((g) => [g.key, g.findings.length, g.riskSum])).toEqual([
      ['smbexec', 1, 63],
      ['wmiexec', 2, 112],
      ['psexec', 1, 35],
    ]);
    expect(groupFindings(list, 'none')).toHaveLength(1);
  });
});
