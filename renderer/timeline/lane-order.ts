// Lane order for the timeline: riskiest hosts first, then by name (the host's own order), so the lanes on
// screen can be requested by name when there are too many hosts to fetch at once.
import type { HostRisk } from '../../engine/detect/types.ts';

export interface LaneInfo {
  host: string;
  riskScore: number;
}

export function laneOrder(hosts: readonly string[], risks: readonly HostRisk[] = []): LaneInfo[] {
  const risk = new Map<string, number>();
  for (const h of hosts) risk.set(h, 0);
  for (const r of risks) risk.set(r.host, r.riskScore);
  return [...risk]
    .map(([host, riskScore]) => ({ host, riskScore }))
    .sort((a, b) => b.riskScore - a.riskScore || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}
