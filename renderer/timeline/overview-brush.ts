// Overview strip math: pixels <-> times over the whole case extent, and what a drag on the strip does to the
// visible range (a drag inside the brush pans it, a drag elsewhere draws a new range, a click centres on it).
import type { TimeRange } from '../state/timeline-view.svelte.ts';

export interface Extent {
  minMs: number;
  maxMs: number;
}

export function timeToX(t: number, ext: Extent, width: number): number {
  return ((t - ext.minMs) / Math.max(1, ext.maxMs - ext.minMs)) * width;
}

export function xToTime(x: number, ext: Extent, width: number): number {
  return ext.minMs + (Math.min(width, Math.max(0, x)) / Math.max(1, width)) * (ext.maxMs - ext.minMs);
}

/** The brush's left and right edges in pixels, at least `minPx` wide so a one-second view can still be grabbed. */
export function brushPx(view: TimeRange, ext: Extent, width: number, minPx = 6): { x0: number; x1: number } {
  let x0 = timeToX(view.startMs, ext, width);
  let x1 = timeToX(view.endMs, ext, width);
  if (x1 - x0 < minPx) {
    const mid = (x0 + x1) / 2;
    x0 = mid - minPx / 2;
    x1 = mid + minPx / 2;
  }
  return { x0, x1 };
}

export type BrushGesture = 'pan' | 'draw';

/**
 * A press inside the brush (with a little slack) pans it; anywhere else starts a new range. A brush over
 * (nearly) the whole strip has nothing to pan to, so a press on it draws a new range too.
 */
export function gestureAt(x: number, view: TimeRange, ext: Extent, width: number, slackPx = 2): BrushGesture {
  const { x0, x1 } = brushPx(view, ext, width);
  if (Math.min(x1, width) - Math.max(x0, 0) >= width * 0.95) return 'draw';
  return x >= x0 - slackPx && x <= x1 + slackPx ? 'pan' : 'draw';
}

/**
 * The range a drag from `fromX` to `toX` asks for. `pan` shifts `origin` by the dragged time; `draw` spans
 * the two points. The caller's view clamps the result (minimum span, extent margins).
 */
export function dragRange(gesture: BrushGesture, fromX: number, toX: number, origin: TimeRange, ext: Extent, width: number): TimeRange {
  if (gesture === 'pan') {
    const dt = ((toX - fromX) / Math.max(1, width)) * (ext.maxMs - ext.minMs);
    return { startMs: origin.startMs + dt, endMs: origin.endMs + dt };
  }
  const a = xToTime(fromX, ext, width);
  const b = xToTime(toX, ext, width);
  return { startMs: Math.min(a, b), endMs: Math.max(a, b) };
}

/** A click (no drag) outside the brush: the same span, centred on the clicked time. */
export function centreOn(x: number, view: TimeRange, ext: Extent, width: number): TimeRange {
  const t = xToTime(x, ext, width);
  const span = view.endMs - view.startMs;
  return { startMs: t - span / 2, endMs: t + span / 2 };
}

/** Per-bucket finding counts and max risk summed over lanes, for the strip's findings row. */
export function findingsDensity(lanes: ReadonlyArray<{ findings: readonly number[]; maxRisk: readonly number[] }>, buckets: number): { findings: number[]; maxRisk: number[] } {
  const findings = new Array<number>(buckets).fill(0);
  const maxRisk = new Array<number>(buckets).fill(0);
  for (const lane of lanes) {
    for (let b = 0; b < buckets; b++) {
      const f = lane.findings[b] ?? 0;
      if (f <= 0) continue;
      findings[b]! += f;
      const r = lane.maxRisk[b] ?? 0;
      if (r > maxRisk[b]!) maxRisk[b] = r;
    }
  }
  return { findings, maxRisk };
}
