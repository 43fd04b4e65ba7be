// Lane order for the timeline: by host risk (default: riskiest first), by name, or by first activity; ties
// fall back to the name so the order is deterministic and the lanes on screen can be requested by name.
import type { HostRisk } from '../../engine/detect/types.ts';

export interface LaneInfo {
  host: string;
  riskScore: number;
  /** First event of the host (UTC ms), when the host risk list knows it. */
  firstMs?: number;
}

export type LaneSort = 'risk' | 'name' | 'first';

export const LANE_SORTS: ReadonlyArray<{ value: LaneSort; label: string }> = [
  { value: 'risk', label: 'Host risk' },
  { value: 'name', label: 'Name' },
  { value: 'first', label: 'First activity' },
];

const byName = (a: LaneInfo, b: LaneInfo): number => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);

export function laneOrder(hosts: readonly string[], risks: readonly HostRisk[] = []): LaneInfo[] {
  const info = new Map<string, LaneInfo>();
  for (const h of hosts) info.set(h, { host: h, riskScore: 0 });
  for (const r of risks) info.set(r.host, { host: r.host, riskScore: r.riskScore, ...(Number.isFinite(r.firstMs) && r.events > 0 ? { firstMs: r.firstMs } : {}) });
  return sortLanes([...info.values()], 'risk');
}

/** A sorted copy; hosts without a known first event go last under 'first'. */
export function sortLanes(lanes: readonly LaneInfo[], by: LaneSort): LaneInfo[] {
  const out = [...lanes];
  if (by === 'name') return out.sort(byName);
  if (by === 'first') return out.sort((a, b) => (a.firstMs ?? Infinity) - (b.firstMs ?? Infinity) || byName(a, b));
  return out.sort((a, b) => b.riskScore - a.riskScore || byName(a, b));
}
