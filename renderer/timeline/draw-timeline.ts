// Canvas drawing for the timeline: density bars per host lane, finding marks coloured by risk, selection,
// and the UTC time axis. Pure functions of (data, view, size, palette): the cost depends on pixels, not events.
import type { LateralLink } from '../../engine/detect/types.ts';
import type { TimelineResponse } from '../../engine/rpc/api.ts';
import { riskBand } from '../format.ts';

export const LANE_PX = 28;
export const AXIS_PX = 22;

export interface Palette {
  density: string;
  grid: string;
  fg: string;
  muted: string;
  laneAlt: string;
  selection: string;
  link: string;
  risk: Record<'critical' | 'high' | 'medium' | 'low', string>;
}

export function readPalette(el: Element): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  return {
    density: v('--density', '#4a74d8'),
    grid: v('--grid', '#e3e6ea'),
    fg: v('--fg', '#1b1f24'),
    muted: v('--fg-muted', '#5b6470'),
    laneAlt: v('--panel-2', '#eef0f3'),
    selection: v('--accent', '#2458d6'),
    link: v('--link', '#8a3ffc'),
    risk: {
      critical: v('--risk-critical', '#c4162a'),
      high: v('--risk-high', '#e0601b'),
      medium: v('--risk-medium', '#d7a000'),
      low: v('--risk-low', '#5c8f3a'),
    },
  };
}

const palettes = new WeakMap<Element, { key: string; pal: Palette }>();
/**
 * readPalette, remembered per element until `key` (the theme) changes: getComputedStyle on every frame would
 * force a style recalculation whenever anything on the page changed style in that frame.
 */
export function paletteFor(el: Element, key: string): Palette {
  const hit = palettes.get(el);
  if (hit && hit.key === key) return hit.pal;
  const pal = readPalette(el);
  palettes.set(el, { key, pal });
  return pal;
}

export interface ViewWindow {
  startMs: number;
  endMs: number;
  selection: { startMs: number; endMs: number } | null;
}

/** Sizes the canvas backing store for the device pixel ratio and returns a context in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, cssW: number, cssH: number, dpr: number): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  return ctx;
}

/** A lane on screen: its host, its position in the lane order and its top edge on the canvas (CSS px). */
export interface LaneSlot {
  host: string;
  index: number;
  y: number;
}

/**
 * Density bars, finding marks and the selection for the lanes in `slots` (only those on screen). Answer
 * lanes are matched by host name, so the answer may hold more or fewer lanes than are shown.
 */
export function drawLanes(ctx: CanvasRenderingContext2D, data: TimelineResponse | null, slots: readonly LaneSlot[], heightPx: number, view: ViewWindow, width: number, pal: Palette): void {
  const span = Math.max(1, view.endMs - view.startMs);
  const xOf = (t: number): number => ((t - view.startMs) / span) * width;
  for (const slot of slots) {
    if (slot.index % 2 === 1) {
      ctx.fillStyle = pal.laneAlt;
      ctx.fillRect(0, slot.y, width, LANE_PX);
    }
  }
  if (data) {
    const byHost = new Map(data.lanes.map((l) => [l.host, l]));
    let max = 1;
    for (const lane of data.lanes) for (const c of lane.counts) if (c > max) max = c;
    // sqrt keeps sparse hosts visible next to noisy ones.
    const scale = (LANE_PX - 6) / Math.sqrt(max);
    const bucketW = Math.max(1, (data.bucketMs / span) * width);
    const barW = Math.max(1, bucketW - (bucketW > 3 ? 1 : 0));
    ctx.fillStyle = pal.density;
    for (const slot of slots) {
      const counts = byHost.get(slot.host)?.counts;
      if (!counts) continue;
      const base = slot.y + LANE_PX - 2;
      for (let b = 0; b < counts.length; b++) {
        const c = counts[b]!;
        if (c <= 0) continue;
        const x = xOf(data.startMs + b * data.bucketMs);
        if (x + bucketW < 0 || x > width) continue;
        const h = Math.max(1, Math.sqrt(c) * scale);
        ctx.fillRect(x, base - h, barW, h);
      }
    }
    for (const slot of slots) {
      const lane = byHost.get(slot.host);
      if (!lane) continue;
      const top = slot.y + 2;
      for (let b = 0; b < lane.findings.length; b++) {
        if ((lane.findings[b] ?? 0) <= 0) continue;
        const x = xOf(data.startMs + (b + 0.5) * data.bucketMs);
        if (x < -6 || x > width + 6) continue;
        ctx.fillStyle = pal.risk[riskBand(lane.maxRisk[b] ?? 0)];
        ctx.beginPath();
        ctx.moveTo(x - 5, top);
        ctx.lineTo(x + 5, top);
        ctx.lineTo(x, top + 8);
        ctx.closePath();
        ctx.fill();
      }
    }
  }
  if (view.selection) {
    const x0 = Math.max(0, xOf(view.selection.startMs));
    const x1 = Math.min(width, xOf(view.selection.endMs));
    if (x1 >= 0 && x0 <= width) {
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = pal.selection;
      ctx.fillRect(x0, 0, Math.max(2, x1 - x0), heightPx);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = pal.selection;
      ctx.strokeRect(x0 + 0.5, 0.5, Math.max(2, x1 - x0) - 1, heightPx - 1);
    }
  }
}

const STEPS_MS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
].map((s) => Math.round(s * 1000));
/** Past a week, ticks fall on calendar months (and years): a fixed step would drift off month starts. */
const STEPS_MONTHS = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200];
const AVG_MONTH_MS = 30.436875 * 86_400_000;

/** UTC start of month `m` counted from January of year 0 (setUTCFullYear: Date.UTC maps years 0-99 to 1900s). */
function monthStart(m: number): number {
  const d = new Date(0);
  d.setUTCFullYear(Math.floor(m / 12), ((m % 12) + 12) % 12, 1);
  return d.getTime();
}

/** A tick step: a fixed number of milliseconds, or a number of calendar months (`months` > 0, `ms` 0). */
export interface TickStep {
  ms: number;
  months: number;
}

/** Tick step giving labels about `minPx` apart. */
export function tickStep(spanMs: number, width: number, minPx = 90): TickStep {
  const perPx = spanMs / Math.max(1, width);
  const ms = STEPS_MS.find((s) => s / perPx >= minPx);
  if (ms !== undefined) return { ms, months: 0 };
  const months = STEPS_MONTHS.find((m) => (m * AVG_MONTH_MS) / perPx >= minPx) ?? STEPS_MONTHS[STEPS_MONTHS.length - 1]!;
  return { ms: 0, months };
}

/** The label of a tick at `t` (already shifted into the display zone). */
export function tickLabel(t: number, step: TickStep): string {
  const iso = new Date(t).toISOString();
  if (step.months >= 12) return iso.slice(0, 4);
  if (step.months > 0) return iso.slice(0, 7);
  if (step.ms >= 86_400_000) return iso.slice(0, 10);
  if (t % 86_400_000 === 0) return iso.slice(5, 10) + ' 00:00';
  if (step.ms >= 60_000) return iso.slice(11, 16);
  if (step.ms < 1000) return iso.slice(11, 23);
  return iso.slice(11, 19);
}

/** Tick times (UTC ms) in [startMs, endMs], on round times of a zone `offsetMs` east of UTC. */
export function tickTimes(startMs: number, endMs: number, step: TickStep, offsetMs = 0): number[] {
  const out: number[] = [];
  if (step.months === 0) {
    for (let t = Math.ceil((startMs + offsetMs) / step.ms) * step.ms - offsetMs; t <= endMs; t += step.ms) out.push(t);
    return out;
  }
  const first = new Date(startMs + offsetMs);
  // Month index since year 0, rounded up to a month start, then to a multiple of the step (years on January).
  let m = first.getUTCFullYear() * 12 + first.getUTCMonth();
  if (monthStart(m) < startMs + offsetMs) m++;
  m = Math.ceil(m / step.months) * step.months;
  for (;;) {
    const t = monthStart(m) - offsetMs;
    if (!(t <= endMs)) break;
    out.push(t);
    m += step.months;
  }
  return out;
}

/** The axis in UTC, or in a display zone `offsetMs` east of UTC (ticks fall on that zone's round times). */
export function drawAxis(ctx: CanvasRenderingContext2D, view: ViewWindow, width: number, pal: Palette, offsetMs = 0): void {
  const span = Math.max(1, view.endMs - view.startMs);
  const step = tickStep(span, width);
  ctx.strokeStyle = pal.grid;
  ctx.fillStyle = pal.muted;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  ctx.moveTo(0, AXIS_PX - 0.5);
  ctx.lineTo(width, AXIS_PX - 0.5);
  ctx.stroke();
  for (const t of tickTimes(view.startMs, view.endMs, step, offsetMs)) {
    const x = Math.round(((t - view.startMs) / span) * width) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_PX - 6);
    ctx.lineTo(x, AXIS_PX);
    ctx.stroke();
    ctx.fillText(tickLabel(t + offsetMs, step), x + 3, AXIS_PX / 2 - 2);
  }
}

/** One (from host, to host) pair's links, sorted by source time. */
interface LinkGroup {
  from: Float64Array;
  to: Float64Array;
  /** 1 when the link found a target-side event (toRow >= 0), 0 when it ends on the lane without one. */
  landed: Uint8Array;
  /** Largest |to - from|: links starting this long before the view may still reach into it. */
  maxGapMs: number;
}

/** Links grouped by their (lower-cased) host pair, built once per (immutable) links array. */
interface LinkIndex {
  /** from host -> to host -> group */
  pairs: Map<string, Map<string, LinkGroup>>;
}
const linkIndexes = new WeakMap<readonly LateralLink[], LinkIndex>();

function linkIndex(links: readonly LateralLink[]): LinkIndex {
  let idx = linkIndexes.get(links);
  if (idx) return idx;
  const lists = new Map<string, Map<string, LateralLink[]>>();
  for (const l of links) {
    const a = l.fromHost.toLowerCase();
    const b = l.toHost.toLowerCase();
    if (a === b) continue;
    let byTo = lists.get(a);
    if (!byTo) lists.set(a, (byTo = new Map()));
    let list = byTo.get(b);
    if (!list) byTo.set(b, (list = []));
    list.push(l);
  }
  idx = { pairs: new Map() };
  for (const [a, byTo] of lists) {
    const groups = new Map<string, LinkGroup>();
    for (const [b, list] of byTo) {
      list.sort((x, y) => x.fromTimeMs - y.fromTimeMs);
      const from = new Float64Array(list.length);
      const to = new Float64Array(list.length);
      const landed = new Uint8Array(list.length);
      let maxGapMs = 0;
      for (let i = 0; i < list.length; i++) {
        from[i] = list[i]!.fromTimeMs;
        to[i] = list[i]!.toTimeMs;
        landed[i] = list[i]!.toRow >= 0 ? 1 : 0;
        maxGapMs = Math.max(maxGapMs, Math.abs(to[i]! - from[i]!));
      }
      groups.set(b, { from, to, landed, maxGapMs });
    }
    idx.pairs.set(a, groups);
  }
  linkIndexes.set(links, idx);
  return idx;
}

/**
 * First index of the sorted `xs` whose value is >= `v`. The same as engine/store/time-order.ts's lowerBound, which
 * the renderer cannot import: it may take only types from the engine (scripts/check-boundaries.mjs).
 */
function lowerBound(xs: Float64Array, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Arc and dot keys already drawn this frame, and the dots to draw (reused: no allocation per frame). */
const drawnArcs = new Set<number>();
const drawnDots = new Set<number>();
const dots: number[] = [];

/**
 * Lateral-movement links as arcs from the source host's lane to the target host's lane. `laneTop` maps a
 * lower-cased host to its lane's top edge (the lanes on screen); links with an end off screen or without a lane
 * are skipped. The cost follows the screen, not the case: links are indexed once per links array by host pair
 * and time, so only pairs of lanes on screen and links in the visible range are visited; an arc landing on the
 * same pixels as one already drawn (same lanes, same whole-pixel ends) is drawn once; all arcs go into one path
 * (one stroke) and all end dots into another (one fill). Returns how many arcs were drawn.
 */
export function drawLinks(ctx: CanvasRenderingContext2D, links: readonly LateralLink[], laneTop: ReadonlyMap<string, number>, view: ViewWindow, width: number, pal: Palette, colour: string = pal.link): number {
  if (links.length === 0 || laneTop.size < 2) return 0;
  const span = Math.max(1, view.endMs - view.startMs);
  const idx = linkIndex(links);
  drawnArcs.clear();
  drawnDots.clear();
  dots.length = 0;
  let drawn = 0;
  ctx.beginPath();
  for (const [hostA, a] of laneTop) {
    const groups = idx.pairs.get(hostA);
    if (!groups) continue;
    for (const [hostB, b] of laneTop) {
      if (a === b) continue;
      const g = groups.get(hostB);
      if (!g) continue;
      const end = lowerBound(g.from, view.endMs + g.maxGapMs + 1);
      const y0 = a + LANE_PX / 2;
      const y1 = b + LANE_PX / 2;
      const bend = Math.min(40, Math.abs(y1 - y0) / 3) + 8;
      const laneKey = (Math.round(a) + LANE_PX) * 8192 + (Math.round(b) + LANE_PX);
      for (let i = lowerBound(g.from, view.startMs - g.maxGapMs - 1); i < end; i++) {
        const x0 = ((g.from[i]! - view.startMs) / span) * width;
        const x1 = ((g.to[i]! - view.startMs) / span) * width;
        if ((x0 < 0 && x1 < 0) || (x0 > width && x1 > width)) continue;
        if (x0 >= 0 && x0 <= width && x1 >= 0 && x1 <= width && laneKey < 8192 * 8192) {
          // Both ends on screen: key on (lanes, whole-pixel ends); 4 x 13 bits fit a double exactly.
          const key = (laneKey * 8192 + Math.round(x0)) * 8192 + Math.round(x1);
          if (drawnArcs.has(key)) continue;
          drawnArcs.add(key);
        }
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0 + bend, y0, x1 + bend, y1, x1, y1);
        drawn++;
        // A link without a target-side event ends on the lane with no dot: there is no event to point at.
        if (g.landed[i] === 1 && x1 >= -3 && x1 <= width + 3) {
          const dot = (Math.round(b) + LANE_PX) * 16384 + Math.round(x1) + 8;
          if (!drawnDots.has(dot)) {
            drawnDots.add(dot);
            dots.push(x1, y1);
          }
        }
      }
    }
  }
  if (drawn === 0) return 0;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i < dots.length; i += 2) {
    ctx.moveTo(dots[i]! + 3, dots[i + 1]!);
    ctx.arc(dots[i]!, dots[i + 1]!, 3, 0, Math.PI * 2);
  }
  ctx.fillStyle = colour;
  ctx.fill();
  return drawn;
}

export interface Hit {
  startMs: number;
  endMs: number;
  host: string | null;
  count: number;
  findings: number;
  maxRisk: number;
}

/** Which bucket (time range) lies under `x` in the lane of `host` (null: no lane, counts are totals). */
export function hitTest(data: TimelineResponse | null, view: ViewWindow, width: number, x: number, host: string | null): Hit | null {
  if (!data || width <= 0) return null;
  const t = view.startMs + ((view.endMs - view.startMs) * x) / width;
  const b = Math.floor((t - data.startMs) / data.bucketMs);
  if (b < 0 || b >= data.total.length) return null;
  const startMs = data.startMs + b * data.bucketMs;
  const lane = host === null ? undefined : data.lanes.find((l) => l.host === host);
  return {
    startMs,
    endMs: startMs + data.bucketMs,
    host: lane?.host ?? host,
    count: lane?.counts[b] ?? data.total[b] ?? 0,
    findings: lane?.findings[b] ?? 0,
    maxRisk: lane?.maxRisk[b] ?? 0,
  };
}

/** The one character drawn for a rule's findings: its `glyph`, else the first letter or digit of its id. */
export function glyphFor(rule: { id: string; glyph?: string } | undefined, ruleId: string): string {
  if (rule?.glyph) return rule.glyph;
  const m = /[A-Za-z0-9]/.exec(ruleId);
  return m ? m[0].toUpperCase() : '?';
}

export interface GlyphMark {
  ruleId: string;
  host: string;
  binStartMs: number;
  binEndMs: number;
  riskScore: number;
}

/**
 * A badge with the rule's glyph per finding, coloured by risk, in the lanes on screen. `marks` are sorted by
 * time; within a lane a badge closer than `gapPx` to the previous one is skipped so labels never overlap.
 * Returns how many badges were drawn.
 */
export function drawGlyphs(ctx: CanvasRenderingContext2D, marks: readonly GlyphMark[], glyph: (ruleId: string) => string, laneTop: ReadonlyMap<string, number>, view: ViewWindow, width: number, pal: Palette, gapPx = 12): number {
  const span = Math.max(1, view.endMs - view.startMs);
  const lastX = new Map<string, number>();
  let drawn = 0;
  ctx.font = 'bold 9px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const m of marks) {
    if (m.binEndMs < view.startMs || m.binStartMs > view.endMs) continue;
    const top = laneTop.get(m.host);
    if (top === undefined) continue;
    const x = ((m.binStartMs + (m.binEndMs - m.binStartMs) / 2 - view.startMs) / span) * width;
    if (x < -6 || x > width + 6) continue;
    const prev = lastX.get(m.host);
    if (prev !== undefined && x - prev < gapPx) continue;
    lastX.set(m.host, x);
    ctx.fillStyle = pal.risk[riskBand(m.riskScore)];
    ctx.fillRect(x - 5, top + 2, 10, 11);
    ctx.fillStyle = '#fff';
    ctx.fillText(glyph(m.ruleId), x, top + 8);
    drawn++;
  }
  ctx.textAlign = 'start';
  return drawn;
}

/** Lane backgrounds for hosts on the selected lateral-movement chain. */
export function drawChain(ctx: CanvasRenderingContext2D, chain: ReadonlySet<string>, slots: readonly LaneSlot[], width: number, pal: Palette): void {
  if (chain.size === 0) return;
  ctx.globalAlpha = 0.12;
  ctx.fillStyle = pal.link;
  for (const s of slots) if (chain.has(s.host.toLowerCase())) ctx.fillRect(0, s.y, width, LANE_PX);
  ctx.globalAlpha = 1;
}
