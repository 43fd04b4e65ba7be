// Movement graph layout (issue 14): hosts on a circle in order of first appearance (readable for tens of hosts; the
// circle grows with the count), one curved edge per movement, numbered by time, parallel edges bent apart. The
// margin around the circle fits the longest label, so every node and its name are inside the view box.
import type { Movement, MovementMethod } from '../../engine/detect/movements/types.ts';
import { cutForDisplay, neutraliseBidi } from '../log-text.ts';

export interface GraphNode {
  host: string;
  /** What the node says: the host (bidi controls shown as marks, cut at LABEL_MAX), "(source only)" when so. */
  label: string;
  x: number;
  y: number;
  sourceOnly: boolean;
  /** No host and no address is known for this movement's source: a node of its own, never shared. */
  unknown: boolean;
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

/** Characters of a host name a node shows. */
export const LABEL_MAX = 24;
/** Width of a label character in the graph's 10 px font (generous: capitals and marks are wide). */
export const LABEL_CHAR_PX = 6.5;
/** A label's baseline sits this far above its node. */
export const LABEL_RISE = 10;
export const UNKNOWN_SOURCE = 'unknown source';

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** The text a node shows for `host`. */
export function nodeLabel(host: string, sourceOnly: boolean): string {
  const cut = cutForDisplay(neutraliseBidi(host), LABEL_MAX);
  return `${cut.shown}${cut.hidden > 0 ? '…' : ''}${sourceOnly ? ' (source only)' : ''}`;
}

/** `ordered` is in time order: the edge numbers are its positions (1-based). */
export function graphLayout(ordered: readonly Movement[]): GraphLayout {
  const index = new Map<string, number>();
  const nodes: GraphNode[] = [];
  const node = (key: string, host: string, sourceOnly: boolean, unknown = false): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.length;
      index.set(key, i);
      nodes.push({ host, label: '', x: 0, y: 0, sourceOnly, unknown });
    } else if (!sourceOnly) nodes[i]!.sourceOnly = false;
    return i;
  };
  const ends: Array<[number, number]> = [];
  for (const m of ordered) {
    const from = m.source ?? m.sourceIp;
    // Two movements whose sources are both unknown need not come from one host: each gets its own node.
    const si = from ? node(`h:${from.toLowerCase()}`, from, m.sourceOnly) : node(`?:${m.id}`, UNKNOWN_SOURCE, false, true);
    ends.push([si, node(`h:${m.target.toLowerCase()}`, m.target, false)]);
  }
  for (const nd of nodes) nd.label = nd.unknown ? UNKNOWN_SOURCE : nodeLabel(nd.host, nd.sourceOnly);
  const n = nodes.length;
  const radius = Math.max(80, n * 14);
  const widest = nodes.reduce((w, nd) => Math.max(w, nd.label.length * LABEL_CHAR_PX), 0);
  // Labels are centred on their node: half the widest one beside the circle, and room above the top node.
  const margin = Math.ceil(Math.max(60, widest / 2 + 8, LABEL_RISE + 20));
  const size = 2 * radius + 2 * margin;
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
