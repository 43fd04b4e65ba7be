// Lateral-movement links: an event whose command line names another host of the case (psexec \\HOST,
// wmic /node:HOST, \\HOST\ADMIN$, ...) joined to the target-side event its evidence implies on that host (a PSEXESVC
// start, the service or task the command names, a share access or network logon by the same account or from the
// source host), within the link window; without one the link still stands, ending on the lane (NO_TARGET_EVENT).
// Invariant: patterns are linear-time (no nested or unbounded lazy quantifiers) since command lines are hostile.

import { lowerBound } from '../store/time-order.ts';
import { locateRow, type EventSource, type EventView, type StringColumn } from '../store/view.ts';
import { hostOf } from '../store/host.ts';
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

/**
 * A target-side candidate: a process start as something remote launches it (the first five), or an event of another
 * kind (issue 13's event kinds) that a remote action leaves: a service installed, a task registered, a share opened,
 * a network logon, WinRM or WMI activity.
 */
type FollowUpClass = 'psexesvc' | 'service' | 'wmi' | 'schtask' | 'winrm' | 'svc_install' | 'task_event' | 'share' | 'logon' | 'winrm_event' | 'wmi_event';

/** The `targetSide` of a link whose evidence implies no event found on the target within the window. */
export const NO_TARGET_EVENT = 'no target-side event found';
/** Candidates looked at per naming event before giving up (a hostile case with a million service starts a second). */
const MAX_CANDIDATES_PER_LINK = 10_000;

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
  { kind: 'remote-service', gate: ['sc'], re: new RegExp(String.raw`\bsc(?:\.exe)?["']?\s+["']?\\\\${HOST}\\?["']?\s+(?:create|start|config|stop|delete|query|failure)\b`, 'gi') },
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
  // The store's one definition of an event's host (dest, else its own host field, else NO_HOST).
  return hostOf(view);
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
  /** The naming command line, lower-case, without its first token (the program): what it names on the target. */
  args: string;
  /** The naming event's account (lower-case, no domain), or null for none / a system account. */
  account: string | null;
}

const CLASSES: readonly FollowUpClass[] = ['psexesvc', 'service', 'wmi', 'schtask', 'winrm', 'svc_install', 'task_event', 'share', 'logon', 'winrm_event', 'wmi_event'];
const CLASS_ID: Readonly<Record<FollowUpClass, number>> = {
  psexesvc: 0, service: 1, wmi: 2, schtask: 3, winrm: 4, svc_install: 5, task_event: 6, share: 7, logon: 8, winrm_event: 9, wmi_event: 10,
};

/** The class of an event that is not a process start, from its kind (null: not a target-side candidate). */
function otherClass(kind: string | null, logonType: string | null): FollowUpClass | null {
  switch (kind) {
    case 'service_install':
      return 'svc_install';
    case 'scheduled_task':
      return 'task_event';
    case 'share_access':
      return 'share';
    case 'logon':
      // A remote action logs on over the network (type 3); an interactive or service logon is someone else's.
      return logonType === null || logonType === '' || logonType === '3' || /^network$/i.test(logonType) ? 'logon' : null;
    case 'winrm':
      return 'winrm_event';
    case 'wmi_activity':
      return 'wmi_event';
    default:
      return null;
  }
}

/** `CORP\\John.Smith`, `john.smith@corp` -> `john.smith`; null for none and for accounts every host has. */
function accountOf(user: string | null | undefined): string | null {
  if (!user) return null;
  let a = user.toLowerCase().trim();
  a = a.slice(a.lastIndexOf('\\') + 1);
  const at = a.indexOf('@');
  if (at > 0) a = a.slice(0, at);
  if (a === '' || a === '-' || a === 'system' || a === 'local service' || a === 'network service' || a === 'anonymous logon' || a.endsWith('$')) return null;
  return a;
}

/** The command line after its program (quoted or not), lower-case. */
function argsOf(commandLine: string): string {
  const t = commandLine.trimStart();
  const end = t.startsWith('"') ? t.indexOf('"', 1) + 1 : t.search(/\s|$/);
  return t.slice(end > 0 ? end : t.length).toLowerCase();
}

/** Does `args` name `file` (a basename, `evil.exe`) or its stem as a word (`evil`, `ipconfig`)? */
function names(args: string, file: string | null): boolean {
  if (!file) return false;
  const f = file.toLowerCase();
  if (f.length >= 3 && args.includes(f)) return true;
  const stem = f.replace(/\.(?:exe|bat|cmd|ps1|dll|com)$/, '');
  if (stem.length < 3) return false;
  let i = args.indexOf(stem);
  while (i >= 0) {
    const before = i === 0 ? ' ' : args[i - 1]!;
    const after = args[i + stem.length] ?? ' ';
    if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
    i = args.indexOf(stem, i + 1);
  }
  return false;
}

/** Process classes that are evidence of the technique on their own (the PsExec service; a remoting host's child). */
const SELF_EVIDENT: Readonly<Partial<Record<LinkKind, readonly FollowUpClass[]>>> = {
  psexec: ['psexesvc'],
  'powershell-remoting': ['winrm'],
};
/** Kinds whose transport is SMB: a share opened by the same account is their trace on the target. */
const SMB_KINDS: ReadonlySet<LinkKind> = new Set(['psexec', 'remote-service', 'admin-share', 'remote-registry', 'remote-schtask']);

const TARGET_LABEL: Readonly<Record<FollowUpClass, string>> = {
  psexesvc: 'PSEXESVC start',
  service: 'service start',
  wmi: 'WMI process start',
  schtask: 'scheduled task start',
  winrm: 'WinRM process start',
  svc_install: 'service install',
  task_event: 'scheduled task event',
  share: 'share access',
  logon: 'network logon',
  winrm_event: 'WinRM event',
  wmi_event: 'WMI activity',
};

/** Reads a candidate's fields lazily (candidates are many, links few). */
interface CandidateFields {
  processName(): string | null;
  text(field: string): string | null;
}

/**
 * How strongly candidate `cls` on the target is implied by naming event `s`: 0 (a process the technique starts), 1 (a
 * service or task it installs), 2 (the share it opens, the WinRM/WMI activity it causes), 3 (its network logon), or -1:
 * not implied (an unrelated process; another account's logon).
 */
function impliedRank(s: SourceRef, cls: FollowUpClass, c: CandidateFields): number {
  const kind = s.ref.kind;
  const sameActor = (): boolean => {
    const src = c.text('src');
    if (src && sameHost(src, s.host)) return true;
    const acct = accountOf(c.text('user'));
    return acct !== null && acct === s.account;
  };
  switch (cls) {
    case 'psexesvc':
    case 'service':
    case 'wmi':
    case 'schtask':
    case 'winrm':
      if (!PREFERRED[kind].includes(cls)) return -1;
      return SELF_EVIDENT[kind]?.includes(cls) || names(s.args, c.processName()) ? 0 : -1;
    case 'svc_install': {
      if (kind !== 'psexec' && kind !== 'remote-service' && kind !== 'admin-share') return -1;
      const name = c.text('service_name');
      const path = basenameLower(c.text('service_path'));
      if (kind === 'psexec' && /^(?:psexesvc|paexec)/i.test(name ?? path ?? '')) return 1;
      return names(s.args, name) || names(s.args, path) ? 1 : -1;
    }
    case 'task_event':
      return kind === 'remote-schtask' && names(s.args, (c.text('task_name') ?? '').replace(/^.*\\/, '')) ? 1 : -1;
    case 'share':
      return SMB_KINDS.has(kind) && sameActor() ? 2 : -1;
    case 'winrm_event':
      return (kind === 'winrs' || kind === 'powershell-remoting') && sameActor() ? 2 : -1;
    case 'wmi_event':
      return (kind === 'wmic-node' || kind === 'wmi-powershell') && sameActor() ? 2 : -1;
    case 'logon':
      return sameActor() ? 3 : -1;
  }
}

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
 * Find lateral-movement links: one per (naming event, target). The target side is the event inside
 * [time - skewBeforeMs, time + windowAfterMs] on the named host that the naming event's evidence implies (impliedRank):
 * a process of the technique's launcher class that the command names or that is the technique's own (PSEXESVC for
 * psexec, a wsmprovhost child for PowerShell remoting), else a service install or task it names, else a share access,
 * WinRM/WMI activity or network logon by the same account or from the source host; the strongest, then the earliest,
 * wins. The next event on the host is not evidence (a BITS svchost after `psexec \\HOST` is another story): with
 * nothing implied the link ends on the target's lane, `targetSide` NO_TARGET_EVENT and `toRow` -1, since a wrong arc
 * misleads more than a missing one.
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
    const userCol = view.column('user');
    for (let r = 0; r < view.rowCount; r++) {
      const refs = refsOf(r);
      if (refs.length === 0) continue;
      const host = hostOf(r);
      for (const ref of refs) {
        if (LOOPBACK.test(ref.target)) continue;
        const targets = targetsOf(ref.target, host);
        if (targets.length === 0) continue;
        for (const t of targets) wanted.add(t);
        const args = argsOf(col.get(r) ?? '');
        sources.push({ row: view.base + r, timeMs: view.timeMs[r]!, host, ref, targets, args, account: accountOf(userCol?.get(r)) });
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
    // Other kinds (a service install, a share access, a network logon ...) are candidates of their own classes.
    const kindCol = view.column('event_kind');
    const logonType = view.column('logon_type');
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
      // Without event kinds every row is a process start; with them, other kinds are candidates of their own classes.
      const kind = kindCol?.get(r) ?? null;
      const cls = kind === null || kind === 'process_creation' ? classify(procName(r), parentName(r), parentCmd, r) : otherClass(kind, logonType?.get(r) ?? null);
      if (!cls) continue;
      list.push(view.base + r, view.timeMs[r]!, cls);
    }
  }
  for (const list of followUps.values()) list.sort();

  const links: LateralLink[] = [];
  let at: { view: EventView; row: number } = { view: source.views[0]!, row: 0 };
  const procNames = new Map<EventView, (row: number) => string | null>();
  const fields: CandidateFields = {
    processName: () => {
      let r = procNames.get(at.view);
      if (!r) procNames.set(at.view, (r = nameReader(at.view, 'process_name', 'process_path')));
      return r(at.row);
    },
    text: (field) => at.view.column(field)?.get(at.row) ?? null,
  };
  for (const s of sources) {
    // The most strongly implied candidate over all target hosts, then the earliest (ties: the lower row).
    let bestRank = Infinity;
    let bestTime = Infinity;
    let bestRow = Infinity;
    let bestHost: string | null = null;
    let bestCls: FollowUpClass | null = null;
    for (const host of s.targets) {
      const list = followUps.get(host);
      if (!list) continue;
      const end = s.timeMs + afterMs;
      const { times, rows, cls } = list;
      let seen = 0;
      for (let i = list.lowerBound(s.timeMs - beforeMs); i < list.n && times[i]! <= end && seen < MAX_CANDIDATES_PER_LINK; i++, seen++) {
        const row = rows[i]!;
        if (row === s.row) continue;
        const c = CLASSES[cls[i]!]!;
        at = locateRow(source, row);
        const rank = impliedRank(s, c, fields);
        if (rank < 0) continue;
        const t = times[i]!;
        if (rank < bestRank || (rank === bestRank && (t < bestTime || (t === bestTime && row < bestRow)))) {
          bestRank = rank;
          bestTime = t;
          bestRow = row;
          bestHost = host;
          bestCls = c;
        }
      }
    }
    const found = bestHost !== null && bestCls !== null;
    links.push({
      id: `${s.ref.kind}|${s.row}|${found ? bestRow : -1}`,
      fromRow: s.row,
      fromHost: s.host,
      fromTimeMs: s.timeMs,
      toRow: found ? bestRow : -1,
      toHost: bestHost ?? s.targets[0]!,
      toTimeMs: found ? bestTime : s.timeMs,
      kind: s.ref.kind,
      evidence: s.ref.text,
      targetSide: found ? TARGET_LABEL[bestCls!] : NO_TARGET_EVENT,
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
