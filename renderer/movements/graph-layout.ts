// Movement graph layout (issue 14): hosts on a circle in order of first appearance (readable for tens of hosts; the
// circle grows with the count), one curved edge per movement, numbered by time, parallel edges bent apart.
import type { Movement, MovementMethod } from '../../engine/detect/movements/types.ts';

export interface GraphNode {
  host: string;
  x: number;
  y: number;
  sourceOnly: boolean;
}
export interface GraphEdge {
  id: string;
  method: MovementMethod;
  order: number;
  path: string;
  labelX: number;
  labelY: number;
}
export interface GraphLayout {
  size: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** `ordered` is in time order: the edge numbers are its positions (1-based). */
export function graphLayout(ordered: readonly Movement[]): GraphLayout {
  const index = new Map<string, number>();
  const nodes: GraphNode[] = [];
  const node = (host: string, sourceOnly: boolean): number => {
    const key = host.toLowerCase();
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.length;
      index.set(key, i);
      nodes.push({ host, x: 0, y: 0, sourceOnly });
    } else if (!sourceOnly) nodes[i]!.sourceOnly = false;
    return i;
  };
  const ends: Array<[number, number]> = [];
  for (const m of ordered) ends.push([node(m.source ?? m.sourceIp ?? '(unknown source)', m.sourceOnly), node(m.target, false)]);
  const n = nodes.length;
  const radius = Math.max(80, n * 14);
  const size = 2 * radius + 120;
  const c = size / 2;
  nodes.forEach((nd, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2;
    nd.x = r1(c + radius * Math.cos(a));
    nd.y = r1(c + radius * Math.sin(a));
  });
  const seen = new Map<string, number>();
  const edges: GraphEdge[] = ordered.map((m, k) => {
    const [si, ti] = ends[k]!;
    const a = nodes[si]!;
    const b = nodes[ti]!;
    const pair = `${si}>${ti}`;
    const nth = seen.get(pair) ?? 0;
    seen.set(pair, nth + 1);
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const bend = 20 + nth * 14;
    const qx = mx - (dy / len) * bend;
    const qy = my + (dx / len) * bend;
    const path = si === ti ? `M${a.x},${a.y} c30,-40 -30,-40 0,-1` : `M${a.x},${a.y} Q${r1(qx)},${r1(qy)} ${b.x},${b.y}`;
    return { id: m.id, method: m.method, order: k + 1, path, labelX: r1((mx + qx) / 2), labelY: r1((my + qy) / 2) };
  });
  return { size, nodes, edges };
}
