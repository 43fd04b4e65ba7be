// The view state the case remembers (timeline range, table filter, scope, kinds, columns and sort, selected finding, details row),
// saved through `case.saveView` and read back with `case.view`. Invariant: what comes back is untrusted JSON:
// it is checked field by field and anything malformed is dropped, never applied.

export interface SavedView {
  v: 1;
  /** Visible timeline range (UTC ms). */
  range?: { startMs: number; endMs: number };
  /** Table filter text. */
  filter?: string;
  /** Table scope: a finding, a time range and/or hosts. */
  scope?: { findingId?: string; range?: { startMs: number; endMs: number }; hosts?: string[] };
  selectedFindingId?: string;
  detailsRow?: number;
  /** Table columns (field names, in order) and sort. */
  columns?: string[];
  sort?: { field: string; dir: 'asc' | 'desc' };
  /** Event kinds shown in the timeline and table (absent: the defaults). */
  kinds?: string[];
  /** The table's per-column filters: field -> the text its value contains. */
  columnFilters?: Record<string, string>;
  /** The table lists the span the timeline shows. */
  followTimeline?: boolean;
}

import { EVENT_KINDS, normaliseKinds } from './kinds.ts';

const MAX_TEXT = 8192;

function range(v: unknown): { startMs: number; endMs: number } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { startMs, endMs } = v as Record<string, unknown>;
  return typeof startMs === 'number' && typeof endMs === 'number' && Number.isFinite(startMs) && Number.isFinite(endMs) && endMs > startMs ? { startMs, endMs } : undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= MAX_TEXT ? v : undefined);

/** A saved view from the host, or null when there is none or it is not one of ours. */
export function parseSavedView(v: unknown): SavedView | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || (v as Record<string, unknown>)['v'] !== 1) return null;
  const o = v as Record<string, unknown>;
  const out: SavedView = { v: 1 };
  const r = range(o['range']);
  if (r) out.range = r;
  const filter = text(o['filter']);
  if (filter !== undefined) out.filter = filter;
  if (typeof o['scope'] === 'object' && o['scope'] !== null) {
    const s = o['scope'] as Record<string, unknown>;
    const scope: NonNullable<SavedView['scope']> = {};
    const f = text(s['findingId']);
    if (f) scope.findingId = f;
    const sr = range(s['range']);
    if (sr) scope.range = sr;
    if (Array.isArray(s['hosts']) && s['hosts'].length <= 1000 && s['hosts'].every((h) => text(h) !== undefined)) scope.hosts = s['hosts'] as string[];
    out.scope = scope;
  }
  const sel = text(o['selectedFindingId']);
  if (sel) out.selectedFindingId = sel;
  const cols = o['columns'];
  if (Array.isArray(cols) && cols.length > 0 && cols.length <= 500 && cols.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 256)) out.columns = cols as string[];
  if (typeof o['sort'] === 'object' && o['sort'] !== null) {
    const { field, dir } = o['sort'] as Record<string, unknown>;
    if (typeof field === 'string' && field.length > 0 && field.length <= 256 && (dir === 'asc' || dir === 'desc')) out.sort = { field, dir };
  }
  const kinds = o['kinds'];
  if (Array.isArray(kinds) && kinds.length <= EVENT_KINDS.length * 2) out.kinds = normaliseKinds(kinds);
  const cf = o['columnFilters'];
  if (typeof cf === 'object' && cf !== null && !Array.isArray(cf)) {
    const entries = Object.entries(cf as Record<string, unknown>);
    // Bounded as the API bounds them (32 filters of 4,096 characters); anything else drops them all.
    if (entries.length <= 32 && entries.every(([k, t]) => k.length > 0 && k.length <= 256 && typeof t === 'string' && t.length > 0 && t.length <= 4096)) {
      out.columnFilters = Object.fromEntries(entries) as Record<string, string>;
    }
  }
  if (o['followTimeline'] === true) out.followTimeline = true;
  const row = o['detailsRow'];
  if (typeof row === 'number' && Number.isSafeInteger(row) && row >= 0) out.detailsRow = row;
  return out;
}
