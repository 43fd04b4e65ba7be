#!/usr/bin/env node
// Draws the Hopscope icon (host swimlanes, a lateral "hop" arc, a scope ring) from one geometry into
// resources/icons/icon.svg (vector source) and resources/icons/icon-512.png (512x512 RGBA). Deterministic: same bytes each run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');

const BG = [20, 24, 31];
const LANE = [58, 69, 86];
const HOP = [255, 138, 61];
const DOT = [236, 240, 245];
const SCOPE = [76, 201, 240];

const RADIUS = 96;
const LANES = [180, 280, 380];
const LANE_X = [96, 416];
const LANE_W = 12;
/** Quadratic Bézier hops: from, control, to. */
const HOPS = [
  [[140, 380], [170, 150], [250, 180]],
  [[250, 180], [330, 190], [372, 280]],
];
const HOP_W = 14;
const DOTS = [[140, 380], [250, 180]];
const DOT_R = 18;
const RING = { c: [372, 280], r: 38, w: 12, dot: 14 };

function svg() {
  const hop = ([a, c, b]) => `<path d="M${a[0]} ${a[1]} Q${c[0]} ${c[1]} ${b[0]} ${b[1]}" />`;
  const rgb = (c) => `rgb(${c.join(',')})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <rect width="${SIZE}" height="${SIZE}" rx="${RADIUS}" fill="${rgb(BG)}"/>
  <g stroke="${rgb(LANE)}" stroke-width="${LANE_W}" stroke-linecap="round">
${LANES.map((y) => `    <line x1="${LANE_X[0]}" y1="${y}" x2="${LANE_X[1]}" y2="${y}"/>`).join('\n')}
  </g>
  <g fill="none" stroke="${rgb(HOP)}" stroke-width="${HOP_W}" stroke-linecap="round">
    ${HOPS.map(hop).join('\n    ')}
  </g>
  <g fill="${rgb(DOT)}">
${DOTS.map(([x, y]) => `    <circle cx="${x}" cy="${y}" r="${DOT_R}"/>`).join('\n')}
  </g>
  <circle cx="${RING.c[0]}" cy="${RING.c[1]}" r="${RING.r}" fill="none" stroke="${rgb(SCOPE)}" stroke-width="${RING.w}"/>
  <circle cx="${RING.c[0]}" cy="${RING.c[1]}" r="${RING.dot}" fill="${rgb(HOP)}"/>
</svg>
`;
}

// Signed distances in pixels; coverage = clamp(0.5 - d) gives one pixel of antialiasing.
const segDist = (px, py, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
};
const bezierPoints = ([a, c, b], n = 64) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = i / n, u = 1 - t;
    return [u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1]];
  });
const hopPolylines = HOPS.map((h) => bezierPoints(h));
const roundRectDist = (x, y) => {
  const qx = Math.abs(x - SIZE / 2) - (SIZE / 2 - RADIUS);
  const qy = Math.abs(y - SIZE / 2) - (SIZE / 2 - RADIUS);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - RADIUS;
};
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

function render() {
  const px = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      let c = [...BG];
      const paint = (color, a) => {
        if (a > 0) c = c.map((v, i) => v + (color[i] - v) * a);
      };
      for (const ly of LANES) paint(LANE, cover(segDist(cx, cy, LANE_X[0], ly, LANE_X[1], ly) - LANE_W / 2));
      for (const pts of hopPolylines) {
        let d = Infinity;
        for (let i = 1; i < pts.length; i++) d = Math.min(d, segDist(cx, cy, pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1]));
        paint(HOP, cover(d - HOP_W / 2));
      }
      for (const [dx, dy] of DOTS) paint(DOT, cover(Math.hypot(cx - dx, cy - dy) - DOT_R));
      const rd = Math.hypot(cx - RING.c[0], cy - RING.c[1]);
      paint(SCOPE, cover(Math.abs(rd - RING.r) - RING.w / 2));
      paint(HOP, cover(rd - RING.dot));
      const o = (y * SIZE + x) * 4;
      px[o] = Math.round(c[0]);
      px[o + 1] = Math.round(c[1]);
      px[o + 2] = Math.round(c[2]);
      px[o + 3] = Math.round(255 * cover(roundRectDist(cx, cy)));
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'icon.svg'), svg());
writeFileSync(join(out, 'icon-512.png'), png(render()));
console.log(`make-icon: wrote ${join('resources', 'icons', 'icon.svg')} and icon-512.png`);
