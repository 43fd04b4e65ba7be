// Event table state: query (sort, filter, time range, finding), total, the page cache and the selected row.
// Invariant: the renderer holds only pages near the viewport; a query change drops every cached page and
// responses to an older query are ignored (generation counter).
import type { ErrorInfo } from '../../engine/model/errors.ts';
import type { ColumnFilter, EventScope, HopscopeApi, RowsRequest, RowsResponse, SortDir } from '../../engine/rpc/api.ts';
import { toErrorInfo } from '../api/api-error.ts';

export const PAGE_SIZE = 200;
/** Pages kept around the viewport; older ones are evicted. */
const MAX_PAGES = 12;
/** Browsers cap element heights (~17.9 M px in Firefox); taller tables scroll proportionally. */
export const MAX_SCROLL_PX = 8_000_000;

/**
 * Resolves in the next animation frame (at once where there is none, e.g. jsdom). A page answer is applied there,
 * after that frame's scroll events: applied on arrival, its new rows were laid out once when the next scroll event
 * read the scroll position and again for the rows that scroll then asked for.
 */
const nextFrame = (): Promise<void> =>
  typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden'
    ? new Promise((r) => requestAnimationFrame(() => r()))
    : Promise.resolve();

export interface TableColumn {
  /** Canonical field name, or `_time` for the event time (ISO 8601 UTC from the host, sub-ms kept). */
  key: string;
  label: string;
  width: string;
}

export const TIME_FIELD = '_time';
/**
 * The detections column (engine/query/finding-index.ts RULES_COLUMN): the rule ids of the findings holding the event,
 * filled by the engine, not a log field. Always asked for, shown or not, so detected rows can be coloured.
 */
export const RULES_FIELD = '_rules';

export const COLUMNS: TableColumn[] = [
  { key: TIME_FIELD, label: 'Time (UTC)', width: timeColumnWidth('UTC') },
  { key: 'dest', label: 'Host', width: '8.5rem' },
  { key: 'user', label: 'User', width: '8.5rem' },
  { key: 'parent_process_name', label: 'Parent', width: '7rem' },
  { key: 'process_name', label: 'Process', width: '7rem' },
  { key: RULES_FIELD, label: 'Rules', width: '9rem' },
  { key: 'process', label: 'Command line', width: 'minmax(10rem, 1fr)' },
];

/**
 * The time column's width in a display zone: UTC with microseconds (`2019-04-30T20:32:51.164697Z`, 27 characters),
 * or wall time with the zone's offset (`2019-04-30 22:32:51.164 +02:00`, 30).
 */
export function timeColumnWidth(zone: string): string {
  return zone === 'UTC' ? '13.9rem' : '15.6rem';
}

const COLUMNS_KEY = 'hopscope.tableColumns';
const WIDTHS_KEY = 'hopscope.tableWidths';
/** Narrowest a column can be dragged to, px. */
export const MIN_COLUMN_PX = 48;
const MAX_COLUMN_PX = 2000;
const MAX_COLUMNS = 24;
type SessionStore = Pick<Storage, 'getItem' | 'setItem'>;

/** A column for any field: the known label and width for default columns, else the field name itself. */
export function columnFor(key: string): TableColumn {
  return COLUMNS.find((c) => c.key === key) ?? { key, label: key, width: '9rem' };
}

/** The command line: the long value of an event, so the column that takes the free width wherever it is. */
export const COMMAND_LINE_FIELD = 'process';

/**
 * Column widths: every column keeps its width except one that takes the remaining space: the command line when
 * shown (wherever it is, so it is not cut while the table has room), else the last column.
 */
export function layoutColumns(keys: readonly string[]): TableColumn[] {
  const uniq = [...new Set(keys.filter((k) => typeof k === 'string' && k !== '' && k.length <= 256))].slice(0, MAX_COLUMNS);
  if (!uniq.includes(TIME_FIELD)) uniq.unshift(TIME_FIELD);
  const fill = uniq.includes(COMMAND_LINE_FIELD) ? COMMAND_LINE_FIELD : uniq.length > 1 ? uniq[uniq.length - 1] : undefined;
  return uniq.map((k) => {
    const c = columnFor(k);
    return k === fill ? { ...c, width: 'minmax(10rem, 1fr)' } : c.width.startsWith('minmax') ? { ...c, width: '14rem' } : c;
  });
}

/** MAX_COLUMN_FILTERS / MAX_COLUMN_FILTER_CHARS of engine/rpc/api.ts (the renderer imports engine types only). */
export const MAX_COLUMN_FILTERS = 32;
export const MAX_COLUMN_FILTER_CHARS = 4096;

/** Per-column filters as the API takes them: non-empty texts only, at most MAX_COLUMN_FILTERS, each text clipped. */
export function columnFilterList(filters: Readonly<Record<string, string>>): ColumnFilter[] {
  return Object.entries(filters)
    .filter(([field, text]) => field !== '' && typeof text === 'string' && text !== '')
    .slice(0, MAX_COLUMN_FILTERS)
    .map(([field, text]) => ({ field, text: text.slice(0, MAX_COLUMN_FILTER_CHARS) }));
}

const clampWidth = (px: number): number => Math.round(Math.max(MIN_COLUMN_PX, Math.min(MAX_COLUMN_PX, px)));

export interface TableRow {
  row: number;
  timeMs: number;
  values: Record<string, string | null>;
}

export interface VirtualWindow {
  /** Height of the scrollable spacer, px. */
  spacerPx: number;
  /** First row index shown. */
  first: number;
  /** Rows to render (visible plus overscan, clipped to total). */
  count: number;
  /** Top of the rendered block inside the spacer, px. */
  blockTopPx: number;
}

/**
 * Maps a scroll position to the rows to render. Below MAX_SCROLL_PX the mapping is 1:1; above it the
 * scroll range is compressed and rows are placed relative to the viewport.
 */
export function virtualWindow(scrollTop: number, viewportPx: number, total: number, rowPx: number, overscan = 5, maxScrollPx = MAX_SCROLL_PX): VirtualWindow {
  const fullPx = total * rowPx;
  const spacerPx = Math.min(fullPx, maxScrollPx);
  const scrollable = Math.max(0, spacerPx - viewportPx);
  const fullScrollable = Math.max(0, fullPx - viewportPx);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  const virtualTop = scrollable > 0 ? (top * fullScrollable) / scrollable : 0;
  const firstVisible = Math.min(Math.max(0, total - 1), Math.floor(virtualTop / rowPx));
  const first = Math.max(0, firstVisible - overscan);
  const visible = Math.ceil(viewportPx / rowPx) + 1;
  const count = Math.max(0, Math.min(total - first, visible + overscan * 2));
  const blockTopPx = top - (virtualTop - first * rowPx);
  return { spacerPx, first, count, blockTopPx };
}

/** The (fractional) row at the top of the viewport at `scrollTop`: the inverse of scrollTopFor. */
export function rowAtScroll(scrollTop: number, viewportPx: number, total: number, rowPx: number, maxScrollPx = MAX_SCROLL_PX): number {
  const fullPx = total * rowPx;
  const spacerPx = Math.min(fullPx, maxScrollPx);
  const scrollable = Math.max(0, spacerPx - viewportPx);
  const fullScrollable = Math.max(0, fullPx - viewportPx);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  return scrollable > 0 ? (top * fullScrollable) / scrollable / rowPx : 0;
}

/** Scroll position that shows row `index` at the top. */
export function scrollTopFor(index: number, viewportPx: number, total: number, rowPx: number, maxScrollPx = MAX_SCROLL_PX): number {
  const fullPx = total * rowPx;
  const spacerPx = Math.min(fullPx, maxScrollPx);
  const scrollable = Math.max(0, spacerPx - viewportPx);
  const fullScrollable = Math.max(0, fullPx - viewportPx);
  if (fullScrollable === 0) return 0;
  return (Math.min(index * rowPx, fullScrollable) * scrollable) / fullScrollable;
}

export interface TableQuery {
  sort: { field: string; dir: SortDir };
  filter: string;
  startMs: number | null;
  endMs: number | null;
  findingId: string | null;
  hosts: string[] | null;
}

export class TableState {
  /**
   * Per-column filters (the filter row under the header): field -> text its value must contain, any case, literally.
   * With the filter by AND; each is a chip that clears it.
   */
  columnFilters = $state.raw<Readonly<Record<string, string>>>({});
  /**
   * The table lists the span the timeline shows (`range` follows every zoom and pan); off by default, as in
   * Timeline Explorer the table lists every event until a filter says otherwise.
   */
  followTimeline = $state(false);
  sort = $state.raw<{ field: string; dir: SortDir }>({ field: TIME_FIELD, dir: 'asc' });
  filter = $state('');
  /** What is typed in the filter box, applied by setFilter(). */
  draft = $state('');
  range = $state.raw<{ startMs: number; endMs: number } | null>(null);
  findingId = $state<string | null>(null);
  /** How the finding chip names the finding (rule title, host, time, events); null: by its id. */
  findingLabel = $state<string | null>(null);
  hosts = $state.raw<string[] | null>(null);
  /** Event kinds shown (the kind bar's choice, the timeline follows it); null: every kind (a host without kinds). */
  kinds = $state.raw<string[] | null>(null);
  total = $state(0);
  /** Index of the first row in view, kept so a query change can return to the top. */
  offset = $state(0);
  /** Store row (global id) of the selected event. */
  selectedRow = $state<number | null>(null);
  /** Position of the selected row in the current ordering. */
  selectedIndex = $state<number | null>(null);
  /** Bumped when a page arrives, so readers of rowAt() re-render. */
  version = $state(0);
  /** Bumped when the query changes (sort, filter, scope), so the view scrolls to the top and refetches. */
  queryVersion = $state(0);
  /** Bumped when the same query has more data (a partial case grew): the view refetches where it is. */
  dataVersion = $state(0);
  loading = $state(false);
  error = $state.raw<ErrorInfo | null>(null);
  filterError = $state.raw<ErrorInfo | null>(null);
  /** The filter text `filterError` is about; the table meanwhile lists the events of the last good filter. */
  failedFilter = $state<string | null>(null);
  /** Shown columns (the time first); chosen by the analyst and kept for the browser session. */
  columns = $state.raw<TableColumn[]>(COLUMNS);
  /** Widths the analyst dragged columns to (px, by field), kept for the browser session. */
  widths = $state.raw<Readonly<Record<string, number>>>({});

  /**
   * Called when the set of events the table lists changes (filter, time range, hosts, finding), after the selection
   * was dropped: the app closes the event details, so a note can only be written on an event of the view in sight.
   */
  onscope: (() => void) | null = null;

  /** The last filter the host answered without an error: a bad filter falls back to it (the view stays). */
  private goodFilter = '';
  private pages = new Map<number, TableRow[]>();
  private inflight = new Set<number>();
  private generation = 0;
  private totalKnown = false;

  constructor(
    private readonly api: HopscopeApi,
    private readonly session: SessionStore | null = typeof sessionStorage === 'undefined' ? null : sessionStorage,
  ) {
    try {
      const saved: unknown = JSON.parse(this.session?.getItem(COLUMNS_KEY) ?? 'null');
      if (Array.isArray(saved) && saved.length > 0 && saved.every((k) => typeof k === 'string')) this.columns = layoutColumns(saved as string[]);
    } catch {
      // A bad saved value keeps the default columns.
    }
    try {
      const saved: unknown = JSON.parse(this.session?.getItem(WIDTHS_KEY) ?? 'null');
      if (saved && typeof saved === 'object' && !Array.isArray(saved)) {
        const w: Record<string, number> = {};
        for (const [k, v] of Object.entries(saved)) if (typeof v === 'number' && Number.isFinite(v)) w[k] = clampWidth(v);
        this.widths = w;
      }
    } catch {
      // A bad saved value keeps the default widths.
    }
  }

  /** A column dragged (or keyed) to `px` wide; kept for the session. Layout only: nothing is refetched. */
  setWidth(key: string, px: number): void {
    this.widths = { ...this.widths, [key]: clampWidth(px) };
    try {
      this.session?.setItem(WIDTHS_KEY, JSON.stringify(this.widths));
    } catch {
      // Kept for this table only.
    }
  }

  /** Moves a column to position `to` (the time column stays first). */
  moveColumn(key: string, to: number): void {
    const keys = this.fieldColumns;
    const from = keys.indexOf(key);
    if (from < 0 || key === TIME_FIELD) return;
    keys.splice(from, 1);
    keys.splice(Math.max(1, Math.min(keys.length, to)), 0, key);
    this.setColumns(keys);
  }

  /** Shows these fields (canonical or original names) in this order; refetches and remembers them. */
  setColumns(keys: readonly string[]): void {
    this.columns = layoutColumns(keys);
    try {
      this.session?.setItem(COLUMNS_KEY, JSON.stringify(this.fieldColumns));
    } catch {
      // Kept for this table only.
    }
    this.invalidate();
  }

  /** Fields asked of the host, in column order. */
  get fieldColumns(): string[] {
    return this.columns.map((c) => c.key);
  }

  /** Drops cached pages; call after changing any query field. */
  invalidate(): void {
    this.generation++;
    this.pages = new Map();
    this.inflight = new Set();
    this.totalKnown = false;
    this.offset = 0;
    this.selectedIndex = null;
    this.version++;
    this.queryVersion++;
  }

  /**
   * The same query over more data (a case still being read grew): drops the cached pages and refetches the rows in
   * view, keeping the scroll position, the total until the first answer, and the selection (invalidate() returns to
   * the top, which is right for a new query but made the table jump on every refresh of a partial case).
   */
  reload(): void {
    this.generation++;
    this.pages = new Map();
    this.inflight = new Set();
    this.totalKnown = false;
    this.version++;
    this.dataVersion++;
  }

  /** The listed events changed: the selected row may not be among them, so it is dropped (the details close). */
  private scopeChanged(): void {
    this.selectedRow = null;
    this.selectedIndex = null;
    this.invalidate();
    this.onscope?.();
  }

  setSort(field: string): void {
    const dir: SortDir = this.sort.field === field && this.sort.dir === 'asc' ? 'desc' : 'asc';
    this.sort = { field, dir };
    this.invalidate();
  }

  setFilter(filter: string): void {
    this.filter = filter;
    this.draft = filter;
    this.filterError = null;
    this.failedFilter = null;
    this.scopeChanged();
  }

  /** No filter at all (another case opened): nothing to fall back to either, no column filters, no following. */
  resetFilter(): void {
    this.filter = '';
    this.draft = '';
    this.goodFilter = '';
    this.filterError = null;
    this.failedFilter = null;
    this.columnFilters = {};
    this.followTimeline = false;
  }

  /** Narrows the filter to events whose `field` equals `value` (pivot from the details pane). */
  addFieldFilter(field: string, value: string): void {
    const term = `${field}:"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const current = this.filter.trim();
    this.setFilter(current ? `${current} ${term}` : term);
  }

  /** Sets (or, with an empty text, clears) one column's filter; the table refetches. */
  setColumnFilter(field: string, text: string): void {
    const t = text.slice(0, MAX_COLUMN_FILTER_CHARS);
    if ((this.columnFilters[field] ?? '') === t) return;
    const next = { ...this.columnFilters };
    if (t === '') delete next[field];
    else if (Object.keys(next).length < MAX_COLUMN_FILTERS || field in next) next[field] = t;
    this.columnFilters = next;
    this.scopeChanged();
  }

  /** Every column filter at once (restoring a view, or clearing them all). */
  setColumnFilters(filters: Readonly<Record<string, string>>): void {
    const next: Record<string, string> = {};
    for (const { field, text } of columnFilterList(filters)) next[field] = text;
    this.columnFilters = next;
    this.scopeChanged();
  }

  /**
   * Table follows the timeline: on, the table lists the visible span (`follow` sets it); off, the time range the
   * table followed is dropped (a finding's or a link's own range stays).
   */
  setFollowTimeline(on: boolean, visible: { startMs: number; endMs: number } | null = null): void {
    this.followTimeline = on;
    if (on) this.follow(visible);
    else if (this.range && !this.findingId && !this.hosts) this.setRange(null);
  }

  /** The timeline shows `visible` (null: the whole case): a following table lists that span. */
  follow(visible: { startMs: number; endMs: number } | null): void {
    if (!this.followTimeline) return;
    const cur = this.range;
    if (visible === null ? cur === null : cur !== null && cur.startMs === visible.startMs && cur.endMs === visible.endMs) return;
    this.setRange(visible && { startMs: visible.startMs, endMs: visible.endMs });
  }

  setRange(range: { startMs: number; endMs: number } | null): void {
    this.range = range;
    this.scopeChanged();
  }

  setFinding(findingId: string | null, range: { startMs: number; endMs: number } | null = null): void {
    this.findingId = findingId;
    this.findingLabel = null;
    this.range = range;
    this.scopeChanged();
  }

  setHosts(hosts: string[] | null): void {
    this.hosts = hosts;
    this.scopeChanged();
  }

  /** Replaces the whole scope (range, hosts, finding) in one step, so only one refetch happens. */
  setScope(scope: { range?: { startMs: number; endMs: number } | null; hosts?: string[] | null; findingId?: string | null; findingLabel?: string | null }): void {
    this.range = scope.range ?? null;
    this.hosts = scope.hosts ?? null;
    this.findingId = scope.findingId ?? null;
    this.findingLabel = scope.findingId ? (scope.findingLabel ?? null) : null;
    this.scopeChanged();
  }

  /** Shows only events of these kinds (null: every kind); the table refetches. */
  setKinds(kinds: string[] | null): void {
    this.kinds = kinds;
    this.scopeChanged();
  }

  /** "Show all events": the scope goes, and a table that followed the timeline stops (the next zoom keeps all). */
  clearScope(): void {
    this.followTimeline = false;
    this.findingId = null;
    this.findingLabel = null;
    this.range = null;
    this.hosts = null;
    this.scopeChanged();
  }

  request(offset: number, limit: number): RowsRequest {
    const columns = this.fieldColumns.includes(RULES_FIELD) ? this.fieldColumns : [...this.fieldColumns, RULES_FIELD];
    return { offset, limit, sort: this.sort, columns, ...tableScope(this) };
  }

  rowAt(index: number): TableRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Fetches the pages covering rows [first, first+count) that are neither cached nor in flight. */
  ensure(first: number, count: number): Promise<void> {
    this.offset = first;
    const firstPage = Math.floor(first / PAGE_SIZE);
    const lastPage = Math.floor(Math.max(first, first + count - 1) / PAGE_SIZE);
    const jobs: Promise<void>[] = [];
    for (let p = firstPage; p <= lastPage; p++) {
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      if (this.totalKnown && p > 0 && p * PAGE_SIZE >= this.total) continue;
      jobs.push(this.fetchPage(p));
    }
    return Promise.all(jobs).then(() => undefined);
  }

  /** Loads the first page; the table learns `total` from it. */
  refresh(): Promise<void> {
    this.invalidate();
    return this.ensure(0, PAGE_SIZE);
  }

  select(index: number | null): void {
    this.selectedIndex = index;
    this.selectedRow = index === null ? null : (this.rowAt(index)?.row ?? null);
  }

  private async fetchPage(page: number): Promise<void> {
    const gen = this.generation;
    this.inflight.add(page);
    this.loading = true;
    let res: RowsResponse;
    try {
      res = await this.api.call('query.rows', this.request(page * PAGE_SIZE, PAGE_SIZE));
      if (gen === this.generation) await nextFrame();
    } catch (e) {
      if (gen === this.generation) {
        this.inflight.delete(page);
        this.error = toErrorInfo(e);
        this.loading = this.inflight.size > 0;
      }
      return;
    }
    if (gen !== this.generation) return;
    if (res.filterError && this.filter !== this.goodFilter) {
      // A bad filter keeps the last good view: the error is shown (with the text it is about, still in the box) and
      // the table, and the timeline that follows `filter`, go back to the last filter that worked.
      this.filterError = res.filterError;
      this.failedFilter = this.filter;
      this.filter = this.goodFilter;
      this.invalidate();
      void this.ensure(0, PAGE_SIZE);
      return;
    }
    this.inflight.delete(page);
    const idx = res.columns;
    this.pages.set(
      page,
      res.rows.map((r) => {
        const values: Record<string, string | null> = {};
        for (let i = 0; i < idx.length; i++) values[idx[i]!] = r.values[i] ?? null;
        return { row: r.row, timeMs: r.timeMs, values };
      }),
    );
    this.evict(page);
    this.total = res.total;
    this.totalKnown = true;
    if (res.filterError) {
      this.filterError = res.filterError;
      this.failedFilter = this.filter;
    } else this.goodFilter = this.filter;
    this.error = null;
    this.loading = this.inflight.size > 0;
    if (this.selectedIndex !== null && this.selectedRow === null) this.selectedRow = this.rowAt(this.selectedIndex)?.row ?? null;
    this.version++;
  }

  private evict(near: number): void {
    if (this.pages.size <= MAX_PAGES) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }
}

/** The events a table shows (its applied filter, time range, hosts or finding, and the kinds shown) as an API scope. */
export function tableScope(table: {
  filter: string;
  range: { startMs: number; endMs: number } | null;
  hosts: string[] | null;
  findingId: string | null;
  kinds?: string[] | null;
  columnFilters?: Readonly<Record<string, string>>;
}): EventScope {
  const s: EventScope = {};
  if (table.filter.trim()) s.filter = table.filter.trim();
  const cf = table.columnFilters ? columnFilterList(table.columnFilters) : [];
  if (cf.length > 0) s.columnFilters = cf;
  if (table.range) {
    s.startMs = table.range.startMs;
    s.endMs = table.range.endMs;
  }
  if (table.hosts) s.hosts = table.hosts;
  if (table.findingId) s.findingId = table.findingId;
  if (table.kinds) s.kinds = table.kinds;
  return s;
}
