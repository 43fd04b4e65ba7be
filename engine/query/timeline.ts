// Timeline aggregation for the UI: per-host lanes of event counts, finding counts and max risk per bucket.
// Invariant: cost is proportional to the rows inside the requested range (binary search of the time
// order, or of each requested host's time-sorted rows), never to the whole store.

import type { Finding } from '../detect/types.ts';
import type { TimelineLane, TimelineRequest, TimelineResponse } from '../rpc/api.ts';
import type { EventStore } from '../store/store.ts';
import { compileFilter, type RowTest } from './filter.ts';

export const MAX_TIMELINE_BUCKETS = 20_000;

/** Index range [lo, hi) of `rows` (time-sorted global rows) with startMs <= time < endMs. */
export function rowsInRange(store: EventStore, rows: Uint32Array, startMs: number, endMs: number): { lo: number; hi: number } {
  const bound = (x: number): number => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (store.timeAt(rows[mid]!) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lo = bound(startMs);
  return { lo, hi: Math.max(lo, bound(endMs)) };
}

/** Per-view predicates for global rows (undefined = every row passes). */
export function globalRowTest(store: EventStore, filter: string | undefined): ((g: number) => boolean) | undefined {
  if (!filter || filter.trim() === '') return undefined;
  const f = compileFilter(filter);
  if (f.matchesAll) return undefined;
  const tests: RowTest[] = store.views.map((v) => f.forView(v));
  if (tests.length === 1) return tests[0]!;
  return (g) => {
    const i = store.viewIndexOf(g);
    return tests[i]!(g - store.views[i]!.base);
  };
}

export function timeline(store: EventStore, req: TimelineRequest, findings: readonly Finding[] = []): TimelineResponse {
  const buckets = Math.max(1, Math.min(MAX_TIMELINE_BUCKETS, Math.floor(Number.isFinite(req.buckets) ? req.buckets : 1)));
  const range = store.timeRange();
  let startMs = Number.isFinite(req.startMs) ? req.startMs : (range?.firstMs ?? 0);
  let endMs = Number.isFinite(req.endMs) ? req.endMs : (range ? range.lastMs + 1 : startMs + 1);
  if (!(endMs > startMs)) endMs = startMs + 1;
  const bucketMs = (endMs - startMs) / buckets;

  // Lanes: every host of the store (or the requested ones), plus hosts only findings name.
  const names = store.hostNames();
  const wanted = req.hosts && req.hosts.length > 0 ? new Set(req.hosts) : null;
  const laneOf = new Map<string, TimelineLane>();
  const lanes: TimelineLane[] = [];
  const addLane = (host: string): TimelineLane => {
    let lane = laneOf.get(host);
    if (!lane) {
      lane = { host, riskScore: 0, counts: new Array<number>(buckets).fill(0), findings: new Array<number>(buckets).fill(0), maxRisk: new Array<number>(buckets).fill(0) };
      laneOf.set(host, lane);
      lanes.push(lane);
    }
    return lane;
  };
  const laneByHostId: Array<TimelineLane | undefined> = names.map((h) => (wanted && !wanted.has(h) ? undefined : addLane(h)));

  const test = globalRowTest(store, req.filter);
  const total = new Array<number>(buckets).fill(0);
  const count = (g: number, timeMs: number, lane: TimelineLane): void => {
    if (test && !test(g)) return;
    const b = Math.min(buckets - 1, Math.floor((timeMs - startMs) / bucketMs));
    lane.counts[b]!++;
    total[b]!++;
  };

  if (wanted && wanted.size * 4 < names.length) {
    // A few hosts: walk only their time-sorted rows in range.
    for (const host of wanted) {
      const id = store.hostId(host);
      if (id < 0) continue;
      const rows = store.rowsOfHost(id);
      const { lo, hi } = rowsInRange(store, rows, startMs, endMs);
      const lane = laneByHostId[id]!;
      for (let i = lo; i < hi; i++) count(rows[i]!, store.timeAt(rows[i]!), lane);
    }
  } else {
    const { lo, hi } = store.orderRange(startMs, endMs);
    const order = store.timeOrder();
    const t = store.sortedTimes();
    for (let i = lo; i < hi; i++) {
      const g = order[i]!;
      const lane = laneByHostId[store.hostIdOf(g)];
      if (lane) count(g, t[i]!, lane);
    }
  }

  for (const f of findings) {
    if (wanted && !wanted.has(f.host)) continue;
    const lane = addLane(f.host);
    lane.riskScore += f.riskScore;
    if (f.binStartMs < startMs || f.binStartMs >= endMs) continue;
    const b = Math.min(buckets - 1, Math.floor((f.binStartMs - startMs) / bucketMs));
    lane.findings[b]!++;
    if (f.riskScore > lane.maxRisk[b]!) lane.maxRisk[b] = f.riskScore;
  }

  lanes.sort((a, b) => b.riskScore - a.riskScore || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { startMs, endMs, bucketMs, lanes, total };
}
