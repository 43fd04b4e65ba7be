// Timeline drawing helpers: axis steps and labels in UTC, hit-testing buckets, link arcs only between lanes.
import { describe, expect, it } from 'vitest';
import { LANE_PX, drawAxis, drawLanes, drawLinks, hitTest, tickLabel, tickStep, tickTimes, type Palette } from '../../../renderer/timeline/draw-timeline.ts';
import type { TimelineResponse } from '../../../engine/rpc/api.ts';
import type { LateralLink } from '../../../engine/detect/types.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const pal: Palette = { density: 'd', grid: 'g', fg: 'f', muted: 'm', laneAlt: 'a', selection: 's', link: 'l', risk: { critical: 'c', high: 'h', medium: 'me', low: 'lo' } };

const link = (from: string, to: string, t: number): LateralLink => ({ id: `${from}-${to}`, fromRow: 1, fromHost: from, fromTimeMs: t, toRow: 2, toHost: to, toTimeMs: t + 1000, kind: 'psexec', evidence: 'x' });

function recorder() {
  const ops: string[] = [];
  const ctx = new Proxy(
    {},
    {
      get: (_t, prop) => (typeof prop === 'string' && !['strokeStyle', 'fillStyle', 'lineWidth'].includes(prop) ? (...args: unknown[]) => ops.push(`${prop}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : a)).join(',')})`) : undefined),
      set: () => true,
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, ops };
}

describe('draw-timeline', () => {
  it('picks tick steps about 90 px apart and labels them in UTC', () => {
    expect(tickStep(3_600_000, 800)).toEqual({ ms: 600_000, months: 0 });
    expect(tickStep(60_000, 800)).toEqual({ ms: 10_000, months: 0 });
    expect(tickStep(30 * 86_400_000, 800)).toEqual({ ms: 7 * 86_400_000, months: 0 });
    expect(tickLabel(T0 + 90_000, { ms: 10_000, months: 0 })).toBe('08:01:30');
    expect(tickLabel(T0 + 600_000, { ms: 600_000, months: 0 })).toBe('08:10');
    expect(tickLabel(T0, { ms: 86_400_000, months: 0 })).toBe('2024-05-01');
    // Below a second (the deepest zoom): millisecond steps and labels.
    expect(tickStep(1_000, 800)).toEqual({ ms: 200, months: 0 });
    expect(tickStep(100, 800)).toEqual({ ms: 20, months: 0 });
    expect(tickLabel(T0 + 90_020, { ms: 20, months: 0 })).toBe('08:01:30.020');
  });

  it('steps by calendar months and years past a week, never crowding the labels', () => {
    // Two captures 537 days apart on an 850 px axis (weekly ticks there were 11 px apart and overlapped):
    // every second month, counted from January.
    const start = Date.UTC(2019, 3, 30, 20, 32, 51);
    const end = Date.UTC(2020, 9, 19, 3, 30, 47);
    const step = tickStep(end - start, 850);
    expect(step).toEqual({ ms: 0, months: 2 });
    const ticks = tickTimes(start, end, step);
    expect(ticks.map((t) => tickLabel(t, step))).toEqual(['2019-05', '2019-07', '2019-09', '2019-11', '2020-01', '2020-03', '2020-05', '2020-07', '2020-09']);
    const px = (t: number) => ((t - start) / (end - start)) * 850;
    for (let i = 1; i < ticks.length; i++) expect(px(ticks[i]!) - px(ticks[i - 1]!)).toBeGreaterThanOrEqual(80);
    // Decades of (bad) timestamps: whole years, labelled by year, on January 1st of the display zone.
    const wide = tickStep(Date.UTC(2030, 0, 1) - Date.UTC(1990, 0, 1), 800);
    expect(wide.months % 12).toBe(0);
    const offset = 9 * 3_600_000;
    const years = tickTimes(Date.UTC(1990, 0, 1), Date.UTC(2030, 0, 1), wide, offset);
    expect(years.length).toBeGreaterThan(3);
    for (const t of years) expect(new Date(t + offset).toISOString()).toMatch(/^\d{4}-01-01T00:00:00/);
    // The range starts 09:00 on 1990-01-01 there: the first five-year tick is 1995.
    expect(wide.months).toBe(60);
    expect(tickLabel(years[0]! + offset, wide)).toBe('1995');
    // Years before 100 are not taken for the 1900s.
    expect(tickTimes(Date.UTC(2000, 0, 1) - 1999 * 365.25 * 86_400_000, Date.UTC(2000, 0, 1), { ms: 0, months: 1200 }).map((t) => new Date(t).getUTCFullYear())).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000]);
  });

  it('hit-tests the bucket and lane under a point', () => {
    const data: TimelineResponse = {
      startMs: T0,
      endMs: T0 + 100_000,
      bucketMs: 10_000,
      lanes: [
        { host: 'DC01', riskScore: 80, counts: Array(10).fill(1), findings: Array(10).fill(0), maxRisk: Array(10).fill(0) },
        { host: 'WKS-NYC-1001', riskScore: 0, counts: [0, 0, 0, 7, 0, 0, 0, 0, 0, 0], findings: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], maxRisk: [0, 0, 0, 56, 0, 0, 0, 0, 0, 0] },
      ],
      total: Array(10).fill(1),
    };
    const hit = hitTest(data, { startMs: T0, endMs: T0 + 100_000, selection: null }, 1000, 350, 'WKS-NYC-1001');
    expect(hit).toEqual({ startMs: T0 + 30_000, endMs: T0 + 40_000, host: 'WKS-NYC-1001', count: 7, findings: 1, maxRisk: 56 });
    expect(hitTest(data, { startMs: T0, endMs: T0 + 100_000, selection: null }, 1000, 1500, 'DC01')).toBeNull();
    expect(hitTest(null, { startMs: T0, endMs: T0 + 1, selection: null }, 1000, 1, 'DC01')).toBeNull();
  });

  it('draws an arc per link between two known lanes, case-insensitively, and skips the rest', () => {
    const lanes = new Map([
      ['dc01', 0],
      ['wks-nyc-1001', LANE_PX],
    ]);
    const { ctx, ops } = recorder();
    drawLinks(ctx, [link('WKS-NYC-1001', 'DC01', T0 + 10_000), link('WKS-NYC-1001', 'UNKNOWN', T0), link('DC01', 'DC01', T0), link('DC01', 'WKS-NYC-1001', T0 + 500_000)], lanes, { startMs: T0, endMs: T0 + 100_000, selection: null }, 1000, pal);
    expect(ops.filter((o) => o.startsWith('bezierCurveTo'))).toHaveLength(1);
    expect(ops).toContain(`moveTo(100,${Math.round(LANE_PX * 1.5)})`);
  });

  it('draws links by the screen, not the case: only lanes on screen and the visible range, each pixel arc once, one stroke', () => {
    // 200 hosts, 100,000 links; two lanes on screen.
    const links: LateralLink[] = [];
    for (let i = 0; i < 100_000; i++) {
      const from = `HOST-${i % 200}`;
      const to = `HOST-${(i * 7 + 1) % 200}`;
      links.push(link(from, to, T0 + (i % 1000) * 1000));
    }
    // 500 more between the two lanes on screen, all at the same instant: one arc on screen.
    for (let i = 0; i < 500; i++) links.push(link('HOST-0', 'HOST-1', T0 + 5_000));
    const lanes = new Map([
      ['host-0', 0],
      ['host-1', LANE_PX],
    ]);
    const { ctx, ops } = recorder();
    const view = { startMs: T0, endMs: T0 + 100_000, selection: null };
    const t = performance.now();
    const drawn = drawLinks(ctx, links, lanes, view, 1000, pal);
    const arcs = ops.filter((o) => o.startsWith('bezierCurveTo')).length;
    expect(arcs).toBe(drawn);
    // HOST-0 -> HOST-1 links among the first 100,000 (i % 200 === 0 and (7i + 1) % 200 === 1): i = 0, 200, ... at
    // times (i % 1000) s: 0, 200, 400, 600, 800 s; only 0 s is in the first 100 s. Plus the 500 at 5 s: one arc.
    expect(drawn).toBe(2);
    expect(ops.filter((o) => o === 'stroke()')).toHaveLength(1);
    expect(ops.filter((o) => o === 'fill()')).toHaveLength(1);
    // Zoomed out to the whole case, still only the on-screen pair's links: 5 distinct times + the 500 at 5 s.
    const wide = drawLinks(recorder().ctx, links, lanes, { startMs: T0, endMs: T0 + 1_000_000, selection: null }, 1000, pal);
    expect(wide).toBe(6);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('draws density only for lanes on screen, matched by host name', () => {
    const data: TimelineResponse = {
      startMs: T0,
      endMs: T0 + 40_000,
      bucketMs: 10_000,
      lanes: [
        { host: 'B', riskScore: 0, counts: [0, 4, 0, 0], findings: [0, 0, 0, 0], maxRisk: [0, 0, 0, 0] },
        { host: 'A', riskScore: 0, counts: [1, 0, 0, 0], findings: [0, 0, 0, 0], maxRisk: [0, 0, 0, 0] },
      ],
      total: [1, 4, 0, 0],
    };
    const { ctx, ops } = recorder();
    drawLanes(ctx, data, [{ host: 'B', index: 5, y: 0 }], LANE_PX, { startMs: T0, endMs: T0 + 40_000, selection: null }, 400, pal);
    const bars = ops.filter((o) => o.startsWith('fillRect'));
    // One stripe for the odd lane, one bar for B's only non-empty bucket; A is not on screen.
    expect(bars).toHaveLength(2);
    expect(bars[1]).toMatch(/^fillRect\(100,/);
  });

  it('puts axis ticks on round times of the display zone', () => {
    const { ctx, ops } = recorder();
    // 08:00-09:00 UTC is 13:45-14:45 in Kathmandu (+05:45): ten-minute ticks at 13:50, 14:00, ...
    drawAxis(ctx, { startMs: T0, endMs: T0 + 3_600_000, selection: null }, 800, pal, (5 * 60 + 45) * 60_000);
    const labels = ops.filter((o) => o.startsWith('fillText')).map((o) => o.slice(9, 14));
    expect(labels[0]).toBe('13:50');
    expect(labels).toContain('14:40');
    expect(ops.find((o) => o.startsWith('fillText(13:50'))).toBe('fillText(13:50,71,9)');
  });
});
