// The renderer's copy of engine/detect/link-groups.ts (the renderer may import engine types only): lateral links
// grouped by (source host, target host, method), ranked finding-backed first, then by size, then earliest.
// Invariant: the same groups in the same order as the engine's (test/component/link-groups.test.ts compares them).

import type { Finding, LateralLink } from '../../engine/detect/types.ts';

export interface LinkGroup {
  /** Stable: `from -> to (kind)`, host names as the first link spells them. */
  key: string;
  fromHost: string;
  toHost: string;
  kind: string;
  count: number;
  /** Earliest start and latest end of its links (UTC ms). */
  firstMs: number;
  lastMs: number;
  /** Links whose naming or follow-up event is an event of a finding. */
  findingBacked: number;
  /** Its links in time order. */
  links: LateralLink[];
}

/** How many groups the sidebar, the scan's text and the HTML report list before saying how many are hidden. */
export const TOP_LINK_GROUPS = 20;

/** The groups of `links`, ranked: finding-backed first, then by link count, then earliest, then by key. */
export function groupLinks(links: readonly LateralLink[], findings: readonly Pick<Finding, 'events'>[] = []): LinkGroup[] {
  const findingRows = new Set<number>();
  for (const f of findings) for (const e of f.events) findingRows.add(e.row);
  const groups = new Map<string, LinkGroup>();
  for (const l of links) {
    const id = `${l.fromHost.toLowerCase()}\u0000${l.toHost.toLowerCase()}\u0000${l.kind}`;
    let g = groups.get(id);
    if (!g) {
      g = { key: `${l.fromHost} -> ${l.toHost} (${l.kind})`, fromHost: l.fromHost, toHost: l.toHost, kind: l.kind, count: 0, firstMs: Infinity, lastMs: -Infinity, findingBacked: 0, links: [] };
      groups.set(id, g);
    }
    g.count++;
    g.firstMs = Math.min(g.firstMs, l.fromTimeMs, l.toTimeMs);
    g.lastMs = Math.max(g.lastMs, l.fromTimeMs, l.toTimeMs);
    if (findingRows.has(l.fromRow) || findingRows.has(l.toRow)) g.findingBacked++;
    g.links.push(l);
  }
  const out = [...groups.values()];
  for (const g of out) g.links.sort((a, b) => a.fromTimeMs - b.fromTimeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  out.sort(
    (a, b) =>
      Number(b.findingBacked > 0) - Number(a.findingBacked > 0) ||
      b.count - a.count ||
      a.firstMs - b.firstMs ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return out;
}

/** "N more groups (M links) not listed", or null when nothing is hidden. */
export function hiddenLinkGroups(groups: readonly LinkGroup[], shown: number): { groups: number; links: number } | null {
  if (groups.length <= shown) return null;
  let links = 0;
  for (const g of groups.slice(shown)) links += g.count;
  return { groups: groups.length - shown, links };
}
