// Lateral-movement links: an event whose command line names another host of the case (psexec \\HOST,
// wmic /node:HOST, \\HOST\ADMIN$, ...) joined to the first remote-execution follow-up on that host.
// Invariant: patterns are linear-time (no nested or unbounded lazy quantifiers) since command lines are hostile.

import { lowerBound } from '../store/time-order.ts';
import type { EventSource, EventView, StringColumn } from '../store/view.ts';
import { UNKNOWN_HOST, sameHost } from './hosts.ts';
import type { LateralLink } from './types.ts';

export interface LinkOptions {
  /** How long after the naming event a follow-up may start (default 120 s). */
  windowAfterMs?: number;
  /** Clock-skew tolerance: a follow-up may be logged this much before the naming event (default 5 s). */
  skewBeforeMs?: number;
}

export const DEFAULT_LINK_WINDOW_AFTER_MS = 120_000;
export const DEFAULT_LINK_SKEW_BEFORE_MS = 5_000;
/** Longest matched text kept in `LateralLink.evidence`. */
const EVIDENCE_MAX_CHARS = 200;

/** Technique that named the remote host. */
export type LinkKind =
  | 'psexec'
  | 'remote-service'
  | 'wmic-node'
  | 'remote-schtask'
  | 'winrs'
  | 'wmi-powershell'
  | 'powershell-remoting'
  | 'remote-registry'
  | 'admin-share';

/** What a process start on the target looks like when something remote launched it. */
type FollowUpClass = 'psexesvc' | 'service' | 'wmi' | 'schtask' | 'winrm';

const PREFERRED: Readonly<Record<LinkKind, readonly FollowUpClass[]>> = {
  psexec: ['psexesvc', 'service'],
  'remote-service': ['service', 'psexesvc'],
  'wmic-node': ['wmi'],
  'remote-schtask': ['schtask'],
  winrs: ['winrm'],
  'wmi-powershell': ['wmi'],
  'powershell-remoting': ['winrm'],
  'remote-registry': ['service'],
  'admin-share': ['psexesvc', 'service', 'wmi', 'schtask'],
};

export interface RemoteReference {
  /** The host name as written (quotes, scheme and port stripped). */
  target: string;
  kind: LinkKind;
  /** The matched text, for the analyst. */
  text: string;
}

const HOST = String.raw`([A-Za-z0-9_][A-Za-z0-9_.-]*)`;

interface Pattern {
  kind: LinkKind;
  /** Lower-case literal the command line must contain before the regex runs. */
  gate: readonly string[];
  re: RegExp;
}

// Ordered most specific first: one event yields at most one reference per target host.
const PATTERNS: readonly Pattern[] = [
  // psexec [options] \\HOST[,HOST2] cmd — a bare \\HOST (not a UNC path) after psexec/paexec.
  { kind: 'psexec', gate: ['psexec', 'paexec'], re: new RegExp(String.raw`(?:^|[\s"'])\\\\${HOST}(?:,[A-Za-z0-9_.-]+)*(?=[\s"']|$)`, 'gi') },
  { kind: 'remote-service', gate: ['sc'], re: new RegExp(String.raw`\bsc(?:\.exe)?["']?\s+\\\\${HOST}["']?\s+(?:create|start|config|stop|delete|query|failure)\b`, 'gi') },
  { kind: 'wmic-node', gate: ['node:'], re: new RegExp(String.raw`[/-]node:\s*["']?${HOST}`, 'gi') },
  { kind: 'remote-schtask', gate: ['schtasks'], re: new RegExp(String.raw`(?:^|\s)[/-]s\s+["']?${HOST}`, 'gi') },
  { kind: 'winrs', gate: ['winrs'], re: new RegExp(String.raw`(?:^|\s)[/-]r(?:emote)?:\s*["']?(?:https?://)?${HOST}`, 'gi') },
  {
    kind: 'wmi-powershell',
    gate: ['invoke-wmimethod', 'invoke-cimmethod', 'get-wmiobject', 'new-cimsession'],
    re: new RegExp(String.raw`-(?:computername|cn)[\s:]+["']?${HOST}`, 'gi'),
  },
  { kind: 'powershell-remoting', gate: ['computername', '-cn '], re: new RegExp(String.raw`-(?:computername|cn)[\s:]+["']?${HOST}`, 'gi') },
  { kind: 'remote-registry', gate: ['reg'], re: new RegExp(String.raw`\breg(?:\.exe)?["']?\s+(?:query|add|delete|save|export|copy|load)\s+["']?\\\\${HOST}\\`, 'gi') },
  { kind: 'admin-share', gate: ['$'], re: new RegExp(String.raw`\\\\${HOST}\\(?:admin|ipc|[a-z])\$`, 'gi') },
];

/** Cheap test before any regex: every pattern needs one of these substrings. */
const PREFILTER = ['\\\\', 'node:', 'computername', '-cn ', 'winrs', 'schtasks'];
const PREFILTER_RE = new RegExp(PREFILTER.map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|'), 'i');

/** Names that always mean "this machine" (Impacket writes its output to \\127.0.0.1\ADMIN$). */
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\.)$/i;

function cleanTarget(raw: string): string {
  return raw.replace(/\.+$/, '');
}

/** Remote hosts a command line names, in pattern priority order, one entry per distinct target. */
export function findRemoteReferences(commandLine: string): RemoteReference[] {
  // Most command lines name no other host: one case-insensitive scan, before lower-casing the whole line.
  if (!PREFILTER_RE.test(commandLine)) return [];
  const lower = commandLine.toLowerCase();
  const out: RemoteReference[] = [];
  const seen = new Set<string>();
  for (const p of PATTERNS) {
    if (!p.gate.some((g) => lower.includes(g))) continue;
    p.re.lastIndex = 0;
    for (const m of commandLine.matchAll(p.re)) {
      const target = cleanTarget(m[1] ?? '');
      if (target === '' || seen.has(target.toLowerCase())) continue;
      seen.add(target.toLowerCase());
      out.push({ target, kind: p.kind, text: m[0].trim().slice(0, EVIDENCE_MAX_CHARS) });
    }
  }
  return out;
}

function basenameLower(path: string | null): string | null {
  if (path === null || path === '') return null;
  const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return path.slice(cut + 1).toLowerCase();
}

/** Column reader that caches a per-dictionary-value transform (lower-casing, basenames). */
function cachedReader(col: StringColumn | undefined, f: (v: string | null) => string | null): (row: number) => string | null {
  if (!col) return () => f(null);
  if (col.dict) {
    const { ids, values } = col.dict;
    const memo: Array<string | null | undefined> = new Array(values.length);
    return (row) => {
      const id = ids[row]!;
      let v = memo[id];
      if (v === undefined) memo[id] = v = f(values[id] ?? null);
      return v;
    };
  }
  return (row) => f(col.get(row));
}

function nameReader(view: EventView, nameField: string, pathField: string): (row: number) => string | null {
  const byName = cachedReader(view.column(nameField), (v) => (v === null || v === '' ? null : v.toLowerCase()));
  const byPath = cachedReader(view.column(pathField), basenameLower);
  return (row) => byName(row) ?? byPath(row);
}

function hostReader(view: EventView): (row: number) => string {
  const r = cachedReader(view.column('dest'), (v) => (v === null || v === '' ? UNKNOWN_HOST : v));
  return (row) => r(row) ?? UNKNOWN_HOST;
}

/** `parentCmd` is read (row `row`) only for svchost children: no closure per row (millions of rows on large cases). */
function classify(processName: string | null, parentName: string | null, parentCmd: StringColumn | undefined, row: number): FollowUpClass | null {
  if (processName === 'psexesvc.exe' || processName?.startsWith('paexec') || parentName === 'psexesvc.exe') return 'psexesvc';
  switch (parentName) {
    case 'wmiprvse.exe':
      return 'wmi';
    case 'services.exe':
      return 'service';
    case 'winrshost.exe':
    case 'wsmprovhost.exe':
      return 'winrm';
    case 'taskeng.exe':
      return 'schtask';
    case 'svchost.exe':
      return /-k\s+netsvcs/i.test(parentCmd?.get(row) ?? '') ? 'schtask' : null;
    default:
      return null;
  }
}

interface SourceRef {
  row: number;
  timeMs: number;
  host: string;
  ref: RemoteReference;
  targets: string[];
}

const CLASSES: readonly FollowUpClass[] = ['psexesvc', 'service', 'wmi', 'schtask', 'winrm'];
const CLASS_ID: Readonly<Record<FollowUpClass, number>> = { psexesvc: 0, service: 1, wmi: 2, schtask: 3, winrm: 4 };

/**
 * One host's follow-ups as parallel typed arrays, sorted by (time, row) once filled. A third of a large case's
 * events can be follow-ups (every services.exe child), and an object per event was ~56 bytes of heap each:
 * ~60 MB on a 1 GB CSV, at the moment the case's memory peaks.
 */
class FollowUps {
  n = 0;
  times = new Float64Array(64);
  rows = new Float64Array(64);
  cls = new Uint8Array(64);

  push(row: number, timeMs: number, cls: FollowUpClass): void {
    if (this.n === this.times.length) {
      const cap = Math.max(64, this.n * 2);
      const times = new Float64Array(cap);
      times.set(this.times);
      const rows = new Float64Array(cap);
      rows.set(this.rows);
      const c = new Uint8Array(cap);
      c.set(this.cls);
      this.times = times;
      this.rows = rows;
      this.cls = c;
    }
    this.times[this.n] = timeMs;
    this.rows[this.n] = row;
    this.cls[this.n] = CLASS_ID[cls];
    this.n++;
  }

  /** Sorts by (time, row) and drops the spare capacity. */
  sort(): void {
    const n = this.n;
    const { times, rows, cls } = this;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => times[a]! - times[b]! || rows[a]! - rows[b]!);
    const t = new Float64Array(n);
    const r = new Float64Array(n);
    const c = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = order[i]!;
      t[i] = times[k]!;
      r[i] = rows[k]!;
      c[i] = cls[k]!;
    }
    this.times = t;
    this.rows = r;
    this.cls = c;
  }

  /** First index whose time is >= timeMs (after sort(), `times` holds exactly the n entries). */
  lowerBound(timeMs: number): number {
    return lowerBound(this.times, timeMs);
  }
}

function caseHosts(source: EventSource): string[] {
  const hosts = new Set<string>();
  for (const view of source.views) {
    const col = view.column('dest');
    if (!col) continue;
    if (col.dict) {
      for (const v of col.dict.values) if (v !== null && v !== '') hosts.add(v);
    } else {
      for (let r = 0; r < view.rowCount; r++) {
        const v = col.get(r);
        if (v !== null && v !== '') hosts.add(v);
      }
    }
  }
  return [...hosts].sort();
}

/**
 * Find lateral-movement links. A naming event without a follow-up inside
 * [time - skewBeforeMs, time + windowAfterMs] on the named host yields no link; among follow-ups the
 * first one of a class plausible for the technique wins (PSEXESVC or a service child for psexec, a WmiPrvSE
 * child for wmic ...). A follow-up of an unrelated class (a WmiPrvSE child after `psexec \\HOST`) is another
 * actor's activity, so it is never linked: a wrong arc misleads more than a missing one.
 */
export function findLateralLinks(source: EventSource, opts: LinkOptions = {}): LateralLink[] {
  const afterMs = opts.windowAfterMs ?? DEFAULT_LINK_WINDOW_AFTER_MS;
  const beforeMs = opts.skewBeforeMs ?? DEFAULT_LINK_SKEW_BEFORE_MS;
  const hosts = caseHosts(source);
  if (hosts.length < 2) return [];
  const targetsOf = hostMatcher(hosts);

  // Pass 1: events naming another host of the case, per distinct command line when dictionary-encoded.
  const sources: SourceRef[] = [];
  const wanted = new Set<string>();
  for (const view of source.views) {
    const col = view.column('process');
    if (!col) continue;
    const refsOf = cachedRefs(col);
    const hostOf = hostReader(view);
    for (let r = 0; r < view.rowCount; r++) {
      const refs = refsOf(r);
      if (refs.length === 0) continue;
      const host = hostOf(r);
      for (const ref of refs) {
        if (LOOPBACK.test(ref.target)) continue;
        const targets = targetsOf(ref.target, host);
        if (targets.length === 0) continue;
        for (const t of targets) wanted.add(t);
        sources.push({ row: view.base + r, timeMs: view.timeMs[r]!, host, ref, targets });
      }
    }
  }
  if (sources.length === 0) return [];

  // Pass 2: remote-execution follow-ups on the named hosts only, sorted by time.
  const followUps = new Map<string, FollowUps>();
  const listFor = (host: string): FollowUps | null => {
    if (!wanted.has(host)) return null;
    let list = followUps.get(host);
    if (!list) followUps.set(host, (list = new FollowUps()));
    return list;
  };
  for (const view of source.views) {
    const procName = nameReader(view, 'process_name', 'process_path');
    const parentName = nameReader(view, 'parent_process_name', 'parent_process_path');
    const parentCmd = view.column('parent_process');
    // The host's list (or null: not a named host) once per distinct host when the column is a dictionary: a Set
    // lookup per row was half of this pass on large cases.
    const dest = view.column('dest')?.dict;
    let listOf: (row: number) => FollowUps | null;
    if (dest) {
      const lists: Array<FollowUps | null | undefined> = new Array(dest.values.length);
      listOf = (row) => {
        const id = dest.ids[row]!;
        let list = lists[id];
        if (list === undefined) {
          const v = dest.values[id] ?? null;
          lists[id] = list = listFor(v === null || v === '' ? UNKNOWN_HOST : v);
        }
        return list;
      };
    } else {
      const hostOf = hostReader(view);
      listOf = (row) => listFor(hostOf(row));
    }
    for (let r = 0; r < view.rowCount; r++) {
      const list = listOf(r);
      if (!list) continue;
      const cls = classify(procName(r), parentName(r), parentCmd, r);
      if (!cls) continue;
      list.push(view.base + r, view.timeMs[r]!, cls);
    }
  }
  for (const list of followUps.values()) list.sort();

  const links: LateralLink[] = [];
  for (const s of sources) {
    const preferred = PREFERRED[s.ref.kind];
    // The earliest plausible follow-up over all target hosts (ties: the lower row).
    let bestTime = Infinity;
    let bestRow = Infinity;
    let bestHost: string | null = null;
    for (const host of s.targets) {
      const list = followUps.get(host);
      if (!list) continue;
      const end = s.timeMs + afterMs;
      const { times, rows, cls } = list;
      for (let i = list.lowerBound(s.timeMs - beforeMs); i < list.n && times[i]! <= end; i++) {
        const row = rows[i]!;
        if (row === s.row) continue;
        if (preferred.includes(CLASSES[cls[i]!]!)) {
          const t = times[i]!;
          if (bestHost === null || t < bestTime || (t === bestTime && row < bestRow)) {
            bestTime = t;
            bestRow = row;
            bestHost = host;
          }
          break;
        }
      }
    }
    if (bestHost === null) continue;
    links.push({
      id: `${s.ref.kind}|${s.row}|${bestRow}`,
      fromRow: s.row,
      fromHost: s.host,
      fromTimeMs: s.timeMs,
      toRow: bestRow,
      toHost: bestHost,
      toTimeMs: bestTime,
      kind: s.ref.kind,
      evidence: s.ref.text,
    });
  }
  return links.sort((a, b) => a.fromTimeMs - b.fromTimeMs || a.fromRow - b.fromRow || a.toRow - b.toRow || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** Memo bound: past this many distinct (source host, target) pairs the memo starts over (hostile inputs). */
const MAX_MATCH_MEMO = 100_000;

/**
 * `(target, sourceHost) -> hosts.filter((h) => sameHost(h, target) && (sourceHost === UNKNOWN_HOST || !sameHost(h, sourceHost)))`,
 * memoised: a command line naming `\\server` repeats on many rows, and comparing it with every host of the
 * case each time dominated link finding on large cases.
 */
function hostMatcher(hosts: readonly string[]): (target: string, sourceHost: string) => string[] {
  const byTarget = new Map<string, string[]>();
  const byPair = new Map<string, string[]>();
  return (target, sourceHost) => {
    const key = sourceHost + '\u0000' + target;
    let out = byPair.get(key);
    if (out !== undefined) return out;
    let named = byTarget.get(target);
    if (named === undefined) {
      named = hosts.filter((h) => sameHost(h, target));
      if (byTarget.size >= MAX_MATCH_MEMO) byTarget.clear();
      byTarget.set(target, named);
    }
    out = sourceHost === UNKNOWN_HOST ? named : named.filter((h) => !sameHost(h, sourceHost));
    if (byPair.size >= MAX_MATCH_MEMO) byPair.clear();
    byPair.set(key, out);
    return out;
  };
}

const NO_REFS: readonly RemoteReference[] = Object.freeze([]);

function cachedRefs(col: StringColumn): (row: number) => readonly RemoteReference[] {
  // One shared empty answer: nearly every distinct command line names no host, and a fresh [] each was ~16 MB of
  // garbage per million distinct lines.
  const refs = (v: string | null): readonly RemoteReference[] => {
    if (v === null || v === '') return NO_REFS;
    const r = findRemoteReferences(v);
    return r.length === 0 ? NO_REFS : r;
  };
  if (col.dict) {
    const { ids, values } = col.dict;
    const memo: Array<readonly RemoteReference[] | undefined> = new Array(values.length);
    return (row) => {
      const id = ids[row]!;
      let v = memo[id];
      if (v === undefined) memo[id] = v = refs(values[id] ?? null);
      return v;
    };
  }
  return (row) => refs(col.get(row));
}
