// Arcs for the timeline (issue 14): lateral links and movements grouped by method, one colour each (the legend's),
// built once per (immutable) links and movements arrays, so a frame draws a few groups through drawLinks' per-pair,
// per-time index and never walks the movements. A link that is part of a movement is drawn once, as the movement.
import type { LateralLink } from '../../engine/detect/types.ts';
import type { Movement, MovementMethod } from '../../engine/detect/movements/types.ts';

/** Method colours, readable on the light and dark themes; 'link' for link kinds that name no movement method. */
export const METHOD_COLOURS: Readonly<Record<MovementMethod | 'link', string>> = {
  psexec: '#d62728',
  smbexec: '#ff7f0e',
  wmiexec: '#9467bd',
  dcomexec: '#8c564b',
  atexec: '#e377c2',
  'remote-service': '#bcbd22',
  'remote-task': '#17becf',
  wmi: '#7b4fd1',
  winrm: '#1f77b4',
  rdp: '#2ca02c',
  'admin-share-copy': '#c49c00',
  'explicit-credentials': '#7f7f7f',
  'pass-the-hash': '#a50f15',
  link: '#5a6b8c',
};

/** What the legend calls a method. */
export const METHOD_LABELS: Readonly<Record<MovementMethod | 'link', string>> = {
  psexec: 'PsExec',
  smbexec: 'smbexec',
  wmiexec: 'wmiexec',
  dcomexec: 'DCOM',
  atexec: 'atexec',
  'remote-service': 'remote service',
  'remote-task': 'remote task',
  wmi: 'WMI',
  winrm: 'WinRM',
  rdp: 'RDP',
  'admin-share-copy': 'admin share copy',
  'explicit-credentials': 'explicit credentials',
  'pass-the-hash': 'pass-the-hash',
  link: 'other link',
};

/** The method a lateral link's kind (engine/detect/links.ts) stands for, 'link' when none. */
export function linkMethod(kind: string): MovementMethod | 'link' {
  const k = kind.toLowerCase();
  if (k.startsWith('psexec') || k === 'paexec' || k === 'remcom') return 'psexec';
  if (k.startsWith('wmi')) return 'wmi';
  // links.ts names PowerShell remoting 'powershell-remoting' (Enter-PSSession / Invoke-Command -ComputerName).
  if (k.includes('winrm') || k.includes('winrs') || k.includes('psremot') || k.includes('powershell-remot')) return 'winrm';
  if (k.includes('rdp') || k.includes('mstsc')) return 'rdp';
  if (k.includes('schtask') || k.includes('task')) return 'remote-task';
  if (k.includes('service') || k === 'sc') return 'remote-service';
  if (k.includes('share')) return 'admin-share-copy';
  return Object.prototype.hasOwnProperty.call(METHOD_COLOURS, k) ? (k as MovementMethod) : 'link';
}

/** A movement as an arc: from its source (host, else IP) at its first step to its first target-side step. */
export function movementArc(m: Movement): LateralLink | null {
  const from = m.source ?? m.sourceIp;
  if (!from || from.toLowerCase() === m.target.toLowerCase()) return null;
  const src = m.steps.find((s) => s.host.toLowerCase() !== m.target.toLowerCase());
  const dst = m.steps.find((s) => s.host.toLowerCase() === m.target.toLowerCase());
  return {
    id: m.id,
    fromRow: src?.row ?? -1,
    fromHost: from,
    fromTimeMs: src?.timeMs ?? m.firstMs,
    toRow: dst?.row ?? -1,
    toHost: m.target,
    toTimeMs: dst?.timeMs ?? m.firstMs,
    kind: m.method,
    evidence: '',
    ...(dst ? {} : { targetSide: 'no target-side event found' }),
  };
}

export interface ArcGroup {
  method: MovementMethod | 'link';
  colour: string;
  label: string;
  arcs: LateralLink[];
}

/** Links and movements as arc groups by method, in the legend's order (the METHOD_COLOURS keys). */
export function arcGroups(links: readonly LateralLink[], movements: readonly Movement[]): ArcGroup[] {
  const inMovement = new Set<string>();
  for (const m of movements) for (const id of m.linkIds) inMovement.add(id);
  const by = new Map<MovementMethod | 'link', LateralLink[]>();
  const add = (method: MovementMethod | 'link', arc: LateralLink): void => {
    let list = by.get(method);
    if (!list) by.set(method, (list = []));
    list.push(arc);
  };
  for (const l of links) if (!inMovement.has(l.id)) add(linkMethod(l.kind), l);
  for (const m of movements) {
    const arc = movementArc(m);
    if (arc) add(m.method, arc);
  }
  const out: ArcGroup[] = [];
  for (const method of Object.keys(METHOD_COLOURS) as Array<MovementMethod | 'link'>) {
    const arcs = by.get(method);
    if (arcs) out.push({ method, colour: METHOD_COLOURS[method], label: METHOD_LABELS[method], arcs });
  }
  return out;
}

/**
 * Movement sources that are not lanes: hosts with no logs of their own (sourceOnly) and sources known only by an
 * address. Each gets a lane marked "source only", or its arcs would have no start and not be drawn. Once each,
 * whatever the case of the name (the spelling first seen in time order is kept), sorted.
 */
export function sourceOnlyHosts(movements: readonly Movement[], laneHosts: readonly string[]): string[] {
  const known = new Set(laneHosts.map((h) => h.toLowerCase()));
  const out = new Map<string, string>();
  const ordered = [...movements].sort((a, b) => a.firstMs - b.firstMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const m of ordered) {
    const h = m.source ?? m.sourceIp;
    if (!h || h.toLowerCase() === m.target.toLowerCase()) continue;
    const key = h.toLowerCase();
    if (!known.has(key) && !out.has(key)) out.set(key, h);
  }
  return [...out.values()].sort();
}
