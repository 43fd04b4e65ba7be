// Timeline arcs for movements (issue 14): from the source lane at the first source-side step to the target lane at
// the first target-side step, grouped and coloured by method (the legend's order), a link that is part of a
// movement drawn once as the movement, and lanes for sources that have none.
import { describe, expect, it } from 'vitest';
import { METHOD_COLOURS, METHOD_LABELS, arcGroups, linkMethod, movementArc, sourceOnlyHosts } from '../../../renderer/movements/movement-arcs.ts';
import { LANE_PX, drawLinks, type Palette } from '../../../renderer/timeline/draw-timeline.ts';
import type { LateralLink } from '../../../engine/detect/types.ts';
import { BASE_MS, HOSTS, LINKS } from '../fake-api.ts';
import { PSEXEC, movement, step, threeMovements } from './fixtures.ts';

const pal: Palette = { density: 'd', grid: 'g', fg: 'f', muted: 'm', laneAlt: 'a', selection: 's', link: 'l', risk: { critical: 'c', high: 'h', medium: 'me', low: 'lo' } };

function recorder() {
  const ops: string[] = [];
  const ctx = new Proxy(
    {},
    {
      get: (_t, prop) => (typeof prop === 'string' ? (...args: unknown[]) => ops.push(`${prop}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : a)).join(',')})`) : undefined),
      set: (_t, prop, v) => (ops.push(`${String(prop)}=${String(v)}`), true),
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, ops };
}

describe('movement arcs', () => {
  it('an arc goes from the source at its first source-side step to the target at its first target-side step', () => {
    expect(movementArc(PSEXEC)).toEqual({
      id: PSEXEC.id,
      fromRow: 42,
      fromHost: 'WKS-NYC-1001',
      fromTimeMs: BASE_MS + 42_000,
      toRow: 44,
      toHost: 'DC01',
      toTimeMs: BASE_MS + 44_000,
      kind: 'psexec',
      evidence: '',
    });
    // Seen from the target only: the arc leaves the source lane at the movement's first time.
    const target = movement({ seenFrom: 'target', steps: PSEXEC.steps.slice(1), firstMs: BASE_MS + 44_000 });
    expect(movementArc(target)).toMatchObject({ fromRow: -1, fromTimeMs: BASE_MS + 44_000, toRow: 44, toTimeMs: BASE_MS + 44_000 });
    // Seen from the source only: it ends on the target lane with no event to point at (no end dot).
    const source = movement({ seenFrom: 'source', steps: PSEXEC.steps.slice(0, 1), lastMs: BASE_MS + 42_000 });
    expect(movementArc(source)).toMatchObject({ fromRow: 42, toRow: -1, toHost: 'DC01', targetSide: 'no target-side event found' });
    // An address-only source is where the arc starts; no source at all, or the target itself: no arc.
    expect(movementArc(movement({ source: null, sourceIp: '10.0.0.12' }))!.fromHost).toBe('10.0.0.12');
    expect(movementArc(movement({ source: null, sourceIp: null }))).toBeNull();
    expect(movementArc(movement({ source: 'dc01' }))).toBeNull();
  });

  it('groups arcs by method in the legend order, one colour each, and draws a link of a movement once', () => {
    const mv = threeMovements().movements;
    const other: LateralLink = { ...LINKS[0]!, id: 'l2', kind: 'wmic-node', fromHost: 'WKS-NYC-1002', toHost: 'SRV-FILE-01' };
    const groups = arcGroups([...LINKS, other], mv);
    expect(groups.map((g) => [g.method, g.colour, g.label, g.arcs.map((a) => a.id)])).toEqual([
      ['psexec', METHOD_COLOURS.psexec, 'PsExec', ['mv-a']], // LINKS' l1 is part of mv-a: not drawn twice
      ['wmiexec', METHOD_COLOURS.wmiexec, 'wmiexec', ['mv-b']],
      ['wmi', METHOD_COLOURS.wmi, 'WMI', ['l2']],
      ['rdp', METHOD_COLOURS.rdp, 'RDP', ['mv-c']],
    ]);
    // Every method has its own colour and a label.
    const colours = Object.values(METHOD_COLOURS);
    expect(new Set(colours).size).toBe(colours.length);
    for (const k of Object.keys(METHOD_COLOURS)) expect(METHOD_LABELS[k as keyof typeof METHOD_LABELS]).toBeTruthy();
    expect(arcGroups([], [])).toEqual([]);
  });

  it("names the method of every link kind links.ts makes", () => {
    expect(linkMethod('psexec')).toBe('psexec');
    expect(linkMethod('remote-service')).toBe('remote-service');
    expect(linkMethod('wmic-node')).toBe('wmi');
    expect(linkMethod('wmi-powershell')).toBe('wmi');
    expect(linkMethod('remote-schtask')).toBe('remote-task');
    expect(linkMethod('winrs')).toBe('winrm');
    expect(linkMethod('powershell-remoting')).toBe('winrm');
    expect(linkMethod('admin-share')).toBe('admin-share-copy');
    expect(linkMethod('remote-registry')).toBe('link');
    expect(linkMethod('rdp')).toBe('rdp');
  });

  it('gives a lane to sources that have none: hosts with no logs and address-only sources, once whatever the case', () => {
    const mv = [
      movement({ id: 'a', source: 'GHOST-01', sourceOnly: true }),
      movement({ id: 'b', source: 'ghost-01', sourceOnly: true, firstMs: BASE_MS + 50_000 }),
      movement({ id: 'c', source: null, sourceIp: '203.0.113.9' }),
      movement({ id: 'd', source: 'WKS-NYC-1001' }),
      movement({ id: 'e', source: 'wks-nyc-1002', sourceOnly: false }),
      movement({ id: 'f', source: null, sourceIp: null }),
    ];
    expect(sourceOnlyHosts(mv, HOSTS)).toEqual(['203.0.113.9', 'GHOST-01']);
    expect(sourceOnlyHosts([], HOSTS)).toEqual([]);
  });

  it('draws each group in its colour from the source lane to the target lane at the right time', () => {
    const groups = arcGroups([], [PSEXEC]);
    // Lanes: DC01 on top, WKS-NYC-1001 below; 100 s over 1000 px: 10 px a second.
    const laneTop = new Map([
      ['dc01', 0],
      ['wks-nyc-1001', LANE_PX],
    ]);
    const { ctx, ops } = recorder();
    const view = { startMs: BASE_MS, endMs: BASE_MS + 100_000, selection: null };
    for (const g of groups) drawLinks(ctx, g.arcs, laneTop, view, 1000, pal, g.colour);
    const mid = (top: number) => Math.round(top + LANE_PX / 2);
    expect(ops).toContain(`moveTo(420,${mid(LANE_PX)})`);
    expect(ops.find((o) => o.startsWith('bezierCurveTo'))).toMatch(new RegExp(`,440,${mid(0)}\\)$`));
    expect(ops).toContain(`strokeStyle=${METHOD_COLOURS.psexec}`);
    expect(ops).toContain(`fillStyle=${METHOD_COLOURS.psexec}`);
    expect(ops).not.toContain(`strokeStyle=${pal.link}`);
    // A source-only source with its own lane is drawn; without a lane the arc is skipped.
    const ghost = arcGroups([], [movement({ source: 'GHOST', sourceOnly: true })]);
    const withLane = recorder();
    expect(drawLinks(withLane.ctx, ghost[0]!.arcs, new Map([...laneTop, ['ghost', 2 * LANE_PX]]), view, 1000, pal, ghost[0]!.colour)).toBe(1);
    expect(withLane.ops).toContain(`moveTo(420,${mid(2 * LANE_PX)})`);
    expect(drawLinks(recorder().ctx, ghost[0]!.arcs, laneTop, view, 1000, pal)).toBe(0);
  });

  it('a movement on three hosts still starts on its source (steps of the target first in the list do not matter)', () => {
    const m = movement({ steps: [step('DC01', BASE_MS + 40_000, 'logon', 40), step('WKS-NYC-1001', BASE_MS + 41_000, 'naming-command', 41)], firstMs: BASE_MS + 40_000 });
    expect(movementArc(m)).toMatchObject({ fromRow: 41, fromTimeMs: BASE_MS + 41_000, toRow: 40, toTimeMs: BASE_MS + 40_000 });
  });
});
