// The renderer's copy of engine/model/event-kinds.ts (the renderer may import engine types only): the kind names in
// the store's order and the kinds the timeline and table show by default; and the case's events per kind, from the
// summary (each evidence's eventsByKind). Invariant: the same names and defaults as the engine's
// (test/component/kind-bar.test.ts compares them).

import type { CaseSummary } from '../../engine/rpc/api.ts';

export const EVENT_KINDS = [
  'process_creation',
  'logon',
  'logon_failed',
  'logoff',
  'explicit_credentials',
  'credential_validation',
  'share_access',
  'service_install',
  'scheduled_task',
  'network_connection',
  'pipe',
  'rdp_session',
  'wmi_activity',
  'winrm',
  'dns_query',
  'file',
  'registry',
  'image_load',
  'driver_load',
  'process_access',
  'remote_thread',
  'powershell',
  'other',
] as const;

/** Shown by default: process creations and the steps of a lateral movement (engine DEFAULT_LANE_KINDS). */
export const DEFAULT_KINDS: readonly string[] = [
  'process_creation',
  'logon',
  'logon_failed',
  'explicit_credentials',
  'share_access',
  'service_install',
  'scheduled_task',
  'pipe',
  'rdp_session',
  'wmi_activity',
  'winrm',
  'network_connection',
];

const KNOWN: ReadonlySet<string> = new Set(EVENT_KINDS);

export const isKind = (k: unknown): k is string => typeof k === 'string' && KNOWN.has(k);

/** Kinds in the store's order, each once, unknown names dropped. */
export function normaliseKinds(kinds: Iterable<unknown>): string[] {
  const set = new Set<string>();
  for (const k of kinds) if (isKind(k)) set.add(k);
  return EVENT_KINDS.filter((k) => set.has(k));
}

/**
 * The case's events per kind (summed over its evidence), in the store's order, only kinds it holds; null when no
 * evidence says (a host older than event kinds): the kind bar is not shown and queries carry no kinds.
 */
export function kindCounts(summary: Pick<CaseSummary, 'evidence'> | null): Array<{ kind: string; events: number }> | null {
  if (!summary) return null;
  const sums = new Map<string, number>();
  let known = false;
  for (const e of summary.evidence) {
    if (!e.eventsByKind) continue;
    known = true;
    for (const [k, n] of Object.entries(e.eventsByKind)) {
      if (!isKind(k) || typeof n !== 'number' || !(n > 0)) continue;
      sums.set(k, (sums.get(k) ?? 0) + n);
    }
  }
  if (!known) return null;
  return EVENT_KINDS.filter((k) => sums.has(k)).map((kind) => ({ kind, events: sums.get(kind)! }));
}

/**
 * The kinds a new case shows: the defaults, unless the case holds none of them (a registry-only Sysmon log): then
 * every kind, so a case never opens onto an empty timeline.
 */
export function defaultKinds(counts: ReadonlyArray<{ kind: string }> | null): string[] {
  if (counts && counts.length > 0 && !counts.some((c) => DEFAULT_KINDS.includes(c.kind))) return [...EVENT_KINDS];
  return normaliseKinds(DEFAULT_KINDS);
}

/** A kind name as a label: `logon_failed` -> `logon failed`. */
export const kindLabel = (k: string): string => k.replace(/_/g, ' ');
