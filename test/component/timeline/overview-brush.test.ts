// Overview strip math: the brush over the whole extent, pan vs draw gestures, click-to-centre, findings density.
import { describe, expect, it } from 'vitest';
import { brushPx, centreOn, dragRange, findingsDensity, gestureAt, timeToX, xToTime } from '../../../renderer/timeline/overview-brush.ts';

const ext = { minMs: 0, maxMs: 1_000_000 };

describe('overview brush', () => {
  it('maps times to pixels over the whole extent and clamps pixels to the strip', () => {
    expect(timeToX(250_000, ext, 400)).toBe(100);
    expect(xToTime(100, ext, 400)).toBe(250_000);
    expect(xToTime(-20, ext, 400)).toBe(0);
    expect(xToTime(900, ext, 400)).toBe(1_000_000);
  });

  it('keeps a tiny view grabbable: the brush is at least 6 px wide around its centre', () => {
    expect(brushPx({ startMs: 250_000, endMs: 500_000 }, ext, 400)).toEqual({ x0: 100, x1: 200 });
    expect(brushPx({ startMs: 500_000, endMs: 501_000 }, ext, 400)).toEqual({ x0: 197.2, x1: 203.2 });
  });

  it('a press inside the brush pans, outside draws', () => {
    const view = { startMs: 250_000, endMs: 500_000 };
    expect(gestureAt(150, view, ext, 400)).toBe('pan');
    expect(gestureAt(99, view, ext, 400)).toBe('pan');
    expect(gestureAt(300, view, ext, 400)).toBe('draw');
    expect(gestureAt(10, view, ext, 400)).toBe('draw');
    // The whole case in view: nothing to pan, so a press draws.
    expect(gestureAt(200, { startMs: -50_000, endMs: 1_050_000 }, ext, 400)).toBe('draw');
    expect(gestureAt(200, { startMs: 0, endMs: 1_000_000 }, ext, 400)).toBe('draw');
  });

  it('pan shifts the origin by the dragged time; draw spans both points in either direction', () => {
    const origin = { startMs: 250_000, endMs: 500_000 };
    expect(dragRange('pan', 150, 190, origin, ext, 400)).toEqual({ startMs: 350_000, endMs: 600_000 });
    expect(dragRange('pan', 150, 110, origin, ext, 400)).toEqual({ startMs: 150_000, endMs: 400_000 });
    expect(dragRange('draw', 320, 280, origin, ext, 400)).toEqual({ startMs: 700_000, endMs: 800_000 });
  });

  it('a click centres the same span on the clicked time', () => {
    expect(centreOn(300, { startMs: 0, endMs: 100_000 }, ext, 400)).toEqual({ startMs: 700_000, endMs: 800_000 });
  });

  it('sums findings over lanes and keeps the highest risk per bucket', () => {
    const d = findingsDensity(
      [
        { findings: [0, 2, 0], maxRisk: [0, 40, 0] },
        { findings: [1, 1, 0], maxRisk: [90, 80, 0] },
      ],
      3,
    );
    expect(d).toEqual({ findings: [1, 3, 0], maxRisk: [90, 80, 0] });
  });
});
