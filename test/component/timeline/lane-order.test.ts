// Lane order (risk by default, name, first activity), rule glyphs with fallback letters and decluttered
// badges, and the hosts of a lateral-movement chain.
import { describe, expect, it } from 'vitest';
import { laneOrder, sortLanes } from '../../../renderer/timeline/lane-order.ts';
import { drawGlyphs, glyphFor, type Palette } from '../../../renderer/timeline/draw-timeline.ts';
import { chainHosts } from '../../../renderer/timeline/chain.ts';
import type { HostRisk, LateralLink } from '../../../engine/detect/types.ts';

const risk = (host: string, riskScore: number, firstMs: number): HostRisk => ({ host, events: 10, findings: riskScore > 0 ? 1 : 0, riskScore, topRules: [], firstMs, lastMs: firstMs + 1 });
const pal: Palette = { density: 'd', grid: 'g', fg: 'f', muted: 'm', laneAlt: 'a', selection: 's', link: 'l', risk: { critical: 'c', high: 'h', medium: 'me', low: 'lo' } };

describe('lane order', () => {
  const lanes = laneOrder(['WKS-B', 'DC01', 'SRV-A', 'QUIET'], [risk('WKS-B', 50, 3000), risk('DC01', 90, 2000), risk('SRV-A', 50, 1000)]);

  it('defaults to the riskiest host first, ties by name', () => {
    expect(lanes.map((l) => l.host)).toEqual(['DC01', 'SRV-A', 'WKS-B', 'QUIET']);
  });

  it('sorts by name, or by first activity with unknown hosts last', () => {
    expect(sortLanes(lanes, 'name').map((l) => l.host)).toEqual(['DC01', 'QUIET', 'SRV-A', 'WKS-B']);
    expect(sortLanes(lanes, 'first').map((l) => l.host)).toEqual(['SRV-A', 'DC01', 'WKS-B', 'QUIET']);
  });
});

describe('rule glyphs', () => {
  it("uses the rule's glyph, else the first letter or digit of its id", () => {
    expect(glyphFor({ id: 'psexec-accepteula', glyph: 'P' }, 'psexec-accepteula')).toBe('P');
    expect(glyphFor(undefined, 'wmiexec')).toBe('W');
    expect(glyphFor(undefined, '__9x')).toBe('9');
    expect(glyphFor(undefined, '---')).toBe('?');
  });

  it('draws one badge per finding in view on a shown lane, skipping ones that would overlap', () => {
    const texts: string[] = [];
    const ctx = { fillRect: () => {}, fillText: (t: string) => texts.push(t) } as unknown as CanvasRenderingContext2D;
    const mk = (host: string, s: number, ruleId: string) => ({ host, binStartMs: s * 1000, binEndMs: s * 1000 + 1000, riskScore: 80, ruleId });
    const marks = [mk('DC01', 10, 'smbexec'), mk('DC01', 11, 'smbexec'), mk('DC01', 50, 'psexec'), mk('OFF', 20, 'x'), mk('DC01', 500, 'late')];
    const n = drawGlyphs(ctx, marks, (id) => id[0]!.toUpperCase(), new Map([['DC01', 0]]), { startMs: 0, endMs: 100_000, selection: null }, 1000, pal);
    // 10 px per second: the second at 11 s is 10 px from the first (under 12 px), OFF has no lane, 500 s is out of view.
    expect(n).toBe(2);
    expect(texts).toEqual(['S', 'P']);
  });
});

describe('lateral-movement chain', () => {
  const link = (id: string, fromHost: string, toHost: string, t: number): LateralLink => ({ id, fromRow: 0, fromHost, fromTimeMs: t, toRow: 1, toHost, toTimeMs: t + 1, kind: 'psexec', evidence: 'e' });
  const links = [link('a', 'WKS1', 'SRV2', 100), link('b', 'SRV2', 'DC01', 200), link('c', 'DC01', 'WKS9', 50), link('d', 'OTHER', 'WKS1', 300)];

  it('follows hops onwards from the chosen link, only after each host was reached', () => {
    expect([...chainHosts(links, links[0]!)].sort()).toEqual(['dc01', 'srv2', 'wks1']);
    expect([...chainHosts(links, links[2]!)].sort()).toEqual(['dc01', 'wks9']);
  });
});
