// Minimal query layer over the EventStore: timeline counts, time-ordered row pages, event details, process tree.
// The session uses it when no richer query engine is injected. Invariant: answers touch only the rows in
// the requested range/page, and never return more than the request's limit.

import { UNKNOWN_HOST } from '../detect/hosts.ts';
import type { Finding } from '../detect/types.ts';
import { HopscopeError } from '../model/errors.ts';
import { CANONICAL_FIELDS } from '../model/fields.ts';
import type { EventDetails, ProcessNode, RowsRequest, RowsResponse, TimelineLane, TimelineRequest, TimelineResponse } from '../rpc/api.ts';
import { NO_HOST, type EventStore } from '../store/store.ts';
import type { QueryContext, SessionQueries } from './queries.ts';

export const DEFAULT_COLUMNS = ['_time', 'dest', 'user', 'parent_process_name', 'process_name', 'process'];
const MAX_TREE_NODES = 500;
const MAX_ANCESTORS = 32;

function laneOf(host: string): string {
  return host === UNKNOWN_HOST ? NO_HOST : host;
}

function valueOf(store: EventStore, row: number, field: string): string | null {
  if (field === '_time') return new Date(store.timeAt(row)).toISOString();
  return store.value(row, field);
}

function timeline(store: EventStore, req: TimelineRequest, ctx: QueryContext): TimelineResponse {
  const counts = store.countsByHostAndBucket(req.startMs, req.endMs, req.buckets);
  const n = counts.buckets;
  const wanted = req.hosts ? new Set(req.hosts) : null;
  const lanes: TimelineLane[] = [];
  const laneIndex = new Map<string, TimelineLane>();
  counts.hosts.forEach((host, id) => {
    if (wanted && !wanted.has(host)) return;
    const lane: TimelineLane = {
      host,
      riskScore: ctx.hostRisk.get(host) ?? (host === NO_HOST ? (ctx.hostRisk.get(UNKNOWN_HOST) ?? 0) : 0),
      counts: Array.from(counts.counts[id]!),
      findings: new Array<number>(n).fill(0),
      maxRisk: new Array<number>(n).fill(0),
    };
    lanes.push(lane);
    laneIndex.set(host, lane);
  });
  for (const f of ctx.findings) {
    if (f.binEndMs <= req.startMs || f.binStartMs >= req.endMs) continue;
    const lane = laneIndex.get(laneOf(f.host));
    if (!lane) continue;
    const b = Math.min(n - 1, Math.max(0, Math.floor((f.binStartMs - req.startMs) / counts.bucketMs)));
    lane.findings[b]!++;
    lane.maxRisk[b] = Math.max(lane.maxRisk[b]!, f.riskScore);
  }
  lanes.sort((a, b) => b.riskScore - a.riskScore || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const total = new Array<number>(n).fill(0);
  for (const l of lanes) for (let i = 0; i < n; i++) total[i]! += l.counts[i]!;
  return { startMs: req.startMs, endMs: req.endMs, bucketMs: counts.bucketMs, lanes, total };
}

function findingRows(f: Finding): number[] {
  return f.events.map((e) => e.row).sort((a, b) => a - b);
}

function rows(store: EventStore, req: RowsRequest, ctx: QueryContext): RowsResponse {
  const columns = req.columns && req.columns.length ? req.columns : DEFAULT_COLUMNS;
  const out: RowsResponse = { total: 0, offset: req.offset, columns, rows: [] };
  if ((req.filter && req.filter.trim()) || (req.columnFilters ?? []).some((f) => f.text !== '')) {
    out.filterError = { code: 'E_USAGE', message: 'filters are not available in this build' };
  }
  const hostIds = req.hosts ? new Set(req.hosts.map((h) => store.hostId(h)).filter((id) => id >= 0)) : null;
  const start = req.startMs ?? -Infinity;
  const end = req.endMs ?? Infinity;
  let candidates: ArrayLike<number>;
  if (req.findingId !== undefined) {
    const f = ctx.findingById.get(req.findingId);
    candidates = f ? findingRows(f).sort((a, b) => store.timeAt(a) - store.timeAt(b) || a - b) : [];
  } else {
    const order = store.timeOrder();
    const { lo, hi } = store.orderRange(start, end === Infinity ? Number.MAX_VALUE : end);
    candidates = order.subarray(lo, hi);
  }
  const keep = (g: number): boolean => {
    const t = store.timeAt(g);
    if (t < start || t >= end) return false;
    return !hostIds || hostIds.has(store.hostIdOf(g));
  };
  const selected: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const g = candidates[i]!;
    if (keep(g)) selected.push(g);
  }
  const sort = req.sort;
  if (sort && sort.field !== '_time') {
    const vals = new Map<number, string>();
    for (const g of selected) vals.set(g, store.value(g, sort.field) ?? '');
    selected.sort((a, b) => {
      const x = vals.get(a)!;
      const y = vals.get(b)!;
      return x < y ? -1 : x > y ? 1 : store.timeAt(a) - store.timeAt(b) || a - b;
    });
  }
  if (sort?.dir === 'desc') selected.reverse();
  out.total = selected.length;
  for (const g of selected.slice(req.offset, req.offset + req.limit)) {
    out.rows.push({ row: g, timeMs: store.timeAt(g), values: columns.map((c) => valueOf(store, g, c)) });
  }
  return out;
}

function eventDetails(store: EventStore, row: number): EventDetails {
  const { view, row: local } = store.locate(row);
  const loc = store.locator(row);
  const canonical: Record<string, string | null> = {};
  for (const f of CANONICAL_FIELDS) canonical[f] = store.value(row, f);
  const original: Record<string, string> = {};
  for (const [k, v] of view.originalFields(local)) if (!(k in original)) original[k] = v;
  return {
    row,
    timeMs: store.timeAt(row),
    evidence: store.evidenceOf(row).name,
    record: loc.record,
    line: loc.line,
    byteOffset: loc.byteOffset,
    canonical,
    original,
    raw: view.rawText(local),
  };
}

function node(store: EventStore, row: number, depth: number, relation: ProcessNode['relation']): ProcessNode {
  return {
    row,
    timeMs: store.timeAt(row),
    process_name: store.value(row, 'process_name'),
    process: store.value(row, 'process'),
    process_id: store.value(row, 'process_id'),
    depth,
    relation,
  };
}

/**
 * Ancestors and descendants of one event on its host: by process GUID when both sides have one, else by
 * process id with the parent started before the child (pids are reused, so the nearest earlier start wins).
 */
function processTree(store: EventStore, row: number): ProcessNode[] {
  const hostRows = store.rowsOfHost(store.hostIdOf(row));
  const guid = (g: number): string | null => store.value(g, 'process_guid');
  const pguid = (g: number): string | null => store.value(g, 'parent_process_guid');
  const pid = (g: number): string | null => store.value(g, 'process_id');
  const ppid = (g: number): string | null => store.value(g, 'parent_process_id');

  const parentOf = (g: number): number | null => {
    const pg = pguid(g);
    const pp = ppid(g);
    const t = store.timeAt(g);
    let best: number | null = null;
    for (let i = 0; i < hostRows.length; i++) {
      const c = hostRows[i]!;
      if (c === g) continue;
      if (pg && guid(c)) {
        if (guid(c)!.toLowerCase() === pg.toLowerCase()) return c;
        continue;
      }
      if (pp && pid(c) === pp && store.timeAt(c) <= t) best = c;
    }
    return best;
  };
  const isChild = (parent: number, c: number): boolean => {
    if (c === parent) return false;
    const g = guid(parent);
    const pg = pguid(c);
    if (g && pg) return g.toLowerCase() === pg.toLowerCase();
    const p = pid(parent);
    return p !== null && ppid(c) === p && store.timeAt(c) >= store.timeAt(parent);
  };

  const ancestors: ProcessNode[] = [];
  const seen = new Set<number>([row]);
  let cur: number | null = parentOf(row);
  while (cur !== null && !seen.has(cur) && ancestors.length < MAX_ANCESTORS) {
    seen.add(cur);
    ancestors.push(node(store, cur, 0, 'ancestor'));
    cur = parentOf(cur);
  }
  ancestors.reverse();
  ancestors.forEach((a, i) => (a.depth = i));
  const selfDepth = ancestors.length;
  const out: ProcessNode[] = [...ancestors, node(store, row, selfDepth, 'self')];
  const walk = (parent: number, depth: number): void => {
    for (let i = 0; i < hostRows.length && out.length < MAX_TREE_NODES; i++) {
      const c = hostRows[i]!;
      if (seen.has(c) || !isChild(parent, c)) continue;
      seen.add(c);
      out.push(node(store, c, depth, depth === selfDepth + 1 ? 'child' : 'descendant'));
      walk(c, depth + 1);
    }
  };
  walk(row, selfDepth + 1);
  if (out.length === 0) throw new HopscopeError('E_INTERNAL', 'empty process tree');
  return out;
}

export const basicQueries: SessionQueries = { timeline, rows, eventDetails, processTree };
