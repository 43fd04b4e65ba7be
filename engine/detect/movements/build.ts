// Movements (issue 14): who moved where, from which host, as whom, by what method, from ordered evidence.
// Target side: remote-only signs (a PsExec-family or smbexec service, svcctl / atsvc opened over IPC$ from another
// address, PsExec pipes, executables written to ADMIN$/C$ from another address, services / tasks / WMI / WinRM
// children of a remote network logon's session, RDP from another address, the remote-exec rules' findings), joined to
// the network logon that opened their session (logon id) for source IP, workstation and account. Source side: command
// lines naming another host, 4648 to a remote server. Both sides of one movement (the target's source resolves to
// the naming host within the window) become one movement seen from both.
// Invariant: conservative. A network logon alone, share enumeration, a local service or task, a service binary not
// started by the service manager, RDP from LOCAL, 4648 to localhost are not movements. Deterministic order.

import type { EventKind } from '../../model/event-kinds.ts';
import { hostOf } from '../../store/host.ts';
import { fieldAt, type EventSource, type EventView, type StringColumn } from '../../store/view.ts';
import { sameHost, shortHostName, UNKNOWN_HOST } from '../hosts.ts';
import { findRemoteReferences, type LinkKind } from '../links.ts';
import type { Finding, LateralLink } from '../types.ts';
import type { Episode, Movement, MovementMethod, MovementPath, MovementResult, MovementStep, MovementStepRole, SourceAttribution } from './types.ts';

export interface MovementOptions {
  /** Steps of one target-side movement lie within this much of each other (default 5 min). */
  clusterMs?: number;
  /** A target-side event joins a logon on its host without a logon id within this much after it (default 5 min). */
  logonBeforeMs?: number;
  /** Source- and target-side halves of one movement are at most this far apart (default 2 min). */
  joinMs?: number;
  /** The analyst's IP -> host table. */
  hostTable?: Readonly<Record<string, string>>;
  /** Locator of a global row (evidence, record). */
  locate: (row: number) => { evidence: number; record: number };
}

export const DEFAULT_CLUSTER_MS = 5 * 60_000;
export const DEFAULT_LOGON_BEFORE_MS = 5 * 60_000;
export const DEFAULT_JOIN_MS = 2 * 60_000;
/** Candidate rows kept per case (a hostile case with millions of service installs cannot exhaust memory). */
const MAX_ANCHORS = 200_000;
const MAX_PATHS = 1000;

const LOCAL_ADDR = /^(?:-|::1|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|::|local|localhost|fe80:.*|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})?$/i;
export function isRemoteAddress(ip: string | null): ip is string {
  return ip !== null && !LOCAL_ADDR.test(ip.trim());
}

/** Binaries and pipes of the PsExec family (PsExec, PAExec, RemCom, CSExec). */
const PSEXEC_NAME = /(?:^|\\)(?:psexesvc|paexec|remcomsvc|remcom_communica|csexecsvc|csexec)/i;
/** Impacket smbexec's service command (and its output share). */
const SMBEXEC_SERVICE = /\\\\127\.0\.0\.1\\c\$\\__output|cmd(?:\.exe)?\s+\/q\s+\/c\s+echo\s/i;
/** A service whose binary is a shell command line (Metasploit / Empire psexec, Cobalt Strike): remote exec by itself. */
const COMMAND_SERVICE = /%comspec%|\bcmd(?:\.exe)?["']?\s+\/[bcqk]\b|\bpowershell(?:\.exe)?["']?\s+.{0,200}?-(?:e|en|enc|encodedcommand|nop|w)\b/i;
/**
 * Services only remote-exec tools write: Metasploit / Cobalt Strike psexec_psh (`%COMSPEC% /b /c start /b /min
 * powershell ...`) and Cobalt Strike's `jump psexec` binary on `\\127.0.0.1\ADMIN$\`. Remote by themselves.
 */
const REMOTE_TOOL_SERVICE = /%comspec%\s+\/b\s+\/c\s+start\s+\/b\s+\/min\s+powershell|^\s*"?\\\\127\.0\.0\.1\\admin\$\\/i;
/** Impacket wmiexec's and dcomexec's command: output redirected to `\\127.0.0.1\ADMIN$\__<time>`. */
const WMIEXEC_OUTPUT = /\\\\127\.0\.0\.1\\admin\$\\__\d/i;
/** DCOM servers lateral movement activates remotely (MMC20.Application, Excel / Outlook / Visio .Application). */
const DCOM_SERVER = /^(?:mmc|excel|outlook|visio|winword|mshta)\.exe$/;
/** PsExec's pipes and PAExec's service name carry the source host: `PSEXESVC-WKS01-4012-stdin`, `PAExec-4012-WKS01`. */
const PSEXEC_SOURCE = /^\\?[A-Za-z0-9_.]{1,64}-(.{1,63})-\d{1,10}-std(?:in|out|err)$|^paexec-\d{1,10}-(.{1,63}?)(?:\.exe)?$/i;
/** PsExec's per-client pipes `<service>-<source host>-<pid>-stdin|stdout|stderr`, also with a service renamed by -r. */
const PSEXEC_PIPE = /^\\?[A-Za-z0-9_.]{1,64}-[A-Za-z0-9._-]{1,63}-\d{1,10}-std(?:in|out|err)$/i;
/** The host a PsExec pipe or PAExec service names as its source, or null. */
export function psexecSourceName(name: string): string | null {
  const m = PSEXEC_SOURCE.exec(name.trim().replace(/^.*\\(?=[^\\]+$)/, ''));
  const host = m ? (m[1] ?? m[2] ?? null) : null;
  return host && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host) ? host : null;
}
/** The host of a WinRM connection string (`SRV-2.corp.local/wsman?PSVersion=5.1`, `http://10.0.0.5:5985/wsman`). */
export function winrmTarget(connection: string): string | null {
  const m = /^\s*(?:https?:\/\/)?\[?([A-Za-z0-9][A-Za-z0-9._:-]{0,253}?)\]?(?::\d{1,5})?\/wsman\b/i.exec(connection);
  return m ? m[1]! : null;
}
const isRemoteAddressOrName = (s: string): boolean => (/^[0-9.:]+$/.test(s) ? isRemoteAddress(s) : /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s));
/** Impacket atexec's task action: a cmd that writes its output to %windir%\Temp\X.tmp. */
const ATEXEC_TASK = /cmd(?:\.exe)?\s+\/c\s+.{0,2000}?>\s*%windir%\\temp\\[^\s\\]{1,64}\.tmp\s+2>&1/i;
/**
 * A task's XML (4698 TaskContent) as the command it runs: tags become spaces and the entities inside the task XML
 * (`&gt;` in `> %windir%\Temp\x.tmp`) are decoded, so `<Command>cmd.exe</Command><Arguments>/C ...` reads `cmd.exe /C ...`.
 */
export function taskActionText(content: string): string {
  return content
    .slice(0, 64 * 1024)
    .replace(/<[^<>]{0,512}>/g, ' ')
    .replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e as 'lt']);
}
/** Files copied over an admin share that can run. */
const EXECUTABLE = /\.(?:exe|dll|bat|cmd|ps1|vbs|js|hta|scr|sys)$/i;
const ADMIN_SHARE = /\\(?:admin|[a-z])\$$/i;
/** Names of the local machine in a command line (`psexec \\localhost`, `\\127.0.0.1`, `\\.`). */
const LOCAL_NAME = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\.)$/i;
/** A remote logon this close before a session-less service install opened it (7045 carries no logon id). */
const INSTALL_AFTER_LOGON_MS = 10_000;
/** A local PsExec client this close before its service started makes the service local. */
const LOCAL_LAUNCH_MS = 30_000;
/** 4648 callers that are Windows itself (scheduled tasks, UAC, services), not an actor naming a server. */
const SYSTEM_CALLER = /\\(?:lsass|svchost|winlogon|consent|services|taskhost|taskhostw|taskeng|wininit|smss|csrss|spoolsv|msiexec)\.exe$/i;

const PRIORITY: readonly MovementMethod[] = [
  'smbexec', 'wmiexec', 'atexec', 'dcomexec', 'psexec', 'winrm', 'remote-task', 'remote-service', 'wmi', 'rdp',
  'admin-share-copy', 'pass-the-hash', 'explicit-credentials',
];
const EXPECTED: Readonly<Record<MovementMethod, readonly MovementStepRole[]>> = {
  psexec: ['logon', 'share', 'service-install', 'process'],
  smbexec: ['logon', 'service-install'],
  wmiexec: ['logon', 'process'],
  dcomexec: ['logon', 'process'],
  atexec: ['logon', 'task'],
  'remote-service': ['logon', 'service-install'],
  'remote-task': ['logon', 'task'],
  wmi: ['logon', 'process'],
  winrm: ['logon', 'process'],
  rdp: ['logon', 'rdp'],
  'admin-share-copy': ['logon', 'share'],
  'explicit-credentials': ['explicit-credentials'],
  'pass-the-hash': ['logon'],
};
const LINK_METHOD: Readonly<Record<LinkKind, MovementMethod | null>> = {
  psexec: 'psexec',
  'remote-service': 'remote-service',
  'wmic-node': 'wmi',
  'remote-schtask': 'remote-task',
  winrs: 'winrm',
  'wmi-powershell': 'wmi',
  'powershell-remoting': 'winrm',
  'remote-registry': null,
  'admin-share': 'admin-share-copy',
};

/** A rule's id -> the method its findings show (the seeds and the robust variants). */
export function methodOfRule(ruleId: string, message: string): MovementMethod | null {
  const s = (ruleId + ' ' + message).toLowerCase();
  if (s.includes('smbexec')) return 'smbexec';
  if (s.includes('wmiexec')) return 'wmiexec';
  if (s.includes('dcomexec')) return 'dcomexec';
  if (s.includes('atexec')) return 'atexec';
  if (s.includes('psexec')) return 'psexec';
  if (/impacket/.test(s)) return 'wmiexec';
  return null;
}

/**
 * The method a remote-exec rule's finding shows, from its first event (the rules cover several Impacket tools): the
 * parent that started the command (WmiPrvSE: wmiexec, mmc / explorer: dcomexec, services: smbexec, task host:
 * atexec), else the rule's own words.
 */
function methodOfFinding(source: EventSource, f: Finding): MovementMethod | null {
  const byRule = methodOfRule(f.ruleId, f.message);
  if (byRule === null || byRule === 'psexec') return byRule;
  const first = f.events[0];
  if (!first || first.row < 0 || first.row >= source.rowCount) return byRule;
  const at = (name: string): string => {
    try {
      return fieldAt(source, first.row, name) ?? '';
    } catch {
      return '';
    }
  };
  const parent = basename(at('parent_process_path') || at('parent_process_name'));
  const cmd = at('process') + ' ' + at('parent_process');
  if (parent === 'wmiprvse.exe') return 'wmiexec';
  if (parent === 'mmc.exe' || parent === 'explorer.exe' || /\bmmc(?:\.exe)?\s+-embedding/i.test(cmd)) return 'dcomexec';
  if (parent === 'services.exe' || SMBEXEC_SERVICE.test(cmd)) return 'smbexec';
  if (parent === 'taskeng.exe' || parent === 'taskhostw.exe' || /\\temp\\[^\s\\]{1,64}\.tmp\s+2>&1/i.test(cmd)) return 'atexec';
  return byRule;
}

interface Anchor {
  row: number;
  timeMs: number;
  host: string;
  kind: EventKind;
  role: MovementStepRole;
  method: MovementMethod;
  side: 'source' | 'target';
  /** Target-side: the session's logon id; source side: null. */
  logonId: string | null;
  ip: string | null;
  account: string | null;
  /** Source-side: the host named. */
  named: string | null;
  summary: string;
  findingId?: string;
  /** A service only remote-exec tools install (REMOTE_TOOL_SERVICE). */
  remoteTool?: boolean;
  /** The source host a PsExec pipe or PAExec service names (psexecSourceName). */
  srcName?: string;
}

interface Logon {
  row: number;
  timeMs: number;
  host: string;
  logonId: string | null;
  type: string;
  ip: string | null;
  workstation: string | null;
  account: string | null;
  method: string | null;
  /** The pass-the-hash signature: a network logon by NTLM through NtLmSsp with no session key (KeyLength 0). */
  pth: boolean;
}

type Reader = (r: number) => string | null;
function reader(view: EventView, name: string): Reader {
  const col: StringColumn | undefined = view.column(name);
  if (!col) return () => null;
  return (r) => {
    const v = col.get(r);
    return v === null || v === '' ? null : v;
  };
}
function firstReader(view: EventView, names: readonly string[]): Reader {
  const rs = names.map((n) => reader(view, n));
  return (r) => {
    for (const f of rs) {
      const v = f(r);
      if (v !== null) return v;
    }
    return null;
  };
}
const basename = (p: string | null): string => (p ? p.slice(p.lastIndexOf('\\') + 1).toLowerCase() : '');
const cleanName = (s: string | null): string | null => (s === null || s === '-' || s.trim() === '' ? null : s.trim());
function normId(id: string | null): string | null {
  if (!id) return null;
  const t = id.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return '0x' + t.slice(2).replace(/^0+(?=.)/, '');
  if (/^\d+$/.test(t)) return '0x' + BigInt(t).toString(16);
  return t;
}

/** Kinds a movement can be built from (process creations only through their parents, below). */
const WANTED = new Set<string>(['process_creation', 'logon', 'explicit_credentials', 'share_access', 'service_install', 'scheduled_task', 'pipe', 'rdp_session', 'network_connection', 'dns_query', 'winrm', 'file']);

/** Every movement of the case, with paths, episodes and the findings they attribute. */
export function buildMovements(source: EventSource, findings: readonly Finding[], links: readonly LateralLink[], opts: MovementOptions): MovementResult {
  const clusterMs = opts.clusterMs ?? DEFAULT_CLUSTER_MS;
  const logonBeforeMs = opts.logonBeforeMs ?? DEFAULT_LOGON_BEFORE_MS;
  const joinMs = opts.joinMs ?? DEFAULT_JOIN_MS;
  const anchors: Anchor[] = [];
  const logons: Logon[] = [];
  /** ip -> host, with the rows that say so. */
  const ipHost = new Map<string, { host: string; by: SourceAttribution['resolvedBy']; row: number }>();
  const learnIp = (ip: string | null, host: string | null, by: SourceAttribution['resolvedBy'], row: number): void => {
    if (!isRemoteAddress(ip) || !host || cleanName(host) === null || /^\d+\.\d+\.\d+\.\d+$/.test(host)) return;
    if (!ipHost.has(ip)) ipHost.set(ip, { host, by, row });
  };
  const caseHosts: string[] = [];
  const seenHosts = new Set<string>();
  /** host -> inbound RPC endpoint-mapper connections (Sysmon 3 to port 135) from other addresses: DCOM activations. */
  const inboundRpc = new Map<string, Array<{ t: number; ip: string; row: number }>>();
  /** host -> times a PsExec-family client ran there naming no other host (`psexec -s cmd`: its service is local). */
  const localLaunches = new Map<string, number[]>();

  for (const view of source.views) {
    const kindCol = view.column('event_kind');
    const kindAt: Reader = kindCol ? (r) => kindCol.get(r) : () => 'process_creation';
    const host = hostOf(view);
    const rd = {
      logonType: reader(view, 'logon_type'),
      logonId: reader(view, 'logon_id'),
      srcIp: reader(view, 'src_ip'),
      src: reader(view, 'src'),
      user: reader(view, 'user'),
      auth: firstReader(view, ['LogonProcessName', 'authentication_method']),
      shareName: reader(view, 'share_name'),
      shareTarget: reader(view, 'share_target'),
      access: firstReader(view, ['AccessList', 'AccessMask']),
      serviceName: reader(view, 'service_name'),
      servicePath: reader(view, 'service_path'),
      taskName: reader(view, 'task_name'),
      taskContent: firstReader(view, ['TaskContent', 'TaskContentNew']),
      pipe: reader(view, 'pipe_name'),
      process: reader(view, 'process'),
      processPath: firstReader(view, ['process_path', 'process_name']),
      parentPath: firstReader(view, ['parent_process_path', 'parent_process_name']),
      parentCmd: reader(view, 'parent_process'),
      destHost: reader(view, 'dest_host'),
      destIp: reader(view, 'dest_ip'),
      destPort: firstReader(view, ['dest_port', 'DestinationPort']),
      eventCode: reader(view, 'EventCode'),
      srcHostname: reader(view, 'SourceHostname'),
      destHostname: reader(view, 'DestinationHostname'),
      srcIpRaw: reader(view, 'SourceIp'),
      initiated: reader(view, 'Initiated'),
      rdpAddr: firstReader(view, ['Address', 'ClientAddress', 'Param3', 'src_ip']),
      winrmConnection: firstReader(view, ['connection', 'Connection']),
      logonProcess: reader(view, 'LogonProcessName'),
      keyLength: reader(view, 'KeyLength'),
      filePath: reader(view, 'file_path'),
    };
    for (let r = 0; r < view.rowCount; r++) {
      const kind = kindAt(r);
      if (kind === null || !WANTED.has(kind)) continue;
      const row = view.base + r;
      const t = view.timeMs[r]!;
      const h = host(r);
      if (!seenHosts.has(h)) {
        seenHosts.add(h);
        caseHosts.push(h);
      }
      if (anchors.length >= MAX_ANCHORS) break;
      const add = (a: Omit<Anchor, 'row' | 'timeMs' | 'host' | 'kind'>): void => {
        anchors.push({ row, timeMs: t, host: h, kind: kind as EventKind, ...a });
      };
      switch (kind) {
        case 'logon': {
          const type = rd.logonType(r) ?? '';
          const ip = rd.srcIp(r);
          const ws = cleanName(rd.src(r));
          const acct = rd.user(r);
          learnIp(ip, ws, 'workstation-name', row);
          if (type === '3' || type === '10' || type === '9') {
            const pth = type === '3' && (rd.logonProcess(r) ?? '').trim().toLowerCase() === 'ntlmssp' && rd.keyLength(r) === '0' && !/anonymous/i.test(acct ?? '');
            logons.push({ row, timeMs: t, host: h, logonId: normId(rd.logonId(r)), type, ip, workstation: ws, account: acct, method: rd.auth(r), pth });
          }
          if (type === '10' && isRemoteAddress(ip)) {
            add({ role: 'logon', method: 'rdp', side: 'target', logonId: normId(rd.logonId(r)), ip, account: acct, named: null, summary: `4624 type 10 (Remote Desktop) logon ${acct ?? ''} from ${ip}${ws ? ` (${ws})` : ''}` });
          }
          break;
        }
        case 'share_access': {
          const ip = rd.srcIp(r);
          if (!isRemoteAddress(ip)) break;
          const share = rd.shareName(r) ?? '';
          const target = rd.shareTarget(r) ?? '';
          const acct = rd.user(r);
          const lid = normId(rd.logonId(r));
          const tl = target.toLowerCase().replace(/^\\?pipe\\/, '');
          let method: MovementMethod | null = null;
          const named = psexecSourceName(target);
          if (named !== null && sameHost(named, h)) break; // PsExec run on this host against itself
          if (PSEXEC_NAME.test(target) || PSEXEC_PIPE.test(target)) method = 'psexec';
          else if (/ipc\$$/i.test(share) && tl === 'svcctl') method = 'remote-service';
          else if (/ipc\$$/i.test(share) && tl === 'atsvc') method = 'atexec';
          else if (ADMIN_SHARE.test(share) && EXECUTABLE.test(target) && /%%4417|%%4418|writedata|appenddata|0x[0-9a-f]*[2367abef]$/i.test(rd.access(r) ?? '')) method = 'admin-share-copy';
          if (method) add({ role: 'share', method, side: 'target', logonId: lid, ip, account: acct, named: null, summary: `share ${share}${target ? ` \\ ${target}` : ''} opened by ${acct ?? '?'} from ${ip}`, ...(named ? { srcName: named } : {}) });
          break;
        }
        case 'service_install': {
          const name = rd.serviceName(r) ?? '';
          const path = rd.servicePath(r) ?? '';
          const lid = normId(rd.logonId(r));
          let method: MovementMethod | null = null;
          if (SMBEXEC_SERVICE.test(path)) method = 'smbexec';
          else if (PSEXEC_NAME.test(name) || PSEXEC_NAME.test(path)) method = 'psexec';
          else if (COMMAND_SERVICE.test(path) || REMOTE_TOOL_SERVICE.test(path)) method = 'remote-service';
          else if (lid !== null) method = 'remote-service'; // kept only if its session is a remote logon (below)
          const named = method === 'psexec' ? psexecSourceName(name) : null;
          if (named !== null && sameHost(named, h)) break; // PAExec-<pid>-<this host>: run locally
          if (method) add({ role: 'service-install', method, side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `service ${name} installed: ${path.slice(0, 200)}`, ...(REMOTE_TOOL_SERVICE.test(path) ? { remoteTool: true } : {}), ...(named ? { srcName: named } : {}) });
          break;
        }
        case 'scheduled_task': {
          const content = rd.taskContent(r) ?? '';
          const lid = normId(rd.logonId(r));
          const code = rd.eventCode(r);
          if (code !== '4698' && code !== '4702' && code !== '106') break;
          const method: MovementMethod = ATEXEC_TASK.test(taskActionText(content)) ? 'atexec' : 'remote-task';
          add({ role: 'task', method, side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `scheduled task ${rd.taskName(r) ?? '?'} registered` });
          break;
        }
        case 'pipe': {
          const p = rd.pipe(r) ?? '';
          if (PSEXEC_NAME.test(p.replace(/^\\/, '')) || PSEXEC_PIPE.test(p)) {
            const named = psexecSourceName(p);
            if (named !== null && sameHost(named, h)) break; // `PSEXESVC-<this host>-<pid>-stdin`: PsExec run locally
            add({ role: 'pipe', method: 'psexec', side: 'target', logonId: null, ip: null, account: null, named: null, summary: `named pipe ${p}`, ...(named ? { srcName: named } : {}) });
          }
          break;
        }
        case 'rdp_session': {
          const code = rd.eventCode(r);
          const ip = rd.rdpAddr(r);
          if ((code === '1149' || code === '21' || code === '22' || code === '25' || code === '4778') && isRemoteAddress(ip) && /^[0-9a-f.:]+$/i.test(ip)) {
            add({ role: 'rdp', method: 'rdp', side: 'target', logonId: normId(rd.logonId(r)), ip, account: rd.user(r), named: null, summary: `Remote Desktop session event ${code} from ${ip}` });
          } else if (code === '1024' || code === '1102') {
            // Client side (TerminalServices-ClientActiveXCore): mstsc connecting to the server it names.
            const named = cleanName(rd.destHost(r));
            if (named && !sameHost(named, h) && !LOCAL_NAME.test(named) && isRemoteAddressOrName(named)) {
              add({ role: 'naming-command', method: 'rdp', side: 'source', logonId: null, ip: null, account: rd.user(r), named, summary: `Remote Desktop client connecting to ${named} (event ${code})` });
            }
          }
          break;
        }
        case 'winrm': {
          const code = rd.eventCode(r);
          if (code === '6') {
            // Client side: "Creating WSMan Session. The connection string is: SRV-2.corp.local/wsman?PSVersion=5.1".
            const named = winrmTarget(rd.winrmConnection(r) ?? '');
            if (named && !sameHost(named, h) && !LOCAL_NAME.test(named)) {
              add({ role: 'naming-command', method: 'winrm', side: 'source', logonId: null, ip: null, account: rd.user(r), named, summary: `WinRM session to ${named} (WinRM/Operational 6)` });
            }
          } else if (code === '91') {
            // Server side: a WSMan shell created for a remote client (PowerShell remoting, winrs).
            add({ role: 'winrm', method: 'winrm', side: 'target', logonId: null, ip: null, account: rd.user(r), named: null, summary: 'WSMan shell created on this host (WinRM/Operational 91)', remoteTool: true });
          }
          break;
        }
        case 'file': {
          // The SMB server writes what a client copies over ADMIN$ as `System`: PsExec's service binary arriving.
          const path = rd.filePath(r) ?? '';
          if (basename(rd.processPath(r)) === 'system' && PSEXEC_NAME.test(path) && /\.exe$/i.test(path)) {
            const named = psexecSourceName(basename(path).replace(/\.exe$/, ''));
            if (named !== null && sameHost(named, h)) break;
            add({ role: 'share', method: 'psexec', side: 'target', logonId: null, ip: null, account: null, named: null, summary: `${path} written by System (copied over SMB)`, ...(named ? { srcName: named } : {}) });
          }
          break;
        }
        case 'network_connection': {
          const initiated = (rd.initiated(r) ?? '').toLowerCase() === 'true';
          if (initiated) learnIp(rd.srcIpRaw(r) ?? rd.srcIp(r), h, 'network-connection', row);
          learnIp(rd.destIp(r), cleanName(rd.destHostname(r)), 'network-connection', row);
          if (!initiated) learnIp(rd.srcIpRaw(r) ?? rd.srcIp(r), cleanName(rd.srcHostname(r)), 'network-connection', row);
          if (!initiated && rd.destPort(r) === '135' && isRemoteAddress(rd.srcIpRaw(r) ?? rd.srcIp(r))) {
            const list = inboundRpc.get(h);
            const e = { t, ip: (rd.srcIpRaw(r) ?? rd.srcIp(r))!, row };
            if (list) list.push(e);
            else inboundRpc.set(h, [e]);
          }
          // An inbound WinRM connection (5985 / 5986) from another address, accepted by the WinRM service (System).
          const src = rd.srcIpRaw(r) ?? rd.srcIp(r);
          const port = rd.destPort(r);
          if (!initiated && (port === '5985' || port === '5986') && isRemoteAddress(src) && basename(rd.processPath(r)) === 'system') {
            add({ role: 'winrm', method: 'winrm', side: 'target', logonId: null, ip: src, account: null, named: null, summary: `inbound WinRM connection from ${src} to port ${port}` });
          }
          break;
        }
        case 'explicit_credentials': {
          const server = cleanName(rd.destHost(r));
          const caller = rd.processPath(r) ?? '';
          if (!server || /^(?:localhost|127\.0\.0\.1|::1|\.)$/i.test(server) || sameHost(server, h)) break;
          if (caller === '' || caller === '-' || SYSTEM_CALLER.test(caller)) break;
          add({ role: 'explicit-credentials', method: 'explicit-credentials', side: 'source', logonId: null, ip: null, account: rd.user(r), named: server, summary: `4648 explicit credentials ${rd.user(r) ?? '?'} to ${server} by ${basename(caller)}` });
          break;
        }
        case 'process_creation': {
          const cmd = rd.process(r) ?? '';
          const image = basename(rd.processPath(r));
          const parent = basename(rd.parentPath(r));
          const lid = normId(rd.logonId(r));
          // A PsExec-family client naming no other host runs its service on this very host: not a movement.
          if (/^(?:psexec|psexec64|paexec|csexec)\.exe$/.test(image) && !findRemoteReferences(cmd).some((ref) => !sameHost(ref.target, h) && !LOCAL_NAME.test(ref.target))) {
            const list = localLaunches.get(h);
            if (list) list.push(t);
            else localLaunches.set(h, [t]);
          }
          // Source side: the Remote Desktop client named at its server (`mstsc /v:SRV-2`).
          if (image === 'mstsc.exe') {
            const named = /\/v:\s*"?([A-Za-z0-9][A-Za-z0-9._-]{0,253})/i.exec(cmd)?.[1] ?? null;
            if (named && !sameHost(named, h) && !LOCAL_NAME.test(named)) {
              add({ role: 'naming-command', method: 'rdp', side: 'source', logonId: null, ip: null, account: rd.user(r), named, summary: `mstsc.exe names ${named}: ${cmd.slice(0, 200)}` });
            }
          }
          // Source side: a command line naming another host.
          if (cmd) {
            for (const ref of findRemoteReferences(cmd)) {
              const m = LINK_METHOD[ref.kind];
              if (!m || sameHost(ref.target, h) || LOCAL_NAME.test(ref.target)) continue;
              add({ role: 'naming-command', method: m, side: 'source', logonId: null, ip: null, account: rd.user(r), named: ref.target, summary: `${image || 'process'} names ${ref.target}: ${ref.text}` });
            }
          }
          // Target side: what a remote action starts. PSEXESVC counts only when the service manager started it.
          if (image === 'psexesvc.exe' || /^(?:paexec|remcomsvc|csexecsvc)/.test(image)) {
            if (parent === 'services.exe') add({ role: 'process', method: 'psexec', side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} started by services.exe` });
          } else if (parent === 'psexesvc.exe' || /^(?:paexec|remcomsvc|csexecsvc)/.test(parent)) {
            add({ role: 'process', method: 'psexec', side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} started by ${parent}: ${cmd.slice(0, 200)}` });
          } else if (WMIEXEC_OUTPUT.test(cmd)) {
            // Impacket's output redirection (wmiexec, and dcomexec under a DCOM server) is its signature, even where
            // 4688 v1 names no parent.
            const m: MovementMethod = DCOM_SERVER.test(parent) || parent === 'explorer.exe' ? 'dcomexec' : 'wmiexec';
            add({ role: 'process', method: m, side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} writes its output to ADMIN$ (${m}): ${cmd.slice(0, 200)}`, remoteTool: true });
          } else if (lid !== null && ((DCOM_SERVER.test(image) && /[-/]embedding\b/i.test(cmd) && parent === 'svchost.exe') || DCOM_SERVER.test(parent))) {
            // A DCOM server (MMC20.Application, Excel.Application ...) activated in, or its child started in, a session
            // (kept only when that session is a network logon from another address, below).
            add({ role: 'process', method: 'dcomexec', side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} started by ${parent || '?'} (DCOM): ${cmd.slice(0, 200)}` });
          } else if (parent === 'wmiprvse.exe' && lid !== null) {
            const m: MovementMethod = 'wmi';
            add({ role: 'process', method: m, side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} started by WmiPrvSE.exe: ${cmd.slice(0, 200)}` });
          } else if (image === 'wsmprovhost.exe' || parent === 'wsmprovhost.exe') {
            // The PowerShell remoting host exists only for a remote session's shell: remote by itself.
            add({ role: 'process', method: 'winrm', side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image}${image === 'wsmprovhost.exe' ? ' (PowerShell remoting host)' : ' started by wsmprovhost.exe'}: ${cmd.slice(0, 200)}`, remoteTool: true });
          } else if (parent === 'services.exe' && lid !== null && (SMBEXEC_SERVICE.test(cmd) || COMMAND_SERVICE.test(cmd))) {
            add({ role: 'process', method: SMBEXEC_SERVICE.test(cmd) ? 'smbexec' : 'remote-service', side: 'target', logonId: lid, ip: null, account: rd.user(r), named: null, summary: `${image} started by services.exe: ${cmd.slice(0, 200)}` });
          }
          break;
        }
      }
    }
  }
  for (const [ip, host] of Object.entries(opts.hostTable ?? {})) ipHost.set(ip, { host, by: 'host-table', row: -1 });

  // Sessions: (host, logon id) -> the remote logon that opened it (the last one before, within skew).
  const sessions = new Map<string, Logon[]>();
  for (const l of logons) {
    if (l.logonId === null) continue;
    const k = l.host + '\u0000' + l.logonId;
    const list = sessions.get(k);
    if (list) list.push(l);
    else sessions.set(k, [l]);
  }
  const sessionOf = (a: Anchor): Logon | null => {
    if (a.logonId === null) return null;
    const list = sessions.get(a.host + '\u0000' + a.logonId);
    if (!list) return null;
    let best: Logon | null = null;
    for (const l of list) if (l.timeMs <= a.timeMs + 5_000 && (!best || l.timeMs > best.timeMs)) best = l;
    return best;
  };
  const remoteLogon = (l: Logon | null): boolean => l !== null && (l.type === '3' || l.type === '10') && (isRemoteAddress(l.ip) || (l.workstation !== null && l.ip === null));
  const logonsByHost = new Map<string, Logon[]>();
  for (const l of logons) {
    const list = logonsByHost.get(l.host);
    if (list) list.push(l);
    else logonsByHost.set(l.host, [l]);
  }
  for (const list of logonsByHost.values()) list.sort((a, b) => a.timeMs - b.timeMs || a.row - b.row);

  // Findings of the remote-exec rules are target-side anchors too (their events are the process steps).
  const findingRows = new Map<number, string[]>();
  for (const f of findings) {
    for (const e of f.events) {
      const list = findingRows.get(e.row);
      if (list) list.push(f.id);
      else findingRows.set(e.row, [f.id]);
    }
    const method = methodOfFinding(source, f);
    // PsExec rules fire on the source (psexec.exe -accepteula, a renamed PsExec) as well as the target: their target
    // side is PSEXESVC's own events (above), so only the Impacket rules' findings (the target's cmd.exe) anchor here.
    if (!method || method === 'psexec' || f.host === UNKNOWN_HOST) continue;
    const first = f.events[0];
    if (!first) continue;
    anchors.push({ row: first.row, timeMs: first.timeMs, host: f.host, kind: 'process_creation', role: 'finding', method, side: 'target', logonId: null, ip: null, account: null, named: null, summary: `finding ${f.ruleId}: ${f.message.slice(0, 200)}`, findingId: f.id });
  }

  // Keep target anchors that are remote by themselves or by their session; attach the session's logon.
  interface Half {
    side: 'source' | 'target';
    host: string; // target host (target side) or source host (source side)
    named: string | null;
    anchors: Anchor[];
    logon: Logon | null;
  }
  const selfRemote = (a: Anchor): boolean =>
    a.side === 'source' ||
    a.role === 'finding' ||
    a.method === 'psexec' ||
    a.method === 'smbexec' ||
    a.method === 'atexec' ||
    (a.method === 'remote-service' && a.role === 'service-install' && COMMAND_SERVICE.test(a.summary)) ||
    a.remoteTool === true ||
    a.ip !== null;
  /** Remote network logons on the anchor's host from INSTALL_AFTER_LOGON_MS before it to 2 s after. */
  const nearbyLogons = (a: Anchor): Logon[] => {
    const out: Logon[] = [];
    const list = logonsByHost.get(a.host) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i]!;
      if (l.timeMs > a.timeMs + 2_000) continue;
      if (l.timeMs < a.timeMs - INSTALL_AFTER_LOGON_MS) break;
      if (l.type === '3' && isRemoteAddress(l.ip)) out.push(l);
    }
    return out;
  };
  /** The latest of logons that all came from one address, else null. */
  const oneSource = (ls: readonly Logon[]): Logon | null => (ls.length > 0 && ls.every((l) => l.ip === ls[0]!.ip) ? ls[0]! : null);
  const targetAnchors: Array<{ a: Anchor; logon: Logon | null }> = [];
  const sourceAnchors: Anchor[] = [];
  for (const a of anchors) {
    if (a.side === 'source') {
      sourceAnchors.push(a);
      continue;
    }
    let logon = sessionOf(a);
    if (!remoteLogon(logon)) logon = null;
    if (!logon && a.method === 'dcomexec' && a.ip === null) {
      // Sysmon without the Security log: a DCOM server activated right after an RPC connection from one other address.
      const near = (inboundRpc.get(a.host) ?? []).filter((c) => c.t <= a.timeMs + 1_000 && c.t >= a.timeMs - INSTALL_AFTER_LOGON_MS);
      if (near.length > 0 && near.every((c) => c.ip === near[0]!.ip)) a.ip = near[0]!.ip;
    }
    if (!logon && !selfRemote(a)) continue; // a local service, task, WMI or WinRM child: not a movement
    // `psexec -s cmd` on this host (no other host named) installs and starts the same service: local, not a movement.
    if (!logon && a.method === 'psexec' && (localLaunches.get(a.host) ?? []).some((t) => t <= a.timeMs + 5_000 && t >= a.timeMs - LOCAL_LAUNCH_MS)) continue;
    // A shell-command service (7045 has no logon id) is remote only with a remote logon just before it: a local
    // `sc create ... cmd /c` is persistence, not movement.
    if (!logon && a.method === 'remote-service' && a.role === 'service-install') {
      const near = nearbyLogons(a);
      if (near.length === 0 && a.remoteTool !== true) continue;
      logon = oneSource(near);
    } else if (!logon && a.ip === null && (a.remoteTool === true || a.role === 'winrm')) {
      // A remote-only sign with no session id (WinRM 91, wsmprovhost in Sysmon without LogonId): the network logon
      // just before it, when only one address logged on then (a busy server's other logons are not guessed at).
      logon = oneSource(nearbyLogons(a));
    }
    if (!logon && a.ip !== null) {
      // No logon id to join: the network logon from the same address shortly before.
      const list = logonsByHost.get(a.host) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const l = list[i]!;
        if (l.timeMs > a.timeMs + 5_000) continue;
        if (l.timeMs < a.timeMs - logonBeforeMs) break;
        if (l.ip === a.ip && remoteLogon(l)) {
          logon = l;
          break;
        }
      }
    }
    targetAnchors.push({ a, logon });
  }

  // Cluster target anchors per (host, session or source address) in time.
  targetAnchors.sort((x, y) => x.a.timeMs - y.a.timeMs || x.a.row - y.a.row);
  const halves: Half[] = [];
  const open = new Map<string, Half & { lastMs: number }>();
  for (const { a, logon } of targetAnchors) {
    const ipOf = logon?.ip ?? a.ip;
    const who = isRemoteAddress(ipOf) ? `ip:${ipOf}` : logon ? `s:${logon.logonId ?? logon.row}` : 'anon';
    const key = a.host + '\u0000' + who;
    const cur = open.get(key);
    if (cur && a.timeMs - cur.lastMs <= clusterMs) {
      cur.anchors.push(a);
      cur.lastMs = a.timeMs;
      if (!cur.logon && logon) cur.logon = logon;
      continue;
    }
    // An anonymous anchor (a PSEXESVC pipe, a finding) joins any open movement on its host within the window.
    if (who === 'anon') {
      let joined = false;
      for (const [k, h] of open) {
        if (k.startsWith(a.host + '\u0000') && a.timeMs - h.lastMs <= clusterMs) {
          h.anchors.push(a);
          h.lastMs = Math.max(h.lastMs, a.timeMs);
          joined = true;
          break;
        }
      }
      if (joined) continue;
    }
    const h = { side: 'target' as const, host: a.host, named: null, anchors: [a], logon, lastMs: a.timeMs };
    open.set(key, h);
    halves.push(h);
  }
  // Source halves: per (source host, named target, method) in time.
  sourceAnchors.sort((x, y) => x.timeMs - y.timeMs || x.row - y.row);
  const openSrc = new Map<string, Half & { lastMs: number }>();
  const sourceHalves: Array<Half & { lastMs: number }> = [];
  for (const a of sourceAnchors) {
    const key = a.host + '\u0000' + shortHostName(a.named ?? '').toLowerCase();
    const cur = openSrc.get(key);
    if (cur && a.timeMs - cur.lastMs <= clusterMs) {
      cur.anchors.push(a);
      cur.lastMs = a.timeMs;
      continue;
    }
    const h = { side: 'source' as const, host: a.host, named: a.named, anchors: [a], logon: null, lastMs: a.timeMs };
    openSrc.set(key, h);
    sourceHalves.push(h);
  }

  const resolve = (ip: string | null): { host: string; by: SourceAttribution['resolvedBy']; row: number } | null => (ip ? ipHost.get(ip) ?? null : null);
  const movements: Movement[] = [];
  const usedSource = new Set<Half>();
  const pick = (as: readonly Anchor[]): MovementMethod => {
    let best: MovementMethod = as[0]!.method;
    for (const a of as) if (PRIORITY.indexOf(a.method) < PRIORITY.indexOf(best)) best = a.method;
    return best;
  };
  const stepOf = (a: { row: number; timeMs: number; host: string; kind: EventKind; role: MovementStepRole; summary: string; findingId?: string }): MovementStep => {
    const loc = opts.locate(a.row);
    const s: MovementStep = { role: a.role, row: a.row, evidence: loc.evidence, record: loc.record, timeMs: a.timeMs, host: a.host, kind: a.kind, summary: a.summary };
    if (a.findingId) s.findingId = a.findingId;
    return s;
  };
  // Indexes by short host name (sameHost implies equal short names): no host x host or half x half scans.
  const caseByShort = bucket(caseHosts, (h) => h);
  const hostKnown = (name: string | null): boolean => name !== null && (caseByShort.get(shortHostName(name)) ?? []).some((h) => sameHost(h, name));
  const sourceByNamed = bucket(sourceHalves.filter((s) => s.named !== null), (s) => s.named!);

  for (const t of halves) {
    const logon = t.logon;
    const ip = logon?.ip ?? t.anchors.find((a) => a.ip !== null)?.ip ?? null;
    const piped = t.anchors.find((a) => a.srcName !== undefined);
    const res = logon?.workstation
      ? { host: logon.workstation, by: 'workstation-name' as const, row: logon.row }
      : resolve(ip) ?? (piped ? { host: piped.srcName!, by: 'pipe-name' as const, row: piped.row } : null);
    let srcHost = res?.host ?? null;
    const firstMs = Math.min(logon?.timeMs ?? Infinity, ...t.anchors.map((a) => a.timeMs));
    const targetMethod = pick(t.anchors);
    // The source half naming this target in the window.
    let src: (Half & { lastMs: number }) | undefined;
    for (const s of sourceByNamed.get(shortHostName(t.host)) ?? []) {
      if (usedSource.has(s) || !s.named || !sameHost(s.named, t.host)) continue;
      if (s.anchors[0]!.timeMs > firstMs + joinMs || s.lastMs < firstMs - joinMs) continue;
      if (srcHost !== null && !sameHost(srcHost, s.host)) continue;
      // The source's tool must be able to leave the target's signs: `psexec \\SRV` does not explain a wmiexec on SRV.
      if (!s.anchors.some((a) => compatible(a.method, targetMethod))) continue;
      src = s;
      break;
    }
    if (src) {
      usedSource.add(src);
      srcHost = src.host;
    }
    const all = [...(src?.anchors ?? []), ...t.anchors];
    const method = pick(t.anchors);
    const steps: MovementStep[] = [];
    if (logon) steps.push(stepOf({ row: logon.row, timeMs: logon.timeMs, host: logon.host, kind: 'logon', role: 'logon', summary: `4624 type ${logon.type} logon ${logon.account ?? '?'} from ${logon.ip ?? '?'}${logon.workstation ? ` (${logon.workstation})` : ''}, logon id ${logon.logonId ?? '?'}${logon.pth ? '; pass-the-hash signature (NTLM through NtLmSsp, key length 0)' : ''}` }));
    for (const a of all) if (!(logon && a.row === logon.row)) steps.push(stepOf(a));
    steps.sort((x, y) => x.timeMs - y.timeMs || x.row - y.row);
    const dedup = steps.filter((s, i) => i === 0 || s.row !== steps[i - 1]!.row || s.role !== steps[i - 1]!.role);
    movements.push(finish(method, srcHost, ip, res && !src ? res : src ? { host: src.host, by: 'naming-command', row: src.anchors[0]!.row } : null, t.host, logon?.account ?? all.find((a) => a.account)?.account ?? null, logon?.logonId ?? null, dedup, src ? 'both' : 'target'));
  }
  for (const s of sourceHalves) {
    if (usedSource.has(s)) continue;
    // `\\HOST\C$` in a command line alone (net use, dir, copy) to a host with no logs here is too weak on its own:
    // it needs a tool that executes (psexec, sc, wmic, schtasks, winrs, -ComputerName) or a 4648 naming the host.
    if (s.anchors.every((a) => a.method === 'admin-share-copy') && !hostKnown(s.named)) continue;
    const method = pick(s.anchors);
    const steps = s.anchors.map(stepOf);
    movements.push(finish(method, s.host, null, { host: s.host, by: 'naming-command', row: s.anchors[0]!.row }, s.named ?? '?', s.anchors.find((a) => a.account)?.account ?? null, null, steps, 'source'));
  }

  function finish(
    method: MovementMethod,
    srcHost: string | null,
    ip: string | null,
    res: { host: string; by: SourceAttribution['resolvedBy']; row: number } | null,
    target: string,
    account: string | null,
    logonId: string | null,
    steps: MovementStep[],
    seenFrom: Movement['seenFrom'],
  ): Movement {
    const roles = new Set(steps.map((s) => s.role));
    const has = (r: MovementStepRole): boolean => roles.has(r) || (r === 'process' && roles.has('finding')) || (r === 'logon' && seenFrom === 'source');
    // From the source's logs alone the target's steps are unseen, not missing: the target's logs are not in the case.
    const missing = seenFrom === 'source' ? [] : EXPECTED[method].filter((r) => !has(r));
    const findingIds = [...new Set(steps.flatMap((s) => (s.findingId ? [s.findingId] : findingRows.get(s.row) ?? [])))].sort();
    const firstMs = steps[0]!.timeMs;
    const lastMs = steps[steps.length - 1]!.timeMs;
    const attribution: SourceAttribution = { host: res?.host ?? srcHost, ip, resolvedBy: res?.by ?? null, rows: res && res.row >= 0 ? [res.row] : [] };
    const from = srcHost ? `from ${srcHost}${ip ? ` (${ip})` : ''}` : ip ? `from ${ip}` : 'from an unknown source';
    const explanation =
      seenFrom === 'source'
        ? `${srcHost} reached out to ${target} by ${method} (${steps.length} step${steps.length === 1 ? '' : 's'} in ${srcHost}'s own logs; ${target}'s logs are not in the case).`
        : `${method} onto ${target} ${from}${account ? ` as ${account}` : ''}: ${steps.length} step${steps.length === 1 ? '' : 's'}${missing.length ? `, not found: ${missing.join(', ')}` : ''}.`;
    return {
      id: `mv|${method}|${target}|${firstMs}|${steps[0]!.row}`,
      method,
      source: srcHost,
      sourceIp: ip,
      source_attribution: attribution,
      target,
      account,
      logonId,
      firstMs,
      lastMs,
      steps,
      missing,
      seenFrom,
      findingIds,
      linkIds: links.filter((l) => steps.some((s) => s.row === l.fromRow || s.row === l.toRow)).map((l) => l.id),
      explanation,
      sourceOnly: srcHost !== null && !hostKnown(srcHost),
    };
  }

  movements.sort((a, b) => a.firstMs - b.firstMs || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0) || (a.id < b.id ? -1 : 1));
  const findingSources: Record<string, string> = {};
  for (const m of movements) if (m.source || m.sourceIp) for (const id of m.findingIds) if (!(id in findingSources)) findingSources[id] = m.id;
  return { movements, paths: buildPaths(movements), episodes: buildEpisodes(findings), findingSources };
}

/** Source-side methods that can leave each target-side method's signs (explicit credentials go with any). */
const SOURCE_FOR: Readonly<Record<MovementMethod, readonly MovementMethod[]>> = {
  psexec: ['psexec', 'remote-service', 'admin-share-copy'],
  smbexec: ['remote-service', 'admin-share-copy', 'psexec'],
  'remote-service': ['remote-service', 'psexec', 'admin-share-copy'],
  'admin-share-copy': ['admin-share-copy', 'psexec', 'remote-service'],
  wmiexec: ['wmi'],
  wmi: ['wmi'],
  dcomexec: ['wmi'],
  atexec: ['remote-task'],
  'remote-task': ['remote-task'],
  winrm: ['winrm'],
  rdp: ['rdp'],
  'explicit-credentials': [],
  'pass-the-hash': [],
};
function compatible(source: MovementMethod, target: MovementMethod): boolean {
  return source === 'explicit-credentials' || source === target || SOURCE_FOR[target].includes(source);
}

/** Items by the short name of a host they carry, in their order. */
function bucket<T>(items: readonly T[], host: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = shortHostName(host(it));
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** A -> B -> C: a movement out of B that starts after a movement into B began; the account carried along. */
export function buildPaths(movements: readonly Movement[]): MovementPath[] {
  const out: MovementPath[] = [];
  const bySource = bucket(movements.filter((m) => m.source !== null), (m) => m.source!);
  const byTarget = bucket(movements.filter((m) => m.source !== null), (m) => m.target);
  const from = (host: string): Movement[] => (bySource.get(shortHostName(host)) ?? []).filter((m) => sameHost(m.source!, host));
  const walk = (chain: Movement[]): void => {
    if (out.length >= MAX_PATHS) return;
    const last = chain[chain.length - 1]!;
    const next = from(last.target).filter((n) => n.firstMs >= last.firstMs && !chain.includes(n) && !chain.some((c) => sameHost(c.source ?? '', n.target)));
    if (next.length === 0 || chain.length >= 10) {
      if (chain.length >= 2) {
        out.push({
          id: 'path|' + chain.map((c) => c.id).join('>'),
          hosts: [chain[0]!.source!, ...chain.map((c) => c.target)],
          movementIds: chain.map((c) => c.id),
          accounts: chain.map((c) => c.account),
          firstMs: chain[0]!.firstMs,
          lastMs: chain[chain.length - 1]!.lastMs,
        });
      }
      return;
    }
    for (const n of next) walk([...chain, n]);
  };
  // Start where nothing moved into the source first.
  for (const m of movements) if (m.source !== null) {
    const into = (byTarget.get(shortHostName(m.source)) ?? []).some((p) => p !== m && sameHost(p.target, m.source!) && p.firstMs <= m.firstMs);
    if (!into) walk([m]);
  }
  return out;
}

/**
 * Findings of several rules sharing events on one host: one episode naming every rule. riskSum is Splunk's RBA sum;
 * riskDistinct adds a finding's risk only when it brings events no higher-risk finding of the episode already counted.
 */
export function buildEpisodes(findings: readonly Finding[]): Episode[] {
  const parent = findings.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const byRow = new Map<string, number>();
  findings.forEach((f, i) => {
    for (const e of f.events) {
      const k = f.host + '\u0000' + e.row;
      const j = byRow.get(k);
      if (j === undefined) byRow.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, number[]>();
  findings.forEach((_, i) => {
    const g = find(i);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  const out: Episode[] = [];
  for (const idx of groups.values()) {
    const fs = idx.map((i) => findings[i]!);
    const rules = [...new Set(fs.map((f) => f.ruleId))].sort();
    if (rules.length < 2) continue;
    const rows = new Set<number>();
    let riskDistinct = 0;
    for (const f of [...fs].sort((a, b) => b.riskScore - a.riskScore || (a.id < b.id ? -1 : 1))) {
      const fresh = f.events.some((e) => !rows.has(e.row));
      for (const e of f.events) rows.add(e.row);
      if (fresh) riskDistinct += f.riskScore;
    }
    out.push({
      id: 'ep|' + fs.map((f) => f.id).sort()[0],
      host: fs[0]!.host,
      firstMs: Math.min(...fs.map((f) => f.binStartMs)),
      lastMs: Math.max(...fs.map((f) => f.binEndMs)),
      ruleIds: rules,
      findingIds: fs.map((f) => f.id).sort(),
      eventCount: rows.size,
      riskSum: fs.reduce((s, f) => s + f.riskScore, 0),
      riskDistinct,
    });
  }
  return out.sort((a, b) => a.firstMs - b.firstMs || (a.host < b.host ? -1 : 1));
}
