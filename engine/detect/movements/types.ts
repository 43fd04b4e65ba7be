// Movements (issue 14): who moved where, from which host, as whom, by what method, and the ordered evidence.
// This file is the contract between the movement builder (engine/detect/movements/), the session and RPC API,
// exports (engine/export/), `scan` and the renderer (import type only). Invariant: plain data (structured-clone
// and JSON safe), deterministic order (firstMs, then target, then id).

import type { EventKind } from '../../model/event-kinds.ts';

/** How the actor moved (a movement names one; steps of several tools on one session become one movement). */
export type MovementMethod =
  | 'psexec' // PsExec / PAExec / RemCom / CSExec: service + named pipes over ADMIN$/IPC$
  | 'smbexec' // Impacket smbexec: a service whose binary is `%COMSPEC% /Q /c echo ...`
  | 'wmiexec' // Impacket wmiexec / WMI Win32_Process.Create: WmiPrvSE.exe children from a network logon
  | 'dcomexec' // Impacket dcomexec / DCOM (MMC20, ShellWindows, ShellBrowserWindow): mmc.exe / explorer.exe children
  | 'atexec' // Impacket atexec / remote scheduled task over atsvc
  | 'remote-service' // a service created or started over svcctl (sc \\host, services.exe child from a network logon)
  | 'remote-task' // a scheduled task registered from a network logon (schtasks /s)
  | 'wmi' // WMI from another host not seen as wmiexec (wmic /node, Invoke-WmiMethod -ComputerName)
  | 'winrm' // WinRM / PowerShell remoting (wsmprovhost.exe, winrs, WinRM/Operational)
  | 'rdp' // Remote Desktop (4624 type 10, TerminalServices 1149 / 21-25, 4778)
  | 'admin-share-copy' // a file written to ADMIN$ / C$ from another host (5145 with WriteData)
  | 'explicit-credentials' // 4648 from the source naming a remote server, a tool with -u, runas /netonly
  | 'pass-the-hash'; // 4624 type 9 seclogo on the source; NTLM network logon with the pth signature on the target

/** What one step of a movement is. */
export type MovementStepRole =
  | 'naming-command' // source side: a command line naming the target (psexec \\HOST, wmic /node:HOST, ...)
  | 'explicit-credentials' // source side: 4648 naming the target server
  | 'outbound-connection' // source side: Sysmon 3 / WFP to the target's SMB, RPC, WinRM or RDP port
  | 'logon' // target side: the network / remote-interactive logon that opened the session
  | 'share' // target side: ADMIN$ / IPC$ / C$ access, pipes svcctl / atsvc opened over IPC$
  | 'pipe' // target side: a named pipe (PSEXESVC, RemCom_communicaton, paexec ...)
  | 'service-install' // target side: 7045 / 4697
  | 'task' // target side: 4698 / 4702 / TaskScheduler
  | 'process' // target side: the process the remote action started (and its first children)
  | 'rdp' // target side: TerminalServices / 4778 session events
  | 'winrm' // target side: WinRM/Operational
  | 'wmi' // target side: WMI-Activity
  | 'finding'; // a rule's finding on these events (its id in MovementStep.findingId)

export interface MovementStep {
  role: MovementStepRole;
  /** Global store row of the event. */
  row: number;
  evidence: number;
  /** 1-based record of the evidence (EventRecordID for Windows events where the locator has it). */
  record: number;
  timeMs: number;
  /** Host that logged the event (its `dest`). */
  host: string;
  kind: EventKind;
  /** One line for the analyst: `4624 type 3 logon CORP\admin from 10.0.0.12 (WKS-1002), logon id 0x3e7a1`. */
  summary: string;
  /** For role 'finding': the finding's id. */
  findingId?: string;
}

/** Where a source host or IP was learned: every attribution is backed by events (or the analyst's table). */
export interface SourceAttribution {
  /** Source host as named by the events (`WorkstationName`, a case host the IP resolves to), or null. */
  host: string | null;
  ip: string | null;
  /**
   * How `host` was found: the logon's own WorkstationName, a Sysmon 3 / DNS pairing, the analyst's table, the source's
   * command naming the target, or the source host PsExec writes into its pipe names (`PSEXESVC-WKS01-4012-stdin`).
   */
  resolvedBy: 'workstation-name' | 'network-connection' | 'dns' | 'host-table' | 'naming-command' | 'pipe-name' | null;
  /** Rows of the events that prove the pairing (the 4624 with both, the Sysmon 3, the DNS answer). */
  rows: number[];
}

export interface Movement {
  /** Deterministic: `mv|${method}|${target}|${firstMs}|${first step row}`. */
  id: string;
  method: MovementMethod;
  /** Source host (case host or a name from the events), or null when only an IP (or nothing) is known. */
  source: string | null;
  sourceIp: string | null;
  source_attribution: SourceAttribution;
  /** Target host (the lane the movement lands on). */
  target: string;
  /** Account as DOMAIN\user (or user), or null. */
  account: string | null;
  /** Target-side logon id (hex as Windows writes it) the steps share, or null. */
  logonId: string | null;
  firstMs: number;
  lastMs: number;
  /** Ordered by time, then row. */
  steps: MovementStep[];
  /** Steps a complete movement of this method would have and that were not found (`logon`, `service-install` ...). */
  missing: MovementStepRole[];
  /** Which side's logs hold the steps. */
  seenFrom: 'source' | 'target' | 'both';
  /** Ids of findings whose events are steps of this movement. */
  findingIds: string[];
  /** Ids of lateral links (engine/detect/links.ts) that are part of this movement. */
  linkIds: string[];
  /** Why this is a movement, in one or two sentences (shown in the UI and reports). */
  explanation: string;
  /** Source host has no evidence of its own in the case (its lane is marked "source only"). */
  sourceOnly: boolean;
}

/** A -> B -> C: movements chained in time (the next starts on the previous one's target after it began). */
export interface MovementPath {
  id: string;
  /** Hosts in order (first is a source, last a target). */
  hosts: string[];
  movementIds: string[];
  /** Accounts carried along, in order (null where unknown). */
  accounts: Array<string | null>;
  firstMs: number;
  lastMs: number;
}

/** Findings of several rules on the same events of one host, shown as one episode (issue 14). */
export interface Episode {
  id: string;
  host: string;
  firstMs: number;
  lastMs: number;
  ruleIds: string[];
  findingIds: string[];
  /** Distinct events of the episode. */
  eventCount: number;
  /** Splunk RBA sum: every finding's risk added (what Splunk's risk index would show). */
  riskSum: number;
  /**
   * Each event counted once: findings taken by falling risk, a finding's risk added only when it brings events no
   * finding counted before it did (two rules on the same events score as the higher one).
   */
  riskDistinct: number;
}

export interface MovementResult {
  movements: Movement[];
  paths: MovementPath[];
  episodes: Episode[];
  /** Finding id -> id of the movement that attributes its source (when one does). */
  findingSources: Record<string, string>;
}
