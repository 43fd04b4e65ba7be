// Lateral links grouped by (source, target, method) with counts, ranked finding-backed first, then by size.
import { describe, expect, it } from 'vitest';
import { groupLinks, hiddenLinkGroups } from '../../../engine/detect/link-groups.ts';
import type { LateralLink } from '../../../engine/detect/types.ts';

let n = 0;
const link = (fromHost: string, toHost: string, kind: string, t: number, fromRow = 1000 + n, toRow = 2000 + n): LateralLink => ({
  id: `l${n++}`, fromRow, fromHost, fromTimeMs: t, toRow, toHost, toTimeMs: t + 500, kind, evidence: 'a.csv',
});

describe('groupLinks', () => {
  it('groups by source, target and method (host case ignored), counts, spans and ranks them', () => {
    const links = [
      ...Array.from({ length: 50 }, (_, i) => link('WKS-1', 'SRV-1', 'admin-share', 10_000 + i * 1000)),
      link('wks-1', 'srv-1', 'admin-share', 5_000),
      link('WKS-1', 'SRV-1', 'psexec', 70_000),
      ...Array.from({ length: 3 }, (_, i) => link('WKS-2', 'DC01', 'wmic-node', 1_000 + i)),
      link('WKS-3', 'DC01', 'psexec', 90_000, 7, 8),
    ];
    const groups = groupLinks(links, [{ events: [{ row: 8, evidence: 0, record: 1, timeMs: 0 }] } as never]);
    expect(groups.map((g) => [g.fromHost, g.toHost, g.kind, g.count, g.findingBacked])).toEqual([
      // The finding-backed group first, however small.
      ['WKS-3', 'DC01', 'psexec', 1, 1],
      ['WKS-1', 'SRV-1', 'admin-share', 51, 0],
      ['WKS-2', 'DC01', 'wmic-node', 3, 0],
      ['WKS-1', 'SRV-1', 'psexec', 1, 0],
    ]);
    const big = groups[1]!;
    expect(big.firstMs).toBe(5_000);
    expect(big.lastMs).toBe(10_000 + 49 * 1000 + 500);
    expect(big.links[0]!.fromTimeMs).toBe(5_000);
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(links.length);
    expect(hiddenLinkGroups(groups, 2)).toEqual({ groups: 2, links: 4 });
    expect(hiddenLinkGroups(groups, 4)).toBeNull();
  });

  it('8,000 links between a few pairs make a handful of groups', () => {
    const links = Array.from({ length: 8000 }, (_, i) => link(`WKS-${i % 5}`, 'FILESRV', i % 2 ? 'admin-share' : 'remote-service', i * 10));
    const groups = groupLinks(links);
    expect(groups).toHaveLength(10);
    expect(groups.every((g) => g.count === 800)).toBe(true);
  });
});
