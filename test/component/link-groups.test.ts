// The renderer's link grouping gives the engine's groups in the engine's order (the scan text and HTML report use
// the engine's; the sidebar uses this copy).
import { describe, expect, it } from 'vitest';
import { groupLinks as engineGroups } from '../../engine/detect/link-groups.ts';
import { groupLinks as rendererGroups, TOP_LINK_GROUPS } from '../../renderer/panels/link-groups.ts';
import { TOP_LINK_GROUPS as ENGINE_TOP } from '../../engine/detect/link-groups.ts';
import type { LateralLink } from '../../engine/detect/types.ts';

describe('renderer link groups', () => {
  it('match the engine on a random case', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const kinds = ['psexec', 'admin-share', 'wmic-node', 'remote-service'];
    const links: LateralLink[] = Array.from({ length: 3000 }, (_, i) => ({
      id: `l${i}`, fromRow: rnd(5000), fromHost: `WKS-${rnd(12)}`, fromTimeMs: rnd(1e6), toRow: rnd(5000), toHost: rnd(2) ? 'DC01' : 'dc01', toTimeMs: rnd(1e6), kind: kinds[rnd(4)]!, evidence: 'a.csv',
    }));
    const findings = [{ events: Array.from({ length: 40 }, () => ({ row: rnd(5000), evidence: 0, record: 1, timeMs: 0 })) }] as never[];
    expect(rendererGroups(links, findings)).toEqual(engineGroups(links, findings));
    expect(TOP_LINK_GROUPS).toBe(ENGINE_TOP);
  });
});
