// Lateral-movement chain of a chosen link: its two hosts, then every host reached onwards from them by later
// links (a hop from host H counts only at or after the time H was reached). Host names compared lower-cased.
import type { LateralLink } from '../../engine/detect/types.ts';

export function chainHosts(links: readonly LateralLink[], start: LateralLink): Set<string> {
  const reached = new Map<string, number>([
    [start.fromHost.toLowerCase(), start.fromTimeMs],
    [start.toHost.toLowerCase(), start.toTimeMs],
  ]);
  const sorted = [...links].sort((a, b) => a.fromTimeMs - b.fromTimeMs);
  let grew = true;
  while (grew) {
    grew = false;
    for (const l of sorted) {
      const from = l.fromHost.toLowerCase();
      const to = l.toHost.toLowerCase();
      const at = reached.get(from);
      if (at === undefined || l.fromTimeMs < at) continue;
      const prev = reached.get(to);
      if (prev === undefined || l.toTimeMs < prev) {
        reached.set(to, l.toTimeMs);
        grew = true;
      }
    }
  }
  return new Set(reached.keys());
}
