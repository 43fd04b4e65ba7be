// Finding order for the findings panel: highest risk first, then earliest, then id, so it is deterministic.
import type { Finding } from '../../engine/detect/types.ts';

export function sortByRisk(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => b.riskScore - a.riskScore || a.binStartMs - b.binStartMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
