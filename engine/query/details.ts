// Event details and the process tree around an event (per-host indexes built lazily, once per host).
// Invariant: the tree links processes of the same host only: by process_guid/parent_process_guid when
// the events carry GUIDs, else by process_id/parent_process_id within PID_WINDOW_MS (see processTree).

import { basename } from '../formats/common.ts';
import { CANONICAL_FIELDS } from '../model/fields.ts';
import type { EventDetails, EventTimeField, ProcessNode } from '../rpc/api.ts';
import { TIME_FIELD_ROLES, UTC_TIME_FIELDS } from '../formats/time-fields.ts';
import { parseTime } from '../model/time.ts';
import type { EventStore } from '../store/store.ts';
import type { StringColumn } from '../store/view.ts';

/** How far apart a parent's start and a child's start may be when linked by pid alone. */
export const PID_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_ANCESTORS = 32;
export const MAX_DESCENDANT_DEPTH = 8;
export const MAX_TREE_NODES = 500;

export function eventDetails(store: EventStore, row: number): EventDetails {
  const { view, row: local } = store.locate(row);
  const canonical: Record<string, string | null> = {};
  for (const name of [...CANONICAL_FIELDS, 'host', 'source', 'sourcetype', 'vendor_product']) {
    canonical[name] = view.column(name)?.get(local) ?? null;
  }
  // Keys come from the evidence: fromEntries defines own properties, so `__proto__` stays a field.
  const seen = new Set<string>();
  const original: Record<string, string> = Object.fromEntries(
    view.originalFields(local).filter(([k]) => !seen.has(k) && seen.add(k) !== undefined),
  );
  const loc = view.locator(local);
  const timeMs = view.timeMs[local]!;
  const timeField = view.timeFieldAt(local) ?? undefined;
  return {
    row,
    timeMs,
    evidence: store.evidenceName(loc.evidence),
    record: loc.record,
    line: loc.line,
    byteOffset: loc.byteOffset,
    canonical,
    original,
    raw: view.rawText(local),
    ...(timeField !== undefined ? { timeField } : {}),
    ...timeFieldsOf(original, timeField, timeMs),
  };
}

/** The event's time fields (every name some family reads as a time, time-fields.ts), side by side. */
function timeFieldsOf(original: Record<string, string>, chosen: string | undefined, timeMs: number): { timeFields?: EventTimeField[] } {
  const out: EventTimeField[] = [];
  for (const [name, text] of Object.entries(original)) {
    // evtx_dump / Winlogbeat names carry a prefix (`Event.EventData.UtcTime`, `winlog.event_data.UtcTime`).
    const key = TIME_FIELD_ROLES.has(name) ? name : [...TIME_FIELD_ROLES.keys()].find((k) => name.endsWith('.' + k));
    if (key === undefined || text === '') continue;
    const role = TIME_FIELD_ROLES.get(key)!;
    const t = parseTime(text);
    const isChosen = name === chosen || (chosen !== undefined && name.endsWith('.' + chosen));
    out.push({
      field: name,
      text,
      timeMs: t ? t.ms : null,
      role,
      ...(t?.assumedUtc && !UTC_TIME_FIELDS.has(key) ? { assumedUtc: true } : {}),
      ...(isChosen ? { chosen: true } : {}),
      ...(t ? { deltaMs: t.ms - timeMs } : {}),
    });
  }
  return out.length ? { timeFields: out } : {};
}

interface HostProcIndex {
  byGuid: Map<string, number[]>;
  childrenByGuid: Map<string, number[]>;
  /** Rows per pid, in time order. */
  byPid: Map<string, number[]>;
  childrenByPid: Map<string, number[]>;
}

const indexes = new WeakMap<EventStore, Map<number, HostProcIndex>>();

function push(m: Map<string, number[]>, k: string | null, g: number): void {
  if (k === null || k === '') return;
  const list = m.get(k);
  if (list) list.push(g);
  else m.set(k, [g]);
}

function hostIndex(store: EventStore, hostId: number): HostProcIndex {
  let perStore = indexes.get(store);
  if (!perStore) {
    perStore = new Map();
    indexes.set(store, perStore);
  }
  let idx = perStore.get(hostId);
  if (idx) return idx;
  idx = { byGuid: new Map(), childrenByGuid: new Map(), byPid: new Map(), childrenByPid: new Map() };
  const fields = ['process_guid', 'parent_process_guid', 'process_id', 'parent_process_id'];
  const columns = new Map<object, Array<StringColumn | undefined>>();
  for (const g of store.rowsOfHost(hostId)) {
    const { view, row } = store.locate(g);
    let cols = columns.get(view);
    if (!cols) {
      cols = fields.map((f) => view.column(f));
      columns.set(view, cols);
    }
    // The tree is made of process creations: a network or pipe event carries its process's GUID too.
    const kind = view.column('event_kind')?.get(row);
    if (kind != null && kind !== 'process_creation') continue;
    push(idx.byGuid, cols[0]?.get(row) ?? null, g);
    push(idx.childrenByGuid, cols[1]?.get(row) ?? null, g);
    push(idx.byPid, cols[2]?.get(row) ?? null, g);
    push(idx.childrenByPid, cols[3]?.get(row) ?? null, g);
  }
  perStore.set(hostId, idx);
  return idx;
}

/** Latest row of `list` (time-sorted) starting at or before `timeMs`, other than `self`. */
function latestAtOrBefore(store: EventStore, list: readonly number[], timeMs: number, self: number): number | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const g = list[i]!;
    if (g !== self && store.timeAt(g) <= timeMs) return g;
  }
  return null;
}

function parentOf(store: EventStore, idx: HostProcIndex, g: number): number | null {
  const t = store.timeAt(g);
  const pguid = store.value(g, 'parent_process_guid');
  if (pguid) {
    const list = idx.byGuid.get(pguid);
    // With GUIDs, an unknown parent GUID means the parent is not in the evidence: no pid guessing.
    return list ? latestAtOrBefore(store, list, t, g) ?? list[0]! : null;
  }
  const ppid = store.value(g, 'parent_process_id');
  if (!ppid) return null;
  const list = idx.byPid.get(ppid);
  if (!list) return null;
  const p = latestAtOrBefore(store, list, t, g);
  return p !== null && t - store.timeAt(p) <= PID_WINDOW_MS ? p : null;
}

function childrenOf(store: EventStore, idx: HostProcIndex, g: number): number[] {
  const guid = store.value(g, 'process_guid');
  if (guid) return (idx.childrenByGuid.get(guid) ?? []).filter((c) => c !== g);
  const pid = store.value(g, 'process_id');
  if (!pid) return [];
  const t = store.timeAt(g);
  // The pid is ours until the next process that starts with the same pid.
  let until = t + PID_WINDOW_MS;
  for (const other of idx.byPid.get(pid) ?? []) {
    const to = store.timeAt(other);
    if (other !== g && to > t) {
      until = Math.min(until, to);
      break;
    }
  }
  return (idx.childrenByPid.get(pid) ?? []).filter((c) => {
    if (c === g || store.value(c, 'parent_process_guid')) return false;
    const tc = store.timeAt(c);
    return tc >= t && tc <= until;
  });
}

/**
 * The parent the topmost known process names in its own fields, when that parent's creation is not in the evidence
 * (started before the log, on a host not collected, or dropped by the exporter): shown so the chain does not seem
 * to start with a process that had no parent. `row` and `timeMs` are the child's (the parent started before it).
 */
function unloggedParent(store: EventStore, child: number): ProcessNode | null {
  const path = store.value(child, 'parent_process_path');
  const process_name = store.value(child, 'parent_process_name') || (path ? basename(path) : '');
  const process = store.value(child, 'parent_process') || null;
  const process_id = store.value(child, 'parent_process_id') || null;
  if (!process_name && !process && !process_id) return null;
  return { row: child, timeMs: store.timeAt(child), process_name: process_name || null, process, process_id, depth: 0, relation: 'unlogged-parent' };
}

/**
 * Ancestors (root first, depth 0..), the event itself, then descendants in preorder (children by time). Above the
 * topmost logged ancestor, its parent as its own fields name it ('unlogged-parent'), when they name one.
 * Linking by pid alone: a child's parent is the latest process with its parent pid that started at or
 * before it and within PID_WINDOW_MS; a parent's children end where the next process with the same pid
 * starts (pid reuse). An unknown parent GUID means the parent is not in the evidence: no pid guessing.
 */
export function processTree(store: EventStore, row: number): ProcessNode[] {
  store.locate(row);
  const idx = hostIndex(store, store.hostIdOf(row));
  const node = (g: number, depth: number, relation: ProcessNode['relation']): ProcessNode => ({
    row: g,
    timeMs: store.timeAt(g),
    process_name: store.value(g, 'process_name'),
    process: store.value(g, 'process'),
    process_id: store.value(g, 'process_id'),
    depth,
    relation,
  });
  const seen = new Set<number>([row]);
  const ancestors: number[] = [];
  let cur = row;
  while (ancestors.length < MAX_ANCESTORS) {
    const p = parentOf(store, idx, cur);
    if (p === null || seen.has(p)) break;
    seen.add(p);
    ancestors.push(p);
    cur = p;
  }
  ancestors.reverse();
  const top = unloggedParent(store, ancestors[0] ?? row);
  const base = top ? 1 : 0;
  const out: ProcessNode[] = top ? [top] : [];
  ancestors.forEach((g, i) => out.push(node(g, base + i, 'ancestor')));
  const selfDepth = base + ancestors.length;
  out.push(node(row, selfDepth, 'self'));
  const walk = (g: number, depth: number): void => {
    if (depth - selfDepth > MAX_DESCENDANT_DEPTH) return;
    const kids = childrenOf(store, idx, g).sort((a, b) => store.timeAt(a) - store.timeAt(b) || a - b);
    for (const c of kids) {
      if (out.length >= MAX_TREE_NODES || seen.has(c)) continue;
      seen.add(c);
      out.push(node(c, depth, depth === selfDepth + 1 ? 'child' : 'descendant'));
      walk(c, depth + 1);
    }
  };
  walk(row, selfDepth + 1);
  return out;
}
