// Movement graph layout (issue 14): deterministic, every node and its label inside the view box, one node per host
// (case-insensitively), an edge per movement numbered in time order, an unknown source never shared.
import { describe, expect, it } from 'vitest';
import { LABEL_CHAR_PX, LABEL_RISE, graphLayout, nodeLabel } from '../../../renderer/movements/graph-layout.ts';
import { inTimeOrder } from '../../../renderer/movements/movement-text.ts';
import { BASE_MS } from '../fake-api.ts';
import { movement, threeMovements } from './fixtures.ts';

function onScreen(layout: ReturnType<typeof graphLayout>): void {
  for (const n of layout.nodes) {
    // The circle (r = 6) and the centred label above it.
    expect(n.x - 6).toBeGreaterThanOrEqual(0);
    expect(n.x + 6).toBeLessThanOrEqual(layout.size);
    expect(n.y + 6).toBeLessThanOrEqual(layout.size);
    const half = (n.label.length * LABEL_CHAR_PX) / 2;
    expect(n.x - half, `${n.label} starts off screen`).toBeGreaterThanOrEqual(0);
    expect(n.x + half, `${n.label} ends off screen`).toBeLessThanOrEqual(layout.size);
    expect(n.y - LABEL_RISE - 10).toBeGreaterThanOrEqual(0);
  }
}

describe('graphLayout', () => {
  it('is deterministic: the same movements in any order give the same picture once put in time order', () => {
    const mv = threeMovements().movements;
    const a = graphLayout(inTimeOrder(mv));
    const b = graphLayout(inTimeOrder([...mv].reverse()));
    expect(b).toEqual(a);
    expect(JSON.stringify(graphLayout(inTimeOrder(mv)))).toBe(JSON.stringify(a));
    // Edges numbered in time order: the RDP at +20 s, PsExec at +42 s, wmiexec at +100 s.
    expect(a.edges.map((e) => [e.order, e.id, e.method])).toEqual([
      [1, 'mv-c', 'rdp'],
      [2, 'mv-a', 'psexec'],
      [3, 'mv-b', 'wmiexec'],
    ]);
    // Nodes in order of first appearance; the IP-only source is a node named by its address.
    expect(a.nodes.map((n) => n.host)).toEqual(['203.0.113.9', 'WKS-NYC-1002', 'WKS-NYC-1001', 'DC01', 'SRV-FILE-01']);
  });

  it('one node per host whatever the case of the name; parallel edges bend apart', () => {
    const l = graphLayout([movement({ id: 'x1', target: 'DC01' }), movement({ id: 'x2', source: 'wks-nyc-1001', target: 'dc01', firstMs: BASE_MS + 50_000 })]);
    expect(l.nodes.map((n) => n.host)).toEqual(['WKS-NYC-1001', 'DC01']);
    expect(l.edges).toHaveLength(2);
    expect(l.edges[0]!.path).not.toBe(l.edges[1]!.path);
    expect(l.edges[0]!.path.startsWith(`M${l.nodes[0]!.x},${l.nodes[0]!.y} `)).toBe(true);
    expect(l.edges[0]!.path.endsWith(` ${l.nodes[1]!.x},${l.nodes[1]!.y}`)).toBe(true);
  });

  it('keeps every node and its label on screen, for one movement, long names and a hundred hosts', () => {
    onScreen(graphLayout([movement()]));
    const long = 'W'.repeat(200);
    const l = graphLayout([movement({ source: long, sourceOnly: true }), movement({ source: 'A', target: 'B'.repeat(30) })]);
    onScreen(l);
    expect(l.nodes[0]!.label).toBe(`${'W'.repeat(24)}… (source only)`);
    const many = Array.from({ length: 100 }, (_, i) => movement({ source: `WKS-${String(i).padStart(3, '0')}-LONGER-NAME-HERE`, target: 'DC01', firstMs: BASE_MS + i }));
    const big = graphLayout(many);
    expect(big.nodes).toHaveLength(101);
    onScreen(big);
  });

  it('marks a host source only unless it is also a target; an unknown source is a node of its own each time', () => {
    const l = graphLayout([
      movement({ id: 'a', source: 'GHOST', sourceOnly: true, target: 'DC01' }),
      movement({ id: 'b', source: null, sourceIp: null, target: 'DC01', firstMs: BASE_MS + 50_000 }),
      movement({ id: 'c', source: null, sourceIp: null, target: 'SRV-FILE-01', firstMs: BASE_MS + 60_000 }),
    ]);
    expect(l.nodes.map((n) => [n.label, n.sourceOnly, n.unknown])).toEqual([
      ['GHOST (source only)', true, false],
      ['DC01', false, false],
      ['unknown source', false, true],
      ['unknown source', false, true],
      ['SRV-FILE-01', false, false],
    ]);
    const back = graphLayout([movement({ id: 'a', source: 'GHOST', sourceOnly: true }), movement({ id: 'b', source: 'DC01', target: 'ghost', firstMs: BASE_MS + 50_000 })]);
    expect(back.nodes.find((n) => n.host === 'GHOST')!.sourceOnly).toBe(false);
  });

  it('shows bidi controls in a label as marks and never more than the cut', () => {
    expect(nodeLabel('DC\u202E01', false)).toBe('DC⟨U+202E⟩01');
    expect(nodeLabel('\u202E'.repeat(40), false).length).toBeLessThanOrEqual(25);
  });
});
