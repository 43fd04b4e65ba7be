// TimelineView: zoom goes down to 1 ms buckets (a 100 ms span) and out to the extent; pan keeps the span and stays in bounds.
import { describe, expect, it } from 'vitest';
import { MIN_BUCKET_MS, MIN_SPAN_MS, SECOND_MS, TimelineView, bucketsFor } from '../../../renderer/state/timeline-view.svelte.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 5, 14, 0, 0);

function view(): TimelineView {
  const v = new TimelineView();
  v.setExtent(T0, T0 + HOUR - 1);
  return v;
}

describe('TimelineView', () => {
  it('shows the whole extent after setExtent', () => {
    const v = view();
    expect(v.startMs).toBe(T0);
    expect(v.endMs).toBe(T0 + HOUR);
    expect(v.spanMs).toBe(HOUR);
  });

  it('zooming in repeatedly goes below one second and stops at the minimum span, on whole milliseconds', () => {
    const v = view();
    for (let i = 0; i < 100; i++) v.zoom(0.5, 0.3);
    expect(MIN_SPAN_MS).toBeLessThan(SECOND_MS);
    expect(v.spanMs).toBe(MIN_SPAN_MS);
    expect(Number.isInteger(v.startMs)).toBe(true);
    expect(Number.isInteger(v.endMs)).toBe(true);
    expect(v.startMs).toBeGreaterThanOrEqual(T0);
  });

  it('the deepest zoom draws sub-second buckets (100 ms, 10 ms, down to 1 ms), never finer', () => {
    const v = view();
    v.columns = 400;
    const sizes = new Set<number>();
    for (let i = 0; i < 100; i++) {
      v.zoom(0.5);
      sizes.add(v.spanMs / v.buckets);
    }
    expect(v.spanMs / v.buckets).toBe(MIN_BUCKET_MS);
    expect([...sizes].some((s) => s === 100)).toBe(true);
    expect([...sizes].some((s) => s === 10)).toBe(true);
    expect(Math.min(...sizes)).toBe(1);
    // Sub-second buckets step through 100 ms, 10 ms and 1 ms; one second or more per column is as before.
    expect(bucketsFor(10_000, 800)).toBe(100);
    expect(bucketsFor(1_000, 400)).toBe(100);
    expect(bucketsFor(100, 800)).toBe(100);
    expect(bucketsFor(HOUR, 800)).toBe(800);
    // A finding's context view (its second and a minute each side) keeps one-second buckets, as the rules bin.
    expect(bucketsFor(121_000, 383)).toBe(121);
    // From a second up the range stays on whole seconds, as before.
    v.reset();
    v.zoom(0.3, 0.37);
    expect(v.startMs % 1000).toBe(0);
    expect(v.endMs % 1000).toBe(0);
  });

  it('zoom keeps the time under the anchor in place', () => {
    const v = view();
    const anchorTime = v.timeAt(200, 1000);
    v.zoom(0.5, 0.2);
    expect(Math.abs(v.timeAt(200, 1000) - anchorTime)).toBeLessThanOrEqual(1000);
    expect(v.spanMs).toBe(HOUR / 2);
  });

  it('zooming out stops at the extent plus margin', () => {
    const v = view();
    for (let i = 0; i < 20; i++) v.zoom(2);
    expect(v.spanMs).toBe(v.maxSpanMs);
    expect(v.startMs).toBeLessThan(T0);
    expect(v.endMs).toBeGreaterThan(T0 + HOUR);
  });

  it('pans by a fraction of the span and clamps at the ends', () => {
    const v = view();
    v.zoom(0.25, 0);
    const span = v.spanMs;
    v.panBy(0.5);
    expect(v.startMs).toBe(T0 + span / 2);
    expect(v.spanMs).toBe(span);
    for (let i = 0; i < 50; i++) v.panBy(1);
    expect(v.spanMs).toBe(span);
    expect(v.endMs).toBeLessThanOrEqual(T0 + HOUR + (v.maxSpanMs - HOUR) / 2 + 1000);
    for (let i = 0; i < 50; i++) v.panBy(-1);
    expect(v.startMs).toBeGreaterThanOrEqual(T0 - (v.maxSpanMs - HOUR) / 2 - 1000);
    expect(v.startMs).toBeLessThan(T0);
  });

  it('focus selects a range and shows it with context', () => {
    const v = view();
    v.focus({ startMs: T0 + 600_000, endMs: T0 + 601_000 }, 30_000);
    expect(v.selection).toEqual({ startMs: T0 + 600_000, endMs: T0 + 601_000 });
    expect(v.startMs).toBe(T0 + 570_000);
    expect(v.endMs).toBe(T0 + 631_000);
  });

  it('a tiny extent is widened to one second', () => {
    const v = new TimelineView();
    v.setExtent(T0, T0);
    expect(v.spanMs).toBe(SECOND_MS);
  });
});
