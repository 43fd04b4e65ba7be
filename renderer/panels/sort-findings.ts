// Finding order and grouping for the findings panel. Sorts are total (ties by time, then id) so the list is
// deterministic; groups keep the chosen order inside and are ordered by their highest risk, then name.
import type { Finding } from '../../engine/detect/types.ts';

export type FindingSort = 'risk' | 'time';
export type FindingGroup = 'none' | 'host' | 'rule';

const byId = (a: Finding, b: Finding): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function sortByRisk(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => b.riskScore - a.riskScore || a.binStartMs - b.binStartMs || byId(a, b));
}

export function sortByTime(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => a.binStartMs - b.binStartMs || b.riskScore - a.riskScore || byId(a, b));
}

export function sortFindings(list: readonly Finding[], by: FindingSort): Finding[] {
  return by === 'time' ? sortByTime(list) : sortByRisk(list);
}

export interface FindingsGroup {
  key: string;
  findings: Finding[];
  maxRisk: number;
  riskSum: number;
}

/** Groups of an already sorted list; 'none' gives one group with an empty key. */
export function groupFindings(sorted: readonly Finding[], by: FindingGroup): FindingsGroup[] {
  if (by === 'none') return [{ key: '', findings: [...sorted], maxRisk: sorted.reduce((m, f) => Math.max(m, f.riskScore), 0), riskSum: sorted.reduce((s, f) => s + f.riskScore, 0) }];
  const groups = new Map<string, FindingsGroup>();
  for (const f of sorted) {
    const key = by === 'host' ? f.host : f.ruleId;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, findings: [], maxRisk: 0, riskSum: 0 }));
    g.findings.push(f);
    g.maxRisk = Math.max(g.maxRisk, f.riskScore);
    g.riskSum += f.riskScore;
  }
  return [...groups.values()].sort((a, b) => b.maxRisk - a.maxRisk || b.riskSum - a.riskSum || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
