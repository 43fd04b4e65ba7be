// Table pages for the UI: filter + time range + hosts + finding rows, sorted, paged, only the asked columns.
// Invariant: the matching row set of a query is computed once and cached, so paging costs only the page;
// the rows scanned are those in the time range (or of the requested hosts / finding), not the store.

import type { AnnotationIndex } from './annotation-index.ts';
import type { Finding } from '../detect/types.ts';
import { HopscopeError, toErrorInfo } from '../model/errors.ts';
import type { RowsRequest, RowsResponse } from '../rpc/api.ts';
import type { EventStore } from '../store/store.ts';
import type { StringColumn } from '../store/view.ts';
import { globalFilter, rowsInRange } from './timeline.ts';
import { parseFilter } from './filter.ts';
import { checkFilterFields } from './filter-fields.ts';
import { findingIndex, RULES_COLUMN, rulesOfRow } from './finding-index.ts';
import { kindMask, kindsKey, withKinds } from './kinds.ts';
import { bothTests, columnFiltersKey, columnFiltersTest } from './column-filters.ts';

/** A number per findings array, so cached answers of `rule:` / `finding:` filters end with a re-run of detection. */
const findingsVersions = new WeakMap<readonly Finding[], number>();
let nextFindingsVersion = 1;
function findingsVersion(findings: readonly Finding[] | undefined): number {
  if (!findings) return 0;
  let v = findingsVersions.get(findings);
  if (v === undefined) findingsVersions.set(findings, (v = nextFindingsVersion++));
  return v;
}

export const DEFAULT_COLUMNS = ['_time', 'host', 'user', 'parent_process_name', 'process_name', 'process'];
export const MAX_PAGE = 5000;
export const MAX_COLUMNS = 500;
/** Sort keys kept per store (each costs 4 bytes per row). */
const MAX_SORT_KEYS = 4;
/** Most matched rows a sort by a non-dictionary column materialises. */
export const MAX_TEXT_SORT_ROWS = 2_000_000;
/** Below this many matches a sort reads the values directly instead of building a store-wide rank. */
const DIRECT_SORT_LIMIT = 50_000;

interface QueryResult {
  key: string;
  rows: Uint32Array;
}

/** Per-store caches: the last few query results and column sort ranks. */
export class RowsCache {
  readonly results: QueryResult[] = [];
  readonly ranks = new Map<string, { ranks: Uint32Array; distinct: number }>();
}

const caches = new WeakMap<EventStore, RowsCache>();

export interface RowsContext {
  /** Findings of the case, to resolve `findingId`. */
  findings?: readonly Finding[];
  /** The analyst's notes, for annotation terms (`status:`, `tag:`, `starred` ...). */
  annotations?: AnnotationIndex;
  cache?: RowsCache;
  /** Match counts up to which a sort reads values directly (default DIRECT_SORT_LIMIT; tests lower it). */
  directSortLimit?: number;
  /** Most matched rows a sort by a non-dictionary column reads (default MAX_TEXT_SORT_ROWS; tests lower it). */
  maxTextSortRows?: number;
}

function cacheFor(store: EventStore, ctx: RowsContext): RowsCache {
  if (ctx.cache) return ctx.cache;
  let c = caches.get(store);
  if (!c) {
    c = new RowsCache();
    caches.set(store, c);
  }
  return c;
}

const MISSING_RANK = 0xffff_ffff;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Positions of `values` in table order (see compareValues), missing last, ties by position. Keys are
 * computed once per value, not per comparison.
 */
export function orderValues(values: ReadonlyArray<string | null>, desc = false): Uint32Array {
  const n = values.length;
  const nums = new Float64Array(n);
  const lowers = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    nums[i] = v !== null && v !== undefined && NUMERIC.test(v) ? Number(v) : NaN;
    lowers[i] = v === null || v === undefined ? '' : v.toLowerCase();
  }
  const sign = desc ? -1 : 1;
  const pos = new Uint32Array(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  pos.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    if (va === null || va === undefined || vb === null || vb === undefined) {
      const ma = va === null || va === undefined;
      const mb = vb === null || vb === undefined;
      return ma === mb ? a - b : ma ? 1 : -1;
    }
    const na = nums[a]!;
    const nb = nums[b]!;
    let c = 0;
    if (na === na && nb === nb) c = na - nb;
    else if ((na === na) !== (nb === nb)) c = na === na ? -1 : 1;
    if (c === 0) {
      const la = lowers[a]!;
      const lb = lowers[b]!;
      c = la < lb ? -1 : la > lb ? 1 : va < vb ? -1 : va > vb ? 1 : 0;
    }
    return sign * c || a - b;
  });
  return pos;
}

/** Order of values in the table: numbers numerically, then text case-insensitively, then exactly. */
export function compareValues(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) {
    const d = Number(a) - Number(b);
    if (d !== 0) return d;
  } else if (an !== bn) return an ? -1 : 1;
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  if (al !== bl) return al < bl ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Store-wide rank of each row's value of `field` (equal values, equal rank; missing last). */
function buildRanks(store: EventStore, field: string): { ranks: Uint32Array; distinct: number } {
  const distinct = new Map<string, number>();
  const cols = store.views.map((v) => v.column(field));
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i];
    if (!col) continue;
    if (col.dict) {
      for (const v of col.dict.values) if (v !== null && v !== undefined) distinct.set(v, 0);
    } else {
      const n = store.views[i]!.rowCount;
      for (let r = 0; r < n; r++) {
        const v = col.get(r);
        if (v !== null) distinct.set(v, 0);
      }
    }
  }
  const keys = [...distinct.keys()];
  const order = orderValues(keys);
  for (let i = 0; i < order.length; i++) distinct.set(keys[order[i]!]!, i);
  const ranks = new Uint32Array(store.rowCount).fill(MISSING_RANK);
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i];
    const view = store.views[i]!;
    if (!col) continue;
    if (col.dict) {
      // Dictionary columns: rank each distinct id once, then one table lookup per row.
      const { ids, values } = col.dict;
      const idRank = new Uint32Array(values.length);
      for (let id = 0; id < values.length; id++) {
        const v = values[id];
        idRank[id] = v === null || v === undefined ? MISSING_RANK : distinct.get(v)!;
      }
      for (let r = 0; r < view.rowCount; r++) ranks[view.base + r] = idRank[ids[r]!]!;
    } else {
      for (let r = 0; r < view.rowCount; r++) {
        const v = col.get(r);
        if (v !== null) ranks[view.base + r] = distinct.get(v)!;
      }
    }
  }
  return { ranks, distinct: keys.length };
}

function ranksFor(store: EventStore, cache: RowsCache, field: string): { ranks: Uint32Array; distinct: number } {
  let r = cache.ranks.get(field);
  if (r) {
    cache.ranks.delete(field);
    cache.ranks.set(field, r);
    return r;
  }
  r = buildRanks(store, field);
  cache.ranks.set(field, r);
  while (cache.ranks.size > MAX_SORT_KEYS) cache.ranks.delete(cache.ranks.keys().next().value!);
  return r;
}

/** Matching global rows in time order. */
function matchRows(store: EventStore, req: RowsRequest, ctx: RowsContext): Uint32Array {
  const { test: mainTest, startMs: fs, endMs: fe } = globalFilter(store, req.filter, ctx.annotations, ctx.findings);
  // The per-column filters hold with the filter (AND).
  const filterTest = bothTests(mainTest, columnFiltersTest(store, req.columnFilters, ctx.findings));
  // The kinds shown narrow the table as they do the timeline; a finding's own events are listed whatever their kind.
  const test = req.findingId !== undefined ? filterTest : withKinds(kindMask(store, req.kinds), filterTest);
  const startMs = Math.max(req.startMs ?? -Infinity, fs);
  const endMs = Math.min(req.endMs ?? Infinity, fe);
  let candidates: Uint32Array;
  if (req.findingId !== undefined) {
    const finding = ctx.findings?.find((f) => f.id === req.findingId);
    if (!finding) return new Uint32Array(0);
    const rows = finding.events.map((e) => e.row).filter((g) => Number.isInteger(g) && g >= 0 && g < store.rowCount);
    rows.sort((a, b) => store.timeAt(a) - store.timeAt(b) || a - b);
    candidates = Uint32Array.from(new Set(rows)).filter((g) => {
      const t = store.timeAt(g);
      return t >= startMs && t < endMs;
    });
    if (req.hosts && req.hosts.length > 0) {
      const ids = new Set(req.hosts.map((h) => store.hostId(h)));
      candidates = candidates.filter((g) => ids.has(store.hostIdOf(g)));
    }
  } else if (req.hosts && req.hosts.length > 0) {
    const parts: Uint32Array[] = [];
    for (const host of new Set(req.hosts)) {
      const id = store.hostId(host);
      if (id < 0) continue;
      const rows = store.rowsOfHost(id);
      const { lo, hi } = rowsInRange(store, rows, startMs, endMs);
      parts.push(rows.subarray(lo, hi));
    }
    candidates = parts.length === 1 ? parts[0]! : mergeByTime(store, parts);
  } else {
    const { lo, hi } = store.orderRange(startMs, endMs);
    candidates = store.timeOrder().subarray(lo, hi);
  }
  if (!test) return candidates;
  const out = new Uint32Array(candidates.length);
  let n = 0;
  for (let i = 0; i < candidates.length; i++) {
    const g = candidates[i]!;
    if (test(g)) out[n++] = g;
  }
  return out.slice(0, n);
}

function mergeByTime(store: EventStore, parts: Uint32Array[]): Uint32Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  const times = new Float64Array(total);
  for (let i = 0; i < total; i++) times[i] = store.timeAt(out[i]!);
  const idx = Uint32Array.from({ length: total }, (_, i) => i);
  idx.sort((a, b) => times[a]! - times[b]! || out[a]! - out[b]!);
  return idx.map((i) => out[i]!);
}

function sortRows(
  store: EventStore,
  rows: Uint32Array,
  sort: RowsRequest['sort'],
  cache: RowsCache,
  directLimit: number,
  maxTextRows: number,
): Uint32Array {
  if (!sort || sort.field === '_time' || sort.field === 'time') {
    return sort?.dir === 'desc' ? rows.slice().reverse() : rows;
  }
  const desc = sort.dir === 'desc';
  const n = rows.length;
  const dictionaryOnly = store.views.every((v) => {
    const c = v.column(sort.field);
    return !c || c.dict !== undefined;
  });
  if (n <= directLimit || !dictionaryOnly) {
    // Text columns (command lines, GUIDs) have no store-wide rank: their distinct values are as many
    // as the rows. Sorting reads the matched rows' values, so it is bounded to MAX_TEXT_SORT_ROWS.
    if (!dictionaryOnly && n > maxTextRows) {
      throw new HopscopeError('E_USAGE', `sorting ${n} rows by ${sort.field} needs a narrower filter or time range (at most ${maxTextRows})`, { column: 1 });
    }
    // Missing values last in either direction; ties keep time order.
    const pos = orderValues(Array.from(rows, (g) => store.value(g, sort.field)), desc);
    return pos.map((p) => rows[p]!);
  }
  // Dictionary columns: a cached store-wide rank per row (ranked once per distinct value), then a
  // counting sort by rank, which keeps time order within equal values and costs O(rows + distinct).
  const { ranks, distinct } = ranksFor(store, cache, sort.field);
  const bucketOf = (rank: number): number => (rank === MISSING_RANK ? distinct : desc ? distinct - 1 - rank : rank);
  const starts = new Uint32Array(distinct + 2);
  for (let i = 0; i < n; i++) starts[bucketOf(ranks[rows[i]!]!) + 1]!++;
  for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const g = rows[i]!;
    out[starts[bucketOf(ranks[g]!)]!++] = g;
  }
  return out;
}

function isoTime(timeMs: number): string {
  const d = new Date(Math.floor(timeMs));
  if (Number.isNaN(d.getTime())) return String(timeMs);
  const frac = timeMs - Math.floor(timeMs);
  const iso = d.toISOString();
  // Keep sub-millisecond precision the store holds (up to microseconds).
  return frac > 0 ? iso.slice(0, -1) + Math.min(999, Math.round(frac * 1000)).toString().padStart(3, '0') + 'Z' : iso;
}

export function rows(store: EventStore, req: RowsRequest, ctx: RowsContext = {}): RowsResponse {
  const columns = (req.columns && req.columns.length > 0 ? req.columns : DEFAULT_COLUMNS).slice(0, MAX_COLUMNS);
  const offset = Math.max(0, Math.floor(req.offset) || 0);
  const limit = Math.max(0, Math.min(MAX_PAGE, Math.floor(req.limit) || 0));
  const cache = cacheFor(store, ctx);
  const key = JSON.stringify([ctx.annotations?.version ?? 0, findingsVersion(ctx.findings), req.filter ?? '', req.startMs ?? null, req.endMs ?? null, req.hosts ?? null, req.findingId ?? null, req.sort ?? null, kindsKey(req.kinds), columnFiltersKey(req.columnFilters)]);
  let result = req.findingId === undefined ? cache.results.find((r) => r.key === key) : undefined;
  if (!result) {
    try {
      // A field no event has would match nothing without a word: refused, with the nearest known name.
      if (req.filter && req.filter.trim() !== '') checkFilterFields(parseFilter(req.filter), store.views);
      const matched = matchRows(store, req, ctx);
      result = { key, rows: sortRows(store, matched, req.sort, cache, ctx.directSortLimit ?? DIRECT_SORT_LIMIT, ctx.maxTextSortRows ?? MAX_TEXT_SORT_ROWS) };
    } catch (err) {
      if (err instanceof HopscopeError && err.code === 'E_USAGE') {
        return { total: 0, offset, columns, rows: [], filterError: toErrorInfo(err) };
      }
      throw err;
    }
    if (req.findingId === undefined) {
      cache.results.unshift(result);
      if (cache.results.length > 4) cache.results.pop();
    }
  }
  const page = result.rows.subarray(Math.min(offset, result.rows.length), Math.min(offset + limit, result.rows.length));
  const colCache = new Map<object, Array<StringColumn | undefined>>();
  // The detections column: the rules whose findings hold the row.
  const detections = columns.includes(RULES_COLUMN) && ctx.findings ? findingIndex(ctx.findings) : null;
  const out: RowsResponse['rows'] = [];
  for (let i = 0; i < page.length; i++) {
    const g = page[i]!;
    const { view, row } = store.locate(g);
    let cols = colCache.get(view);
    if (!cols) {
      cols = columns.map((c) => (c === '_time' || c === RULES_COLUMN ? undefined : view.column(c)));
      colCache.set(view, cols);
    }
    const timeMs = view.timeMs[row]!;
    const values = columns.map((c, k) => (c === '_time' ? isoTime(timeMs) : c === RULES_COLUMN ? (detections ? rulesOfRow(detections, g) : null) : (cols![k]?.get(row) ?? null)));
    out.push({ row: g, timeMs, values });
  }
  return { total: result.rows.length, offset, columns, rows: out };
}
