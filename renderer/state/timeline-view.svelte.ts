// Timeline viewport: the visible UTC range, zoom and pan, and the selected range.
// Invariant: the range stays inside the case extent (plus a margin), on whole milliseconds, spans at least
// MIN_SPAN_MS, and a bucket is never finer than MIN_BUCKET_MS. The deepest zoom goes below one second (100 ms,
// 10 ms, 1 ms buckets) so the order of events within a second shows on the lanes; the rules keep binning per second
// (findings sit at their one-second bin, engine/detect), only the density is drawn finer.

export const SECOND_MS = 1000;
/** Finest bucket drawn: one millisecond, the resolution of event times. */
export const MIN_BUCKET_MS = 1;
/** Narrowest visible span: a tenth of a second (1 ms buckets, several pixels each). */
export const MIN_SPAN_MS = 100;

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** Bucket sizes below a second: a view finer than one-second buckets steps to 100 ms, 10 ms, then 1 ms. */
const SUB_SECOND_BUCKETS_MS = [MIN_BUCKET_MS, 10, 100, SECOND_MS];

/**
 * Buckets to request for a span drawn over `columns` screen columns: about one per column while that is a second or
 * more (a finding's one-second context view keeps one-second buckets, as the rules bin), else buckets of the
 * smallest of 100 ms, 10 ms or 1 ms that is at least a column wide.
 */
export function bucketsFor(spanMs: number, columns: number): number {
  const cols = Math.max(1, Math.floor(columns));
  const perColumn = spanMs / cols;
  if (perColumn >= SECOND_MS) return Math.max(1, Math.min(cols, Math.floor(spanMs / SECOND_MS), 20_000));
  const step = SUB_SECOND_BUCKETS_MS.find((s) => s >= perColumn) ?? SECOND_MS;
  return Math.max(1, Math.min(Math.floor(spanMs / step), 20_000));
}

export class TimelineView {
  /** Case extent (first and last event), whole seconds. */
  minMs = $state(0);
  maxMs = $state(MIN_SPAN_MS);
  startMs = $state(0);
  endMs = $state(MIN_SPAN_MS);
  /** Screen columns the timeline draws into (canvas CSS width / 2). */
  columns = $state(600);
  selection = $state.raw<TimeRange | null>(null);

  readonly spanMs = $derived(this.endMs - this.startMs);
  readonly buckets = $derived(bucketsFor(this.endMs - this.startMs, this.columns));

  /** Sets the case extent and shows all of it. */
  setExtent(firstMs: number, lastMs: number): void {
    this.extentTo(firstMs, lastMs);
    this.selection = null;
    this.reset();
  }

  /** Whole seconds around the first and last event (so at least one second). */
  private extentTo(firstMs: number, lastMs: number): void {
    const lo = Math.floor(firstMs / SECOND_MS) * SECOND_MS;
    let hi = Math.ceil((lastMs + 1) / SECOND_MS) * SECOND_MS;
    if (hi - lo < MIN_SPAN_MS) hi = lo + MIN_SPAN_MS;
    this.minMs = lo;
    this.maxMs = hi;
  }

  /** The view shows the whole case and nothing is brushed (it follows the extent as the case grows). */
  get showsAll(): boolean {
    return this.startMs === this.minMs && this.endMs === this.maxMs && this.selection === null;
  }

  /** A new extent of the same case (more events read): the visible range and the selection stay (re-clamped). */
  growExtent(firstMs: number, lastMs: number): void {
    const { startMs, endMs } = this;
    this.extentTo(firstMs, lastMs);
    this.setRange(startMs, endMs);
  }

  reset(): void {
    this.startMs = this.minMs;
    this.endMs = this.maxMs;
  }

  /** Largest span allowed: the extent plus 5 % on each side. */
  get maxSpanMs(): number {
    return Math.max(MIN_SPAN_MS, Math.ceil(((this.maxMs - this.minMs) * 1.1) / SECOND_MS) * SECOND_MS);
  }

  /**
   * Sets the visible range, clamped: span within [MIN_SPAN_MS, maxSpanMs], whole milliseconds (whole seconds from
   * a second up, as before), and not scrolled further than a 5 % margin outside the extent.
   */
  setRange(startMs: number, endMs: number): void {
    let span = Math.max(MIN_SPAN_MS, Math.min(this.maxSpanMs, endMs - startMs));
    const unit = span >= SECOND_MS ? SECOND_MS : 1;
    span = Math.round(span / unit) * unit;
    const margin = Math.max(0, (this.maxSpanMs - (this.maxMs - this.minMs)) / 2);
    const lo = this.minMs - margin;
    const hi = this.maxMs + margin;
    let start = Math.round(startMs / unit) * unit;
    if (start + span > hi) start = hi - span;
    if (start < lo) start = lo;
    start = Math.round(start / unit) * unit;
    this.startMs = start;
    this.endMs = start + span;
  }

  /** Zoom by `factor` (< 1 zooms in) keeping the time under `anchor` (0..1 across the width) in place. */
  zoom(factor: number, anchor = 0.5): void {
    const a = Math.min(1, Math.max(0, anchor));
    const span = this.endMs - this.startMs;
    const pivot = this.startMs + span * a;
    const next = Math.max(MIN_SPAN_MS, Math.min(this.maxSpanMs, span * factor));
    this.setRange(pivot - next * a, pivot - next * a + next);
  }

  /** Pan by a fraction of the visible span (positive moves later in time). */
  panBy(fraction: number): void {
    this.panMs((this.endMs - this.startMs) * fraction);
  }

  panMs(deltaMs: number): void {
    const span = this.endMs - this.startMs;
    this.setRange(this.startMs + deltaMs, this.startMs + deltaMs + span);
  }

  /** Time at horizontal position `x` of a `width`-wide drawing. */
  timeAt(x: number, width: number): number {
    return this.startMs + ((this.endMs - this.startMs) * x) / Math.max(1, width);
  }

  /** Shows `range` (e.g. a finding's bin) with some context around it. */
  focus(range: TimeRange, contextMs = 60 * SECOND_MS): void {
    this.selection = range;
    this.setRange(range.startMs - contextMs, range.endMs + contextMs);
  }

  select(range: TimeRange | null): void {
    this.selection = range;
  }
}
